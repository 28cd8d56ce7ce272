/** A real Express 5 app with express-session on port 0, reached with fetch and a cookie jar. */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import session from 'express-session';
import type { TwoFactorUser } from '@factorkit/core';
import {
  beginSecondStep,
  expressSession,
  requireSecondFactor,
  twoFactorMiddleware,
} from '../src/express/index.js';
import { httpClient } from './http-client.js';
import { base, type MakeRig } from './rig.js';

declare module 'express-session' {
  interface SessionData {
    visited?: boolean;
  }
}

/** The host's sign-in page (the password is the test's user id: the rig checks none). */
const LOGIN_PAGE =
  '<!doctype html><html lang="en"><head><title>Sign in</title></head><body><main>' +
  '<h1>Sign in</h1><form method="post" action="/login"><label for="user">User</label>' +
  '<input id="user" name="userId" autofocus required><button type="submit">Sign in</button>' +
  '</form></main></body></html>';

export const expressRig: MakeRig = async (options = {}) => {
  const b = base(options);
  const users = new Map<string, TwoFactorUser>();
  const app = express();
  app.use(session({ name: 'sid', secret: randomUUID(), resave: false, saveUninitialized: false }));
  app.get('/hello', (req, res) => {
    req.session.visited = true;
    res.json({ hello: true });
  });
  // The host's password step: JSON for the test clients, a form for a person in a browser
  // (who then goes on to the 2FA pages, or straight in on a remembered device).
  app.get('/login', (_req, res) => {
    res.type('html').send(LOGIN_PAGE);
  });
  app.post('/login', express.json(), express.urlencoded({ extended: false }), (req, res, next) => {
    const id = String((req.body as { userId?: unknown }).userId);
    const user = users.get(id) ?? b.directory.get(id);
    if (user === undefined) return void res.status(401).json({ error: 'unknown' });
    beginSecondStep(b.handler, req, res, user)
      .then((started) => {
        if (!req.is('urlencoded')) return void res.json(started);
        res.redirect(303, started.authenticated ? '/account' : '/2fa/');
      })
      .catch(next);
  });
  app.get('/logout', (req, res, next) => {
    b.steps
      .endSecondStep(expressSession(req))
      .then(() => req.session.destroy(() => res.redirect(303, '/login')))
      .catch(next);
  });
  app.use(twoFactorMiddleware(b.handler));
  app.use(requireSecondFactor(b.steps, { allow: (req) => req.path === '/logout' }));
  app.get('/account', (_req, res) => res.json({ ok: true }));
  const server: Server = createServer(app);
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    name: 'Express over HTTP',
    ...b,
    client: (ip) => httpClient(origin, 'sid', users, ip),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
};
