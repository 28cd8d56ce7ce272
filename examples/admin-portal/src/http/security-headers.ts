/**
 * Secure headers for the portal's own pages (helmet), with a fresh CSP nonce per response for
 * the inline stylesheet. factorkit's routes under /2fa set their own headers and never pass here.
 */
import { randomBytes } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';

export function nonceOf(res: Response): string {
  return (res.locals as { nonce?: string }).nonce ?? '';
}

export function securityHeaders() {
  const withHelmet = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        styleSrc: [(_req, res) => `'nonce-${nonceOf(res as Response)}'`],
        imgSrc: ['data:'],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
      },
    },
    referrerPolicy: { policy: 'no-referrer' },
    strictTransportSecurity: false,
  });
  return (req: Request, res: Response, next: NextFunction): void => {
    (res.locals as { nonce?: string }).nonce = randomBytes(16).toString('base64');
    // Pages show per-user data: never kept by a shared cache or the back button after sign-out.
    res.setHeader('Cache-Control', 'no-store');
    withHelmet(req, res, next);
  };
}
