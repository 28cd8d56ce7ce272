/** A real Express 5 app with express-session on port 0, reached with fetch and a cookie jar. */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import session from 'express-session';
import type { TwoFactorUser } from '@factorkit/core';
import {
  expressSession,
  requestInfoOf,
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

export const expressRig: MakeRig = async (options = {}) => {
  const b = base(options);
  const users = new Map<string, TwoFactorUser>();
  const app = express();
  app.use(session({ name: 'sid', secret: randomUUID(), resave: false, saveUninitialized: false }));
  app.get('/hello', (req, res) => {
    req.session.visited = true;
    res.json({ hello: true });
  });
  app.post('/login', express.json(), (req, res, next) => {
    const user = users.get(String((req.body as { userId?: unknown }).userId));
    if (user === undefined) return void res.status(401).json({ error: 'unknown' });
    b.steps
      .beginSecondStep(expressSession(req), user, requestInfoOf(b.handler, req))
      .then((started) => res.json(started))
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
