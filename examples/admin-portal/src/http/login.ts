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

export async function signedInUser(portal: Portal, req: Request): Promise<PortalUser | undefined> {
  const id = req.session.userId;
  if (id === undefined) return undefined;
  const build = await portal.live.current();
  if (!(await build.secondStep.isFullyAuthenticated(expressSession(req)))) return undefined;
  return portal.users.byId(id);
}

export function homeOf(user: PortalUser): string {
  return user.role === 'admin' ? '/admin' : '/client';
}

export function registerLogin(app: Express, portal: Portal): void {
  app.get('/', async (req, res) => {
    const user = await signedInUser(portal, req);
    res.redirect(303, user ? homeOf(user) : '/login');
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
    const ip = req.socket.remoteAddress ?? 'unknown';
    const key = email.toLowerCase();
    const wait = await portal.loginLimit.retryAfter(key, ip);
    if (wait > 0)
      return fail(
        `Too many failed sign-ins. Try again in ${Math.ceil(wait / 60)} minute${wait > 60 ? 's' : ''}.`,
      );
    if (password.length > MAX_PASSWORD) return fail('Wrong email address or password.');
    const user = await portal.users.byEmail(email);
    // An unknown email costs the same hash as a known one, so timing does not tell them apart.
    const ok = await verifyPassword(password, user?.password_hash ?? (await decoyHash()));
    if (!user || !ok) {
      await portal.loginLimit.failed(key, ip);
      return fail('Wrong email address or password.');
    }
    await portal.loginLimit.succeeded(key);
    const build = await portal.live.current();
    const started = await beginSecondStep(build.handler, req, res, twoFactorUser(user));
    req.session.userId = user.id;
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
