/** The routes doing their job, on any rig. */
import { expect, it } from 'vitest';
import { SECURITY_HEADERS } from '../src/index.js';
import { appFor, enrolledUser, testUser, tokenOf } from './rig.js';
import { enrollPrompt, errorOf, pendingWithChallenge, type OpenRig } from './suite-kit.js';

export function routeChecks(open: OpenRig): void {
  it('GET /requirement tells the pending session to answer a challenge, with a CSRF token', async () => {
    const r = await open();
    const e = await enrolledUser(r);
    const c = r.client();
    await c.login(e.user);
    const res = await c.get('/2fa/requirement');
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      phase: string;
      requirement: { action: string; factors: { providerId: string }[] };
      csrfToken: string;
    };
    expect(body.phase).toBe('pending');
    expect(body.requirement.action).toBe('challenge');
    expect(body.requirement.factors.map((f) => f.providerId)).toEqual(['totp']);
    expect(body.csrfToken.length).toBeGreaterThan(10);
  });

  it('a challenge answered with the right code signs the session in and tells the host', async () => {
    const r = await open();
    const { user, code, c } = await pendingWithChallenge(r);
    expect((await c.account()).status).toBe(401);
    const pendingToken = await tokenOf(c);
    const res = await c.post('/2fa/challenge/answer', { code: code() }, { csrf: pendingToken });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      ok: boolean;
      outcome: Record<string, unknown>;
      csrfToken: string;
    };
    // A new CSRF secret comes with the new session id: the pending one's token is dead.
    expect(body.csrfToken).not.toBe(pendingToken);
    expect((await c.post('/2fa/challenge', {}, { csrf: pendingToken })).status).toBe(403);
    expect((await c.post('/2fa/challenge', {}, { csrf: body.csrfToken })).status).toBe(409);
    expect(body.ok).toBe(true);
    expect(body.outcome).toMatchObject({
      userId: user.id,
      providerId: 'totp',
      method: 'totp',
      amr: ['otp'],
    });
    expect(body.outcome.at).toBe(r.clock.now());
    expect(r.signedIn.map((o) => o.userId)).toEqual([user.id]);
    expect((await c.account()).status).toBe(200);
  });

  it('an answer is "code" or a "credential" object, never both, and a credential reaches the provider', async () => {
    const r = await open();
    const { code, c } = await pendingWithChallenge(r);
    const both = await c.post('/2fa/challenge/answer', { code: code(), credential: { id: 'x' } });
    expect(both.status).toBe(400);
    expect((await errorOf(both)).message).toMatch(/either "code" or "credential"/);
    for (const credential of ['a string', ['an', 'array'], null]) {
      const bad = await c.post('/2fa/challenge/answer', { credential });
      expect(bad.status).toBe(400);
    }
    // TOTP takes only a code: the object reaches it and is a wrong-format answer, not a 500.
    const wrong = await c.post('/2fa/challenge/answer', { credential: { id: 'x' } });
    expect(wrong.status).toBe(400);
    expect((await errorOf(wrong)).code).toBe('INVALID_FORMAT');
    expect((await c.account()).status).toBe(401);
  });

  it('POST /challenge picks the enrollment named by enrollmentId', async () => {
    const r = await open();
    const e = await enrolledUser(r);
    const c = r.client();
    await c.login(e.user);
    const req = await r.service.requirement(e.user);
    if (req.action !== 'challenge') throw new Error('expected a challenge');
    const id = req.factors[0]!.enrollmentId;
    const res = await c.post('/2fa/challenge', { enrollmentId: id });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ enrollmentId: id, providerId: 'totp' });
    const unknown = await c.post('/2fa/challenge', { enrollmentId: 'not-mine' });
    expect(unknown.status).toBeGreaterThanOrEqual(400);
  });

  it('a recovery code signs in and reports what is left', async () => {
    const r = await open();
    const e = await enrolledUser(r);
    const c = r.client();
    await c.login(e.user);
    const res = await c.post('/2fa/recovery-code', { code: e.recoveryCodes[0] });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      outcome: { method: string };
      recoveryCodesRemaining: number;
    };
    expect(body.outcome.method).toBe('recovery-code');
    expect(body.recoveryCodesRemaining).toBe(e.recoveryCodes.length - 1);
    expect((await c.account()).status).toBe(200);
  });

  it('TOTP enrollment keeps one QR code across a wrong code, then needs a fresh sign-in code', async () => {
    const r = await open();
    const user = testUser();
    const c = r.client();
    const started = await c.login(user);
    expect(started.requirement.action).toBe('enroll');
    const first = await enrollPrompt(c);
    expect(first.status).toBe(201);
    const prompt = ((await first.json()) as { prompt: { kind: string; otpauthUri: string } })
      .prompt;
    expect(prompt.kind).toBe('qr-enrollment');
    const right = appFor(prompt).generate({ timestamp: r.clock.now() });
    const wrong = await c.post('/2fa/enroll/answer', {
      code: right === '000000' ? '111111' : '000000',
    });
    expect(wrong.status).toBe(401);
    expect((await errorOf(wrong)).code).toBe('INVALID_CODE');
    const again = await enrollPrompt(c);
    expect(again.status).toBe(200);
    expect(((await again.json()) as { prompt: { otpauthUri: string } }).prompt.otpauthUri).toBe(
      prompt.otpauthUri,
    );
    const app = appFor(prompt);
    const done = await c.post('/2fa/enroll/answer', {
      code: app.generate({ timestamp: r.clock.now() }),
      label: 'Phone',
    });
    expect(done.status).toBe(201);
    const body = (await done.json()) as {
      label: string;
      recoveryCodes: string[];
      next: { action: string };
    };
    expect(body.label).toBe('Phone');
    expect(body.recoveryCodes.length).toBeGreaterThan(0);
    expect(body.next.action).toBe('challenge');
    expect((await c.account()).status).toBe(401);
    r.clock.advance(30_000);
    expect((await c.post('/2fa/challenge', {})).status).toBe(201);
    const res = await c.post('/2fa/challenge/answer', {
      code: app.generate({ timestamp: r.clock.now() }),
    });
    expect(res.status).toBe(200);
    expect((await c.account()).status).toBe(200);
  });

  it('FL-06: a pending session of an enrolled user cannot add a factor', async () => {
    const r = await open();
    const e = await enrolledUser(r);
    const c = r.client();
    await c.login(e.user);
    const res = await enrollPrompt(c);
    expect(res.status).toBe(403);
    expect((await errorOf(res)).code).toBe('ENROLLMENT_NOT_OFFERED');
    expect((await r.service.listEnrollments(e.user)).length).toBe(1);
  });

  it('GET /health reports each provider with no detail', async () => {
    const r = await open();
    const res = await r.client().get('/2fa/health');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, providers: { totp: { healthy: true } } });
  });

  it('SS-05: every response carries no-store and the secure headers, errors and 404s included', async () => {
    const r = await open();
    const c = r.client();
    for (const res of [
      await c.get('/2fa/health'),
      await c.get('/2fa/requirement'),
      await c.get('/2fa/nothing-here'),
    ]) {
      for (const [name, value] of Object.entries(SECURITY_HEADERS))
        expect(res.headers.get(name)).toBe(value);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
}
