/** What only the Express adapter does: a host body parser in front, the guard's allow list. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import session from 'express-session';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock, createHarness, testUser } from '@factorkit/core/testing';
import { TotpProvider } from '@factorkit/provider-totp';
import { SecondStep, createTwoFactorHandler } from '../src/index.js';
import { expressSession, requireSecondFactor, twoFactorMiddleware } from '../src/express/index.js';
import { appFor } from './rig.js';

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => {
    if (!server) return resolve();
    server.close(() => resolve());
    server.closeAllConnections();
  });
  server = undefined;
});

async function start(globalJson: boolean) {
  const clock = new FakeClock(Date.now());
  const { service } = createHarness({
    providers: [TotpProvider],
    clock,
    policy: { audiences: { client: { force: true, notEnrolled: 'enroll' } } },
  });
  const steps = new SecondStep({ service, now: () => clock.now() });
  const user = testUser();
  const app = express();
  if (globalJson) app.use(express.json());
  app.use(session({ name: 'sid', secret: 'test-secret', resave: false, saveUninitialized: false }));
  app.post('/login', (req, res, next) => {
    steps
      .beginSecondStep(expressSession(req), user)
      .then((s) => res.json(s))
      .catch(next);
  });
  app.use(twoFactorMiddleware(createTwoFactorHandler({ secondStep: steps, ipRateLimit: false })));
  app.use(requireSecondFactor(steps, { allow: (req) => req.path === '/public' }));
  app.get('/public', (_req, res) => res.json({ public: true }));
  app.get('/account', (_req, res) => res.json({ ok: true }));
  server = createServer(app);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let cookie = '';
  const send = async (path: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    if (cookie) headers.set('cookie', cookie);
    const r = await fetch(origin + path, { ...init, headers });
    const set = r.headers.getSetCookie()[0];
    if (set) cookie = set.split(';')[0]!;
    return r;
  };
  return { clock, send, cookie: () => cookie, setCookie: (c: string) => (cookie = c) };
}

describe('the Express adapter', () => {
  it.each([false, true])(
    'enrolls over HTTP with a host JSON parser in front: %s',
    async (globalJson) => {
      const { clock, send } = await start(globalJson);
      await send('/login', { method: 'POST' });
      const { csrfToken } = (await (await send('/2fa/csrf')).json()) as { csrfToken: string };
      const prompt = (
        (await (
          await send('/2fa/enroll/totp', { headers: { 'x-csrf-token': csrfToken } })
        ).json()) as { prompt: unknown }
      ).prompt;
      const res = await send('/2fa/enroll/answer', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': csrfToken },
        body: JSON.stringify({ code: appFor(prompt).generate({ timestamp: clock.now() }) }),
      });
      expect(res.status).toBe(201);
    },
  );

  it('LG-03: a chunked body with no length, past the limit, gets a 413 and not a reset', async () => {
    const { send } = await start(false);
    await send('/login', { method: 'POST' });
    const { csrfToken } = (await (await send('/2fa/csrf')).json()) as { csrfToken: string };
    const chunk = new TextEncoder().encode('x'.repeat(64 * 1024));
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 8) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const init: RequestInit & { duplex: 'half' } = {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': csrfToken },
      body,
      duplex: 'half',
    };
    const res = await send('/2fa/recovery-code', init);
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: { code: 'BODY_TOO_LARGE' } });
  });

  it('FL-01: the guard refuses a pending session with a JSON 401 and lets allow-listed paths through', async () => {
    const { send } = await start(false);
    await send('/login', { method: 'POST' });
    const refused = await send('/account');
    expect(refused.status).toBe(401);
    expect(refused.headers.get('cache-control')).toBe('no-store');
    expect(await refused.json()).toMatchObject({ error: { code: 'SECOND_FACTOR_REQUIRED' } });
    expect((await send('/public')).status).toBe(200);
  });

  it('FL-04: an mfa_verified cookie beside the pending session cookie changes nothing', async () => {
    const { send, cookie, setCookie } = await start(false);
    await send('/login', { method: 'POST' });
    const sid = cookie();
    expect(sid).toMatch(/^sid=/);
    // The session itself is live: the 2FA routes know it.
    expect((await send('/2fa/requirement')).status).toBe(200);
    setCookie(`${sid}; mfa_verified=1; amr=otp; skipTwoFactor=true`);
    expect((await send('/account')).status).toBe(401);
    expect((await send('/2fa/requirement')).status).toBe(200);
  });
});
