/**
 * CSRF protection of the portal's own forms: csrf-sync's synchroniser token, kept in the
 * session and sent back in each form's hidden `_csrf` field. factorkit's routes under the
 * prefix have their own tokens (the web package) and are served before this runs.
 */
import { csrfSync } from 'csrf-sync';
import type { Request } from 'express';

const sync = csrfSync({
  getTokenFromRequest: (req) => {
    const body = req.body as Record<string, unknown> | undefined;
    return typeof body?.['_csrf'] === 'string' ? body['_csrf'] : undefined;
  },
  errorConfig: {
    statusCode: 403,
    message:
      'This form has expired or did not come from this site. Go back, reload the page and try again.',
    code: 'CSRF_INVALID',
  },
});

export const csrfProtection = sync.csrfSynchronisedProtection;

/** The session's token (created on first use). */
export function csrfTokenOf(req: Request): string {
  return sync.generateToken(req);
}
