/** Renders a portal page in the site frame, with the nav for the signed-in person's area. */
import type { Request, Response } from 'express';
import type { Portal } from '../portal.js';
import { duoEmulated, yubicoEmulated, type RawConfig } from '../twofactor/deployment.js';
import type { DemoServices } from '../twofactor/emulators.js';
import type { PortalUser } from '../users/user-store.js';
import { e, frame, sendPage, type NavLink } from './html.js';
import { nonceOf } from './security-headers.js';
import { csrfTokenOf } from './csrf.js';

const CLIENT_NAV: NavLink[] = [
  { href: '/client', label: 'Client area' },
  { href: '/2fa/account', label: 'Security settings' },
];
const ADMIN_NAV: NavLink[] = [
  { href: '/admin', label: 'Admin dashboard' },
  { href: '/admin/two-factor', label: 'Two Factor Authentication' },
  { href: '/admin/users', label: 'Users' },
  { href: '/admin/audit', label: 'Audit log' },
  { href: '/2fa/account', label: 'Security settings' },
];

export function navFor(user: PortalUser | undefined): NavLink[] {
  if (!user) return [];
  return user.role === 'admin' ? ADMIN_NAV : CLIENT_NAV;
}

/** The line every page shows while a stand-in answers for Duo or YubiCloud. */
export async function demoNotice(portal: Portal): Promise<string | undefined> {
  return demoNoticeFor((await portal.live.current()).document, portal.demo);
}

export function demoNoticeFor(doc: RawConfig, demo: DemoServices | undefined): string | undefined {
  if (!demo) return undefined;
  const parts: string[] = [];
  if (duoEmulated(doc)) parts.push('Duo is the offline Duo emulator');
  if (yubicoEmulated(doc)) parts.push('YubiKey OTPs are checked by an offline YubiCloud');
  return parts.length === 0
    ? undefined
    : `Demo mode: ${parts.join('; ')} running inside this portal (no real credentials are configured).`;
}

/** The session's one-shot notice (a grace sign-in's days left), shown once on the next page. */
export function takeNotice(req: Request): string {
  const flash = req.session.flash;
  if (flash?.kind !== 'notice') return '';
  delete req.session.flash;
  return `<p class="notice" role="status" id="sign-in-notice">${e(flash.message)}</p>`;
}

export interface PageInput {
  title: string;
  main: string;
  status?: number;
  user?: PortalUser;
}

export async function renderPage(
  portal: Portal,
  req: Request,
  res: Response,
  p: PageInput,
): Promise<void> {
  const html = frame({
    title: p.title,
    nonce: nonceOf(res),
    main: p.main,
    nav: navFor(p.user),
    signedIn: p.user ? { name: p.user.name, csrf: csrfTokenOf(req) } : undefined,
    demoNotice: await demoNotice(portal),
    path: req.path,
  });
  sendPage(res, p.status ?? 200, html);
}
