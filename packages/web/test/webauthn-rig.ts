/**
 * An Express 5 host with the default pages and the WebAuthn provider, for the security-key page
 * tests. WebAuthn binds a credential to the page's origin, so the server listens first and the
 * provider is configured with the origin it got (`http://localhost:<port>`, a secure context).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import session from 'express-session';
import type { TwoFactorUser } from '@factorkit/core';
import { FakeClock, createHarness, type Harness } from '@factorkit/core/testing';
import { WebauthnProvider } from '@factorkit/provider-webauthn';
import {
  expressSession,
  requestInfoOf,
  requireSecondFactor,
  twoFactorMiddleware,
} from '../src/express/index.js';
import { SecondStep, createTwoFactorHandler, type SecondStepOutcome } from '../src/index.js';
import { httpClient } from './http-client.js';
import type { Client } from './rig.js';

export interface WebauthnRig {
  /** `http://localhost:<port>`: the only origin the provider accepts. */
  readonly origin: string;
  readonly harness: Harness;
  readonly signedIn: SecondStepOutcome[];
  readonly errors: unknown[];
  client(): Client;
  close(): Promise<void>;
}

export async function webauthnRig(): Promise<WebauthnRig> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://localhost:${(server.address() as AddressInfo).port}`;
  const clock = new FakeClock(Date.now());
  const harness = createHarness({
    providers: [WebauthnProvider],
    clock,
    settings: { webauthn: { rpId: 'localhost', rpName: 'factorkit pages', origins: [origin] } },
    policy: {
      audiences: { client: { force: true, notEnrolled: 'enroll' } },
      throttle: { maxFailures: 100, freeFailures: 100, permanentLockAfter: 100 },
    },
  });
  const steps = new SecondStep({ service: harness.service, now: () => clock.now() });
  const signedIn: SecondStepOutcome[] = [];
  const errors: unknown[] = [];
  const handler = createTwoFactorHandler({
    secondStep: steps,
    trustedProxies: ['loopback'],
    ipRateLimit: { points: 10_000 },
    pages: { afterSignIn: '/account', signOutUrl: '/logout' },
    onSignedIn: (o) => void signedIn.push(o),
    onError: (e) => errors.push(e),
  });
  const users = new Map<string, TwoFactorUser>();
  const app = express();
  app.use(session({ name: 'sid', secret: randomUUID(), resave: false, saveUninitialized: false }));
  app.post('/login', express.json(), (req, res, next) => {
    const user = users.get(String((req.body as { userId?: unknown }).userId));
    if (user === undefined) return void res.status(401).json({ error: 'unknown' });
    steps
      .beginSecondStep(expressSession(req), user, requestInfoOf(handler, req))
      .then((started) => res.json(started))
      .catch(next);
  });
  // A blank page of the origin, where a test registers a key through core (see enrolledKey).
  app.get('/blank', (_req, res) => res.type('html').send('<!doctype html><title>blank</title>'));
  app.use(twoFactorMiddleware(handler));
  app.use(requireSecondFactor(steps, { allow: (req) => req.path === '/logout' }));
  app.get('/account', (_req, res) => res.json({ ok: true }));
  server.on('request', app);
  return {
    origin,
    harness,
    signedIn,
    errors,
    client: () => httpClient(origin, 'sid', users),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
