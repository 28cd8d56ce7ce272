/**
 * The password step: the portal's own login form. A right password hands over to factorkit's
 * second step (`beginSecondStep` rotates the session id and records "password OK, second factor
 * pending", or signs a remembered device in); the person then lands on its pages under the prefix.
 */
import { beginSecondStep, expressSession } from '@factorkit/web/express';
import type { Express, Request, Response } from 'express';
import type { Portal } from '../portal.js';
import { decoyHash, verifyPassword } from '../users/passwords.js';
import { twoFactorUser, type PortalUser } from '../users/user-store.js';
import { e, fieldError } from './html.js';
import { renderPage } from './render.js';
import { csrfTokenOf } from './csrf.js';

const MAX_EMAIL = 254;
const MAX_PASSWORD = 1024;
/**
 * Password checks running at once in this process: each scrypt holds 16 MiB and a core thread's
 * worth of work for about 0.2 s, so a burst beyond this is told to retry instead of queueing.
 */
const MAX_PARALLEL_CHECKS = 8;
let passwordChecks = 0;

function loginForm(req: Request, error?: string, email = ''): string {
  const err = fieldError('login', error);
  return (
    `<h1>Sign in</h1>` +
    (error ? `<p id="login-error" role="alert">${e(error)}</p>` : '') +
    `<form method="post" action="/login" novalidate>` +
    `<input type="hidden" name="_csrf" value="${e(csrfTokenOf(req))}">` +
    `<label for="email">Email address</label>` +
    `<input id="email" name="email" type="email" autocomplete="username" required maxlength="${MAX_EMAIL}" value="${e(email)}"${err.attrs}${email ? '' : ' autofocus'}>` +
    `<label for="password">Password</label>` +
    `<input id="password" name="password" type="password" autocomplete="current-password" required maxlength="${MAX_PASSWORD}"${err.attrs}${email ? ' autofocus' : ''}>` +
    `<button type="submit">Sign in</button></form>`
  );
}

/**
 * The signed-in user, taken from factorkit's state of this session id, never from the portal's
 * own `userId` field: a login on an already signed-in session copies the old data to the new
 * id, so that field can name the previous user for a moment (PT-04).
 */
export async function signedInUser(portal: Portal, req: Request): Promise<PortalUser | undefined> {
  const build = await portal.live.current();
  const user = await build.secondStep.signedInUser(expressSession(req));
  if (user === null) return undefined;
  return portal.users.byId(user.id);
}

export function homeOf(user: PortalUser): string {
  return user.role === 'admin' ? '/admin' : '/client';
}

export function registerLogin(app: Express, portal: Portal): void {
  app.get('/', async (req, res) => {
    const user = await signedInUser(portal, req);
    const pending = !user && req.session.userId !== undefined;
    res.redirect(303, user ? homeOf(user) : pending ? `${portal.prefix}/` : '/login');
  });

  app.get('/login', async (req, res) => {
    const user = await signedInUser(portal, req);
    if (user) return res.redirect(303, homeOf(user));
    const flash = req.session.flash;
    delete req.session.flash;
    await renderPage(portal, req, res, {
      title: 'Sign in',
      main: loginForm(req, flash?.kind === 'error' ? flash.message : undefined, flash?.email),
    });
  });

  app.post('/login', async (req: Request, res: Response) => {
    const body = req.body as Record<string, unknown>;
    const email = typeof body['email'] === 'string' ? body['email'].trim().slice(0, MAX_EMAIL) : '';
    const password = typeof body['password'] === 'string' ? body['password'] : '';
    const fail = (message: string) => {
      req.session.flash = { kind: 'error', message, email };
      res.redirect(303, '/login');
    };
    if (email === '' || password === '') return fail('Enter your email address and your password.');
    // req.ip follows `trust proxy`: the TCP peer unless PORTAL_TRUSTED_PROXIES names it.
    const ip = req.ip ?? req.socket.remoteAddress ?? 'unknown';
    const key = email.toLowerCase();
    if (passwordChecks >= MAX_PARALLEL_CHECKS)
      return fail('Too many sign-ins at this moment. Try again in a few seconds.');
    const wait = await portal.loginLimit.take(key, ip);
    if (wait > 0)
      return fail(
        `Too many failed sign-ins. Try again in ${Math.ceil(wait / 60)} minute${wait > 60 ? 's' : ''}.`,
      );
    if (password.length > MAX_PASSWORD) return fail('Wrong email address or password.');
    const user = await portal.users.byEmail(email);
    let ok: boolean;
    passwordChecks++;
    try {
      // An unknown email costs the same hash as a known one, so timing does not tell them apart.
      ok = await verifyPassword(password, user?.password_hash ?? (await decoyHash()));
    } finally {
      passwordChecks--;
    }
    if (!user || !ok) return fail('Wrong email address or password.');
    await portal.loginLimit.succeeded(key, ip);
    const build = await portal.live.current();
    // Nothing of an earlier sign-in on this browser goes along into the new session id: not the
    // user, not the CSRF token (a fresh one is made for the new id), not an admin's draft.
    for (const key of Object.keys(req.session))
      if (key !== 'cookie') delete (req.session as unknown as Record<string, unknown>)[key];
    const started = await beginSecondStep(build.handler, req, res, twoFactorUser(user));
    req.session.userId = user.id;
    // A grace sign-in lets the person in at once: say how long they have to set up a factor.
    if (started.requirement.action === 'grace') {
      const { daysLeft, deadline } = started.requirement;
      req.session.flash = {
        kind: 'notice',
        message: `Your account must use two-factor authentication. You have ${daysLeft} day${daysLeft === 1 ? '' : 's'} left to set it up (until ${new Date(deadline).toISOString().slice(0, 10)}); after that you will be asked to set it up when you sign in.`,
      };
    }
    res.redirect(303, started.authenticated ? homeOf(user) : `${portal.prefix}/`);
  });

  app.get('/logout', async (req, res) => {
    const user = req.session.userId ? await portal.users.byId(req.session.userId) : undefined;
    await renderPage(portal, req, res, {
      title: 'Sign out',
      main:
        `<h1>Sign out</h1>` +
        `<form method="post" action="/logout"><input type="hidden" name="_csrf" value="${e(csrfTokenOf(req))}">` +
        `<button type="submit" autofocus>Sign out${user ? ` ${e(user.email)}` : ''}</button></form>`,
    });
  });

  app.post('/logout', async (req, res) => {
    const build = await portal.live.current();
    await build.secondStep.endSecondStep(expressSession(req));
    req.session.destroy(() => res.redirect(303, '/login'));
  });
}
