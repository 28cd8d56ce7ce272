/** The attacks, each named by the SECURITY.md requirement it proves, on any rig. */
import { expect, it } from 'vitest';
import { appFor, chunkedBody, enrolledUser, testUser } from './rig.js';
import {
  enrollPrompt,
  errorOf,
  pendingWithChallenge,
  type ErrorJson,
  type OpenRig,
} from './suite-kit.js';

export function attackChecks(open: OpenRig): void {
  it('FL-01: a password-only session reaches no protected route, only the 2FA routes', async () => {
    const r = await open();
    const e = await enrolledUser(r);
    const c = r.client();
    await c.login(e.user);
    expect((await c.account()).status).toBe(401);
    expect((await c.get('/2fa/requirement')).status).toBe(200);
    const stranger = r.client();
    expect((await stranger.account()).status).toBe(401);
  });

  it('FL-02: the second step cannot be skipped by answering without a challenge or without a session', async () => {
    const r = await open();
    const e = await enrolledUser(r);
    const c = r.client();
    await c.login(e.user);
    const skipped = await c.post('/2fa/challenge/answer', { code: e.code() });
    expect(skipped.status).toBe(409);
    expect((await errorOf(skipped)).code).toBe('CHALLENGE_NOT_FOUND');
    expect((await c.account()).status).toBe(401);
    const nobody = r.client();
    const res = await nobody.post('/2fa/challenge/answer', { code: e.code() }, { csrf: null });
    expect(res.status).toBe(401);
    expect((await errorOf(res)).code).toBe('NO_SECOND_STEP');
    expect((await nobody.account()).status).toBe(401);
  });

  it('FL-04: skipTwoFactor, an amr, a userId in the body and a forged user header change nothing and are reported', async () => {
    const r = await open();
    const { user, code, c } = await pendingWithChallenge(r);
    const other = await enrolledUser(r);
    const forged = await c.post(
      '/2fa/challenge/answer',
      { code: '12345', skipTwoFactor: true, amr: ['otp', 'hwk'], userId: other.user.id },
      { headers: { 'x-user-id': other.user.id } },
    );
    expect(forged.status).toBeGreaterThanOrEqual(400);
    expect((await c.account()).status).toBe(401);
    expect(r.bypass.at(-1)?.fields).toEqual(['skipTwoFactor', 'amr', 'userId', 'x-user-id']);
    // Another user's recovery code with their id in the body: still this session's user.
    const theirs = await c.post('/2fa/recovery-code', {
      code: other.recoveryCodes[0],
      userId: other.user.id,
    });
    expect(theirs.status).toBe(401);
    expect((await c.account()).status).toBe(401);
    expect((await r.service.recoveryCodeStatus(other.user)).remaining).toBe(
      other.recoveryCodes.length,
    );
    const res = await c.post('/2fa/challenge/answer', {
      code: code(),
      userId: other.user.id,
      amr: ['hwk'],
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { outcome: { userId: string; amr: string[] } };
    expect(body.outcome.userId).toBe(user.id);
    expect(body.outcome.amr).toEqual(['otp']);
  });

  it('RP-01: the right code posted ten times at once signs the session in once', async () => {
    const r = await open();
    const { code, c } = await pendingWithChallenge(r);
    const csrf = ((await (await c.get('/2fa/csrf')).json()) as { csrfToken: string }).csrfToken;
    const answer = code();
    const results = await Promise.all(
      Array.from({ length: 10 }, () => c.post('/2fa/challenge/answer', { code: answer }, { csrf })),
    );
    const statuses = results.map((res) => res.status);
    expect(statuses.filter((st) => st === 200)).toHaveLength(1);
    expect(statuses.filter((st) => st !== 200).every((st) => st >= 400 && st < 500)).toBe(true);
    expect(r.signedIn).toHaveLength(1);
    // The losers may answer after the winner; the client keeps the winner's cookie.
    c.adopt(results.find((res) => res.status === 200)!);
    expect((await c.account()).status).toBe(200);
  });

  it('RP-06: the session id changes at the password and at the second factor; the old ones open nothing', async () => {
    const r = await open();
    const e = await enrolledUser(r);
    const c = r.client();
    await c.visit();
    const beforePassword = c.cookie();
    expect(beforePassword).toBeDefined();
    await c.login(e.user);
    const pendingId = c.cookie();
    expect(pendingId).not.toBe(beforePassword);
    expect((await c.post('/2fa/challenge', {})).status).toBe(201);
    expect((await c.post('/2fa/challenge/answer', { code: e.code() })).status).toBe(200);
    const signedIn = c.cookie();
    expect(signedIn).not.toBe(pendingId);
    expect((await c.account()).status).toBe(200);
    for (const old of [beforePassword, pendingId]) {
      const thief = r.client();
      thief.setCookie(old);
      expect((await thief.account()).status).toBe(401);
      const res = await thief.get('/2fa/requirement');
      expect(res.status).toBe(401);
      expect((await errorOf(res)).code).toBe('NO_SECOND_STEP');
    }
  });

  it("FL-12: a POST without a token, with a wrong one or with another session's is refused and does nothing", async () => {
    const r = await open();
    const e = await enrolledUser(r);
    const c = r.client();
    await c.login(e.user);
    const other = r.client();
    await other.login((await enrolledUser(r)).user);
    const othersToken = ((await (await other.get('/2fa/csrf')).json()) as { csrfToken: string })
      .csrfToken;
    for (const csrf of [null, '', 'forged-token', othersToken]) {
      const res = await c.post('/2fa/challenge', {}, { csrf });
      expect(res.status).toBe(403);
      expect((await errorOf(res)).code).toBe('CSRF_INVALID');
    }
    const res = await c.post('/2fa/challenge/answer', { code: e.code() });
    expect((await errorOf(res)).code).toBe('CHALLENGE_NOT_FOUND');
  });

  it('FL-12: GET /enroll starts an activation, so it needs the token too', async () => {
    const r = await open();
    const c = r.client();
    await c.login(testUser());
    const bare = await c.get('/2fa/enroll/totp');
    expect(bare.status).toBe(403);
    expect((await errorOf(bare)).code).toBe('CSRF_INVALID');
    // Nothing was started: the first prompt with the token is a new one (201, not 200).
    expect((await enrollPrompt(c)).status).toBe(201);
  });

  it("FL-05: another session cannot answer this session's challenge or activation", async () => {
    const r = await open();
    const a = await pendingWithChallenge(r);
    const b = await enrolledUser(r);
    const bc = r.client();
    await bc.login(b.user);
    const stolen = await bc.post('/2fa/challenge/answer', {
      code: a.code(),
      challengeId: 'anything',
    });
    expect((await errorOf(stolen)).code).toBe('CHALLENGE_NOT_FOUND');
    expect((await a.c.post('/2fa/challenge/answer', { code: a.code() })).status).toBe(200);

    const newcomer = r.client();
    await newcomer.login(testUser());
    const prompt = ((await (await enrollPrompt(newcomer)).json()) as { prompt: unknown }).prompt;
    const intruder = r.client();
    const intruderUser = testUser();
    await intruder.login(intruderUser);
    const code = appFor(prompt).generate({ timestamp: r.clock.now() });
    const res = await intruder.post('/2fa/enroll/answer', { code, activationId: 'anything' });
    expect((await errorOf(res)).code).toBe('CHALLENGE_NOT_FOUND');
    expect(await r.service.listEnrollments(intruderUser)).toEqual([]);
    expect((await newcomer.post('/2fa/enroll/answer', { code })).status).toBe(201);
  });

  it('BF-08: brute force through HTTP from one IP is cut off before core counts it', async () => {
    const r = await open({ ipRateLimit: { points: 8, durationSeconds: 60 } });
    const e = await enrolledUser(r);
    const foreign = (await enrolledUser(r)).recoveryCodes[0];
    const c = r.client();
    await c.login(e.user);
    const csrf = ((await (await c.get('/2fa/csrf')).json()) as { csrfToken: string }).csrfToken;
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++)
      statuses.push((await c.post('/2fa/recovery-code', { code: foreign }, { csrf })).status);
    expect(statuses.slice(0, 7)).toEqual(Array(7).fill(401));
    expect(statuses.slice(7)).toEqual([429, 429, 429]);
    expect((await r.service.throttleStatus(e.user)).failures).toBe(7);
    const limited = await c.post('/2fa/recovery-code', { code: e.recoveryCodes[0] }, { csrf });
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await errorOf(limited)).toMatchObject({ code: 'IP_RATE_LIMITED' });
    // The same session from another address is served: the count is per IP.
    const s = r.client();
    s.setCookie(c.cookie());
    expect((await s.get('/2fa/csrf')).status).toBe(200);
  });

  it('BF-01, BF-02: guesses from many IPs and fresh logins share one per-user budget; then the right code is refused', async () => {
    const r = await open({
      throttle: { maxFailures: 4, freeFailures: 4, permanentLockAfter: 100 },
    });
    const e = await enrolledUser(r);
    const foreign = (await enrolledUser(r)).recoveryCodes[0];
    const codes: string[] = [];
    for (let i = 0; i < 6; i++) {
      const c = r.client();
      await c.login(e.user);
      codes.push((await errorOf(await c.post('/2fa/recovery-code', { code: foreign }))).code);
    }
    expect(codes.slice(0, 4)).toEqual(Array(4).fill('INVALID_CODE'));
    expect(codes.slice(4).every((x) => x === 'LOCKED' || x === 'RATE_LIMITED')).toBe(true);
    const c = r.client();
    await c.login(e.user);
    const right = await c.post('/2fa/recovery-code', { code: e.recoveryCodes[0] });
    expect([423, 429]).toContain(right.status);
    expect((await errorOf(right)).retryAfter).toBeGreaterThan(0);
    expect((await c.account()).status).toBe(401);
  });

  it('LG-03: oversized, malformed and mistyped bodies get a clear 4xx and no stack trace', async () => {
    const r = await open({ bodyLimitBytes: 1024 });
    const e = await enrolledUser(r);
    const c = r.client();
    await c.login(e.user);
    const cases: [unknown, string | undefined, number, string][] = [
      [JSON.stringify({ code: 'x'.repeat(5000) }), undefined, 413, 'BODY_TOO_LARGE'],
      [JSON.stringify({ code: 'x'.repeat(2_000_000) }), undefined, 413, 'BODY_TOO_LARGE'],
      [chunkedBody(8, 64 * 1024), undefined, 413, 'BODY_TOO_LARGE'],
      ['{"code": ', undefined, 400, 'INVALID_JSON'],
      ['[1,2]', undefined, 400, 'INVALID_JSON'],
      [{ code: 123456 }, undefined, 400, 'INVALID_JSON'],
      ['code=123456', 'application/x-www-form-urlencoded', 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ];
    for (const [body, contentType, status, code] of cases) {
      const res = await c.post('/2fa/recovery-code', body, contentType ? { contentType } : {});
      const text = await res.text();
      expect(res.status, text).toBe(status);
      expect(text).not.toMatch(/\bat [\w.<>]+ \(|node:internal|\.ts:\d+/);
      const parsed = JSON.parse(text) as ErrorJson;
      expect(parsed.error.code).toBe(code);
      expect(parsed.error.message.length).toBeGreaterThan(5);
      expect(parsed.error.requestId).toBe(res.headers.get('x-request-id'));
    }
  });

  it('LG-03: an unexpected failure shows a generic message and reaches onError whole', async () => {
    const r = await open();
    r.service.health = () => Promise.reject(new Error('db password is hunter2'));
    const res = await r.client().get('/2fa/health');
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).not.toContain('hunter2');
    expect(JSON.parse(text)).toMatchObject({ error: { code: 'INTERNAL_ERROR' } });
    expect(String(r.errors[0])).toContain('hunter2');
  });

  it('LG-03: a host hook that throws after the second factor leaves the session signed out', async () => {
    const r = await open({ failSignedIn: true });
    const { code, c } = await pendingWithChallenge(r);
    const res = await c.post('/2fa/challenge/answer', { code: code() });
    expect(res.status).toBe(500);
    expect((await errorOf(res)).code).toBe('INTERNAL_ERROR');
    expect(String(r.errors[0])).toContain('host session store is down');
    c.adopt(res);
    expect((await c.account()).status).toBe(401);
    expect((await c.get('/2fa/requirement')).status).toBe(401);
  });

  it('BF-07: a wrong recovery code looks the same whether or not the user has any recovery code', async () => {
    const r = await open();
    const withCodes = await enrolledUser(r);
    const withoutCodes = await enrolledUser(r);
    const foreign = (await enrolledUser(r)).recoveryCodes[0];
    await r.service.useRecoveryCode(withoutCodes.user, withoutCodes.recoveryCodes[0]);
    for (const spent of withoutCodes.recoveryCodes.slice(1))
      await r.service.useRecoveryCode(withoutCodes.user, spent);
    const answers = [];
    for (const user of [withCodes.user, withoutCodes.user]) {
      const c = r.client();
      await c.login(user);
      const res = await c.post('/2fa/recovery-code', { code: foreign });
      const { requestId: _id, ...rest } = await errorOf(res);
      answers.push({ status: res.status, rest });
    }
    expect(answers[0]!.status).toBe(401);
    expect(answers[1]).toEqual(answers[0]);
  });
}
