/** The shared route suite's third way in: a real Fastify 5 app with @fastify/session. */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import fastifyCookie from '@fastify/cookie';
import fastifySessionPlugin from '@fastify/session';
import Fastify from 'fastify';
import type { TwoFactorUser } from '@factorkit/core';
import { beginSecondStep, requireSecondFactor, twoFactorPlugin } from '../src/fastify/index.js';
import { httpClient } from './http-client.js';
import { base, type MakeRig } from './rig.js';

declare module 'fastify' {
  interface Session {
    visited?: boolean;
  }
}

export const fastifyRig: MakeRig = async (options = {}) => {
  const b = base(options);
  const users = new Map<string, TwoFactorUser>();
  const app = Fastify();
  await app.register(fastifyCookie);
  await app.register(fastifySessionPlugin, {
    cookieName: 'sid',
    secret: randomUUID() + randomUUID(),
    saveUninitialized: false,
    // As express-session's default: with rolling sessions, a request that lost a race re-sends
    // the old cookie (which opens nothing, but the client would have to sign in again).
    rolling: false,
    cookie: { secure: false },
  });
  app.get('/hello', async (request) => {
    request.session.set('visited', true);
    return { hello: true };
  });
  app.post('/login', async (request, reply) => {
    const user = users.get(String((request.body as { userId?: unknown }).userId));
    if (user === undefined) return reply.code(401).send({ error: 'unknown' });
    return beginSecondStep(b.handler, request, reply, user);
  });
  await app.register(twoFactorPlugin(b.handler));
  // The hook covers every route: the host's login and pre-login pages are allowed by name.
  const open = new Set(['/hello', '/login', '/logout']);
  app.addHook(
    'preHandler',
    requireSecondFactor(b.steps, { allow: (request) => open.has(request.routeOptions.url ?? '') }),
  );
  app.get('/account', async () => ({ ok: true }));
  await app.listen({ port: options.port ?? 0, host: '127.0.0.1' });
  const origin = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  return {
    name: 'Fastify over HTTP',
    ...b,
    client: (ip) => httpClient(origin, 'sid', users, ip),
    close: async () => {
      app.server.closeAllConnections();
      await app.close();
    },
  };
};
