// Legacy Duo Auth API v2 through core's TwoFactorService against the emulator over real HTTPS.
// Requirements (docs/SECURITY.md): DA-02 (see failmode.test.ts), DA-03, DA-04, DA-05, DA-06, DA-07,
// RP-04, BF-05, OUT-04.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { TwoFactorUser } from '@factorkit/core';
import { Agent, fetch } from 'undici';
import type { OutgoingRequest } from '../src/index.js';
import {
  codeOf,
  duoHarness,
  duoUser,
  enrollLegacy,
  legacySettings,
  pollUntilDone,
  startEmulator,
  type DuoHarness,
} from './support/duo-test-kit.js';

const emu = await startEmulator({
  users: [
    { username: 'alice', devices: [{ name: 'iPhone' }], pushAnswer: 'approve' },
    { username: 'dave', devices: [{ name: 'Pixel' }] }, // answers manually (tests answer for him)
    { username: 'erin', devices: [{ name: 'Pixel' }], pushAnswer: 'deny' },
    { username: 'frank', devices: [{ name: 'Pixel' }], pushAnswer: 'timeout' },
    { username: 'paula', passcodes: ['111111', '222222', '333333', '444444', '555555'] },
    {
      username: 'sam',
      devices: [{ name: 'Nokia', number: '+15551234567', sms: true, phone: true, push: false }],
      pushAnswer: 'approve',
    },
    { username: 'bypass-ben', status: 'bypass', devices: [{ name: 'Pixel' }] },
    { username: 'locked-lou', devices: [{ name: 'Pixel' }], pushAnswer: 'approve' },
    { username: 'disabled-dan', status: 'disabled', devices: [{ name: 'Pixel' }] },
  ],
});
afterAll(() => emu.stop());
afterEach(async () => {
  await emu.faults.reset();
});

const calls = (path: string, user?: string) => emu.counters.count(path, user);

function harness(extra: Record<string, unknown> = {}, policy?: Record<string, unknown>) {
  return duoHarness(legacySettings(emu, extra), policy ? { policy } : {});
}

async function enrolled(
  name: string,
  extra: Record<string, unknown> = {},
  policy?: Record<string, unknown>,
) {
  const h = harness(extra, policy);
  const user = duoUser(name);
  if (extra['factor'] === 'passcode') {
    const started = await h.service.beginActivation(user, 'duo');
    expect(started.prompt.kind).toBe('code-entry');
    const code = emu.users.require(name).passcodes[0]!;
    expect((await h.service.completeActivation(started.activationId, user, code)).ok).toBe(true);
  } else {
    // A manual user is approved by the test once the push is pending.
    const started = await h.service.beginActivation(user, 'duo');
    expect(started.prompt.kind).toBe('push-wait');
    for (const tx of emu.pushes.pending())
      if (tx.username === name) emu.pushes.answer(tx.txid, 'approve');
    const done = await pollUntilDone(() =>
      h.service.completeActivation(started.activationId, user, { poll: true }),
    );
    expect(done.ok).toBe(true);
  }
  return { h, user };
}

const poll = (h: DuoHarness, id: string, user: TwoFactorUser, input: unknown = { poll: true }) =>
  h.service.completeChallenge(id, user, input);

describe('legacy push (DA-05, RP-04)', () => {
  it('push approve: push-wait prompt, WAITING while Duo waits (not counted), then success (method duo-push)', async () => {
    const { h, user } = await enrolled('dave', { factor: 'push' });
    const ch = await h.service.beginChallenge(user, 'duo');
    expect(ch.prompt).toMatchObject({ kind: 'push-wait', pollIntervalMs: 250 });
    expect(await poll(h, ch.challengeId, user)).toMatchObject({ ok: false, waiting: true });
    expect(await poll(h, ch.challengeId, user)).toMatchObject({ ok: false, waiting: true });
    expect((await h.service.throttleStatus(user)).failures).toBe(0);
    const [tx] = emu.pushes.pending().filter((t) => t.username === 'dave');
    emu.pushes.answer(tx!.txid, 'approve');
    const ok = await pollUntilDone(() => poll(h, ch.challengeId, user));
    expect(ok).toMatchObject({ ok: true, method: 'duo-push', amr: ['mca'] }); // AS-05
  });

  it('push deny: PROVIDER_DENIED, counted', async () => {
    const { h, user } = await enrolled('dave', { factor: 'push' });
    emu.users.update('dave', { pushAnswer: 'deny' });
    try {
      const ch = await h.service.beginChallenge(user, 'duo');
      expect(await codeOf(pollUntilDone(() => poll(h, ch.challengeId, user)))).toBe(
        'PROVIDER_DENIED',
      );
      expect((await h.service.throttleStatus(user)).failures).toBe(1);
    } finally {
      emu.users.update('dave', { pushAnswer: undefined });
    }
  });

  it('push timeout at Duo: CHALLENGE_EXPIRED, not counted', async () => {
    const { h, user } = await enrolled('dave', { factor: 'push' });
    emu.users.update('dave', { pushAnswer: 'timeout' });
    try {
      const ch = await h.service.beginChallenge(user, 'duo');
      expect(await codeOf(pollUntilDone(() => poll(h, ch.challengeId, user)))).toBe(
        'CHALLENGE_EXPIRED',
      );
      expect((await h.service.throttleStatus(user)).failures).toBe(0);
    } finally {
      emu.users.update('dave', { pushAnswer: undefined });
    }
  });

  it('DA-05 a push still waiting past our deadline (fake clock, no sleep): CHALLENGE_EXPIRED; the user can also cancel', async () => {
    const { h, user } = await enrolled('dave', { factor: 'push', pushDeadlineSeconds: 60 });
    const ch = await h.service.beginChallenge(user, 'duo');
    expect(await poll(h, ch.challengeId, user)).toMatchObject({ waiting: true });
    h.clock.advance(61_000);
    expect(await codeOf(poll(h, ch.challengeId, user))).toBe('CHALLENGE_EXPIRED');
    // Our deadline does not end the push at Duo, so no second one yet (every way of abandoning
    // a push is in legacy-push-slot.test.ts). Once Duo has ended it, a new push can start.
    expect(await codeOf(h.service.beginChallenge(user, 'duo'))).toBe('PUSH_RATE_LIMITED');
    for (const tx of emu.pushes.pending())
      if (tx.username === 'dave') emu.pushes.answer(tx.txid, 'timeout');
    h.clock.advance(120_000);
    const again = await h.service.beginChallenge(user, 'duo');
    // Cancel: the challenge ends at once for the user.
    expect(await codeOf(poll(h, again.challengeId, user, { cancel: true }))).toBe(
      'CHALLENGE_EXPIRED',
    );
    for (const tx of emu.pushes.pending()) emu.pushes.answer(tx.txid, 'deny');
  });

  it('RP-04 a txid is bound to its challenge: a finished challenge cannot be replayed, and a txid in input is ignored', async () => {
    const { h, user: alice } = await enrolled('alice', { factor: 'push' });
    const dave = duoUser('dave');
    const act = await h.service.beginActivation(dave, 'duo');
    for (const tx of emu.pushes.pending())
      if (tx.username === 'dave') emu.pushes.answer(tx.txid, 'approve');
    expect(
      (
        await pollUntilDone(() =>
          h.service.completeActivation(act.activationId, dave, { poll: true }),
        )
      ).ok,
    ).toBe(true);
    const hd = h; // same deployment
    const ch = await h.service.beginChallenge(alice, 'duo');
    expect((await pollUntilDone(() => poll(h, ch.challengeId, alice))).ok).toBe(true);
    // (a) the same login finished: its id is gone.
    expect(await codeOf(poll(h, ch.challengeId, alice))).toBe('CHALLENGE_NOT_FOUND');
    // (b) another user's login cannot use Alice's allowed txid, even by naming it.
    const allowedTx = emu.counters.count('/auth/v2/auth_status', 'alice');
    expect(allowedTx).toBeGreaterThan(0);
    const dch = await hd.service.beginChallenge(dave, 'duo');
    const txids = emu.pushes
      .pending()
      .filter((t) => t.username === 'alice')
      .map((t) => t.txid);
    expect(txids).toEqual([]);
    const r = await poll(hd, dch.challengeId, dave, { poll: true, txid: 'anything-else' });
    expect(r).toMatchObject({ ok: false, waiting: true });
    // (c) after the pending lifetime (at most 10 min) the challenge is expired.
    h.clock.advance(h.config.policy.pending.ttlSeconds * 1000 + 1);
    expect(await codeOf(poll(hd, dch.challengeId, dave))).toBe('CHALLENGE_EXPIRED');
    for (const tx of emu.pushes.pending()) emu.pushes.answer(tx.txid, 'deny');
  });
});

describe('legacy push bombing (BF-05, NIST SP 800-63B-4 §3.1.3.2)', () => {
  it('BF-05 20 push requests in a row: at most one outstanding, at most 3 since the last success', async () => {
    const { h, user } = await enrolled('dave', { factor: 'push', pushLimit: 3 });
    const before = calls('/auth/v2/auth', 'dave');
    let started = 0;
    let limited = 0;
    for (let i = 0; i < 20; i++) {
      try {
        const ch = await h.service.beginChallenge(user, 'duo');
        started++;
        // The user ignores it... then Duo says it timed out: the outstanding slot is freed.
        const [tx] = emu.pushes.pending().filter((t) => t.username === 'dave');
        emu.pushes.answer(tx!.txid, 'timeout');
        await codeOf(pollUntilDone(() => poll(h, ch.challengeId, user)));
      } catch (err) {
        expect((err as { code: string }).code).toBe('PUSH_RATE_LIMITED');
        limited++;
      }
    }
    expect(started).toBe(3);
    expect(limited).toBe(17);
    expect(calls('/auth/v2/auth', 'dave') - before).toBe(3);
  });

  it('BF-05 a second push while one is waiting: PUSH_RATE_LIMITED, no second /auth call', async () => {
    const { h, user } = await enrolled('dave', { factor: 'push' });
    const before = calls('/auth/v2/auth', 'dave');
    const first = await h.service.beginChallenge(user, 'duo');
    expect(await codeOf(h.service.beginChallenge(user, 'duo'))).toBe('PUSH_RATE_LIMITED');
    expect(calls('/auth/v2/auth', 'dave') - before).toBe(1);
    const [tx] = emu.pushes.pending().filter((t) => t.username === 'dave');
    emu.pushes.answer(tx!.txid, 'approve');
    expect((await pollUntilDone(() => poll(h, first.challengeId, user))).ok).toBe(true);
    // A success releases both limits.
    const next = await h.service.beginChallenge(user, 'duo');
    expect(next.prompt.kind).toBe('push-wait');
    for (const t of emu.pushes.pending()) emu.pushes.answer(t.txid, 'deny');
  });
});

describe('legacy passcode, SMS and phone (DA-07)', () => {
  it('passcode right: success (method duo-passcode); the same passcode again is refused', async () => {
    const { h, user } = await enrolled('paula', { factor: 'passcode' });
    const ch = await h.service.beginChallenge(user, 'duo');
    expect(ch.prompt.kind).toBe('code-entry');
    const code = emu.users.require('paula').passcodes[0]!;
    expect(await h.service.completeChallenge(ch.challengeId, user, code)).toMatchObject({
      ok: true,
      method: 'duo-passcode',
      amr: ['otp'], // AS-05
    });
    const again = await h.service.beginChallenge(user, 'duo');
    expect(await codeOf(h.service.completeChallenge(again.challengeId, user, code))).toBe(
      'INVALID_CODE',
    );
  });

  it('passcode wrong: INVALID_CODE, counted; malformed input: INVALID_FORMAT without calling Duo', async () => {
    const { h, user } = await enrolled('paula', { factor: 'passcode' });
    const ch = await h.service.beginChallenge(user, 'duo');
    expect(await codeOf(h.service.completeChallenge(ch.challengeId, user, '999999'))).toBe(
      'INVALID_CODE',
    );
    expect((await h.service.throttleStatus(user)).failures).toBe(1);
    const before = calls('/auth/v2/auth', 'paula');
    const ch2 = await h.service.beginChallenge(user, 'duo');
    expect(await codeOf(h.service.completeChallenge(ch2.challengeId, user, '12ab'))).toBe(
      'INVALID_FORMAT',
    );
    expect(calls('/auth/v2/auth', 'paula')).toBe(before);
  });

  it('DA-07 a locked user never reaches Duo: LOCKED, no preauth and no /auth call', async () => {
    const { h, user } = await enrolled(
      'paula',
      { factor: 'passcode' },
      { throttle: { maxFailures: 2, freeFailures: 2, permanentLockAfter: 100 } },
    );
    for (let i = 0; i < 2; i++) {
      const ch = await h.service.beginChallenge(user, 'duo');
      await codeOf(h.service.completeChallenge(ch.challengeId, user, '000000'));
    }
    const pre = calls('/auth/v2/preauth', 'paula');
    const auth = calls('/auth/v2/auth', 'paula');
    expect(await codeOf(h.service.beginChallenge(user, 'duo'))).toBe('LOCKED');
    expect(calls('/auth/v2/preauth', 'paula')).toBe(pre);
    expect(calls('/auth/v2/auth', 'paula')).toBe(auth);
  });

  it('sms: Duo sends passcodes, the user types one (method duo-sms)', async () => {
    const h = harness({ factor: 'sms' });
    const user = duoUser('sam');
    const started = await h.service.beginActivation(user, 'duo');
    expect(started.prompt.kind).toBe('code-entry');
    const sent = emu.users.require('sam').smsPasscodes;
    expect(sent.length).toBeGreaterThan(0);
    expect((await h.service.completeActivation(started.activationId, user, sent[0]!)).ok).toBe(
      true,
    );
    const ch = await h.service.beginChallenge(user, 'duo');
    const code = emu.users.require('sam').smsPasscodes[0]!;
    expect(await h.service.completeChallenge(ch.challengeId, user, code)).toMatchObject({
      ok: true,
      method: 'duo-sms',
      amr: ['sms'], // AS-05
    });
  });

  it('BF-05: SMS sends are capped per user like pushes (no SMS bombing, no toll fraud)', async () => {
    const h = harness({ factor: 'sms', pushLimit: 2 });
    const user = duoUser('sam');
    const started = await h.service.beginActivation(user, 'duo');
    const first = emu.users.require('sam').smsPasscodes[0]!;
    expect((await h.service.completeActivation(started.activationId, user, first)).ok).toBe(true);
    const before = calls('/auth/v2/auth', 'sam');
    await h.service.beginChallenge(user, 'duo');
    await h.service.beginChallenge(user, 'duo');
    expect(await codeOf(h.service.beginChallenge(user, 'duo'))).toBe('PUSH_RATE_LIMITED');
    expect(calls('/auth/v2/auth', 'sam') - before).toBe(2);
  });

  it('phone: Duo calls, the answer is polled (method duo-phone)', async () => {
    const h = harness({ factor: 'phone' });
    const user = duoUser('sam');
    expect(
      (
        await pollUntilDone(async () => {
          const s = await h.service.beginActivation(user, 'duo');
          return pollUntilDone(() =>
            h.service.completeActivation(s.activationId, user, { poll: true }),
          );
        })
      ).ok,
    ).toBe(true);
    const ch = await h.service.beginChallenge(user, 'duo');
    expect(await pollUntilDone(() => poll(h, ch.challengeId, user))).toMatchObject({
      ok: true,
      method: 'duo-phone',
      amr: ['tel'], // AS-05
    });
  });

  it('push to a user whose only device cannot push: PROVIDER_DENIED (no capable device)', async () => {
    const h = harness({ factor: 'push' });
    expect(await codeOf(h.service.beginActivation(duoUser('paula'), 'duo'))).toBe(
      'PROVIDER_DENIED',
    );
  });
});

describe('legacy preauth results (DA-03)', () => {
  it("DA-03 enroll: an unenrolled user gets Duo's portal URL, enrolls there, then completes activation", async () => {
    await emu.faults.set({ pushAnswer: 'approve' });
    const h = harness({ factor: 'push' });
    const user = duoUser('new-nina');
    const started = await h.service.beginActivation(user, 'duo');
    expect(started.prompt.kind).toBe('external-enrollment');
    const url = (started.prompt as { url: string }).url;
    expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/frame\/portal\/v4\/enroll\?code=/);
    // Not enrolled yet: still waiting.
    expect(
      await h.service.completeActivation(started.activationId, user, { poll: true }),
    ).toMatchObject({ waiting: true });
    // The user adds a device at Duo's portal (here: the emulator's portal, over HTTPS).
    const res = await fetch(url, {
      method: 'POST',
      dispatcher: new Agent({ connect: { ca: emu.caPem } }),
    });
    expect(res.status).toBe(200);
    await res.body?.cancel();
    const done = await pollUntilDone(() =>
      h.service.completeActivation(started.activationId, user, { poll: true }),
    );
    expect(done.ok).toBe(true);
    expect((await h.service.listEnrollments(user))[0]?.providerId).toBe('duo');
  });

  it('DA-03 enroll at sign-in (the Duo user was deleted): PROVIDER_DENIED carrying the portal URL for this user only', async () => {
    const { h, user } = await enrolled('alice', { factor: 'push' });
    emu.users.delete('alice');
    try {
      let err: { code?: string; details?: Record<string, unknown> } = {};
      try {
        await h.service.beginChallenge(user, 'duo');
      } catch (e) {
        err = e as typeof err;
      }
      expect(err.code).toBe('PROVIDER_DENIED');
      expect(String(err.details?.['enrollPortalUrl'])).toMatch(
        /\/frame\/portal\/v4\/enroll\?code=/,
      );
    } finally {
      emu.users.restore('alice');
    }
  });

  it('DA-03 allow (a Duo bypass user) is denied by default (acceptBypass: false)', async () => {
    const h = harness({ factor: 'push' });
    const before = calls('/auth/v2/auth', 'bypass-ben');
    expect(await codeOf(h.service.beginActivation(duoUser('bypass-ben'), 'duo'))).toBe(
      'PROVIDER_DENIED',
    );
    expect(calls('/auth/v2/auth', 'bypass-ben')).toBe(before);
  });

  it('DA-03 allow with acceptBypass: true signs in, recorded as method duo-bypass', async () => {
    const h = harness({ factor: 'push', acceptBypass: true });
    const user = duoUser('bypass-ben');
    // A bypass account can never be linked (activation proves nothing), acceptBypass or not.
    expect(await codeOf(h.service.beginActivation(user, 'duo'))).toBe('PROVIDER_DENIED');
    // Linked while active, later put in bypass at Duo: accepted, and recorded as a bypass.
    emu.users.update('bypass-ben', { status: 'active', pushAnswer: 'approve' });
    const s = await h.service.beginActivation(user, 'duo');
    expect(
      (
        await pollUntilDone(() =>
          h.service.completeActivation(s.activationId, user, { poll: true }),
        )
      ).ok,
    ).toBe(true);
    emu.users.update('bypass-ben', { status: 'bypass' });
    const ch = await h.service.beginChallenge(user, 'duo');
    expect(await poll(h, ch.challengeId, user)).toMatchObject({ ok: true, method: 'duo-bypass' });
    expect(h.audit.ofType('verified').at(-1)).toMatchObject({ method: 'duo-bypass' });
  });

  it('DA-03 deny: a locked-out and a disabled Duo user are denied at preauth, before any push', async () => {
    const { h, user } = await enrolled('locked-lou', { factor: 'push' });
    emu.users.update('locked-lou', { status: 'locked_out' });
    const before = calls('/auth/v2/auth', 'locked-lou');
    expect(await codeOf(h.service.beginChallenge(user, 'duo'))).toBe('PROVIDER_DENIED');
    expect(calls('/auth/v2/auth', 'locked-lou')).toBe(before);
    expect(await codeOf(h.service.beginActivation(duoUser('disabled-dan'), 'duo'))).toBe(
      'PROVIDER_DENIED',
    );
  });
});

describe('legacy request parameters (DA-06)', () => {
  it('DA-06 preauth always sends client_supports_verified_push=1 and the client IP from the trusted attribute only', async () => {
    const h = harness({ factor: 'push' });
    const seen: OutgoingRequest[] = [];
    h.provider.onOutgoingRequest = (r) => seen.push(r);
    const user = duoUser('alice', { attributes: { ip: '203.0.113.7' } });
    await enrollLegacy(h, user);
    const pre = seen.find((r) => r.path === '/auth/v2/preauth')!;
    expect(pre.params).toMatchObject({
      username: 'alice',
      client_supports_verified_push: '1',
      ipaddr: '203.0.113.7',
    });
    const auth = seen.find((r) => r.path === '/auth/v2/auth')!;
    expect(auth.params).toMatchObject({ factor: 'push', async: '1', ipaddr: '203.0.113.7' });
    // A forwarded-for list (spoofable) is not an IP address: it is never sent.
    seen.length = 0;
    const h2 = harness({ factor: 'push' });
    h2.provider.onOutgoingRequest = (r) => seen.push(r);
    await enrollLegacy(h2, duoUser('alice', { attributes: { ip: '1.2.3.4, 203.0.113.7' } }));
    expect(seen.find((r) => r.path === '/auth/v2/preauth')!.params['ipaddr']).toBeUndefined();
  });

  it("DA-06 the host's request info (core's RequestInfo) is the preferred source of ipaddr", async () => {
    const h = harness({ factor: 'passcode' });
    const seen: OutgoingRequest[] = [];
    h.provider.onOutgoingRequest = (r) => seen.push(r);
    const user = duoUser('paula', { attributes: { ip: '198.51.100.1' } });
    await h.service.beginActivation(user, 'duo', { ip: '203.0.113.9', requestId: 'r-1' });
    expect(seen.find((r) => r.path === '/auth/v2/preauth')!.params['ipaddr']).toBe('203.0.113.9');
  });

  it('passcodes are masked in what the request observer sees', async () => {
    const h = harness({ factor: 'passcode' });
    const seen: OutgoingRequest[] = [];
    h.provider.onOutgoingRequest = (r) => seen.push(r);
    const user = duoUser('paula');
    const s = await h.service.beginActivation(user, 'duo');
    const code = emu.users.require('paula').passcodes[0]!;
    await h.service.completeActivation(s.activationId, user, code);
    expect(JSON.stringify(seen)).not.toContain(code);
    expect(seen.find((r) => r.path === '/auth/v2/auth')!.params['passcode']).toBe('***');
  });
});

describe('legacy 429 and malformed answers (OUT-04, DA-04)', () => {
  it('OUT-04 a 429 with Retry-After: 1 is honoured within the budget, then the call succeeds', async () => {
    const { h, user } = await enrolled('alice', { factor: 'push' });
    const waits: number[] = [];
    h.provider.retrySleep = async (ms) => {
      waits.push(ms);
    };
    await emu.faults.set({ rateLimit: { remaining: 1, retryAfterSec: 1, user: 'alice' } });
    const before = calls('/auth/v2/preauth', 'alice');
    const ch = await h.service.beginChallenge(user, 'duo');
    expect(ch.prompt.kind).toBe('push-wait');
    expect(waits).toEqual([1000]);
    expect(calls('/auth/v2/preauth', 'alice') - before).toBe(2);
    expect((await pollUntilDone(() => poll(h, ch.challengeId, user))).ok).toBe(true);
  });

  it('OUT-04 Retry-After as an HTTP-date is honoured too', async () => {
    const { h, user } = await enrolled('alice', { factor: 'push' });
    const waits: number[] = [];
    h.provider.retrySleep = async (ms) => {
      waits.push(ms);
    };
    await emu.faults.set({
      rateLimit: { remaining: 1, retryAfterSec: 3, retryAfterDate: true, user: 'alice' },
    });
    const ch = await h.service.beginChallenge(user, 'duo');
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThanOrEqual(1000);
    expect(waits[0]).toBeLessThanOrEqual(3000);
    await pollUntilDone(() => poll(h, ch.challengeId, user));
  });

  it('OUT-04 repeated 429s: at most maxRetries retries, then PROVIDER_UNAVAILABLE (an outage, not counted)', async () => {
    const { h, user } = await enrolled('alice', { factor: 'push', maxRetries: 2 });
    const waits: number[] = [];
    h.provider.retrySleep = async (ms) => {
      waits.push(ms);
    };
    await emu.faults.set({ rateLimit: { retryAfterSec: 1, user: 'alice' } });
    const before = calls('/auth/v2/preauth', 'alice');
    expect(await codeOf(h.service.beginChallenge(user, 'duo'))).toBe('PROVIDER_UNAVAILABLE');
    expect(waits).toEqual([1000, 1000]);
    expect(calls('/auth/v2/preauth', 'alice') - before).toBe(3);
    expect((await h.service.throttleStatus(user)).failures).toBe(0);
  });

  it('OUT-04 a Retry-After longer than the budget is not waited for: PROVIDER_UNAVAILABLE at once', async () => {
    const { h, user } = await enrolled('alice', { factor: 'push', rateLimitBudgetMs: 5000 });
    const waits: number[] = [];
    h.provider.retrySleep = async (ms) => {
      waits.push(ms);
    };
    await emu.faults.set({ rateLimit: { retryAfterSec: 30, user: 'alice' } });
    expect(await codeOf(h.service.beginChallenge(user, 'duo'))).toBe('PROVIDER_UNAVAILABLE');
    expect(waits).toEqual([]);
  });

  it.each(['truncated_json', 'html', 'empty'] as const)(
    'DA-04 a %s body from the Auth API: PROVIDER_ERROR, never allow, no crash, within the timeout',
    async (kind) => {
      const { h, user } = await enrolled('alice', { factor: 'push' });
      await emu.faults.set({ malformedBody: kind, endpoints: ['/auth/v2/'] });
      const started = Date.now();
      expect(await codeOf(h.service.beginChallenge(user, 'duo'))).toBe('PROVIDER_ERROR');
      expect(Date.now() - started).toBeLessThan(3000);
    },
  );

  it('DA-04 a malformed answer while polling a push: PROVIDER_ERROR, the push is not accepted', async () => {
    const { h, user } = await enrolled('dave', { factor: 'push' });
    const ch = await h.service.beginChallenge(user, 'duo');
    const [tx] = emu.pushes.pending().filter((t) => t.username === 'dave');
    emu.pushes.answer(tx!.txid, 'approve');
    await emu.faults.set({ malformedBody: 'truncated_json', endpoints: ['/auth/v2/auth_status'] });
    expect(await codeOf(poll(h, ch.challengeId, user))).toBe('PROVIDER_ERROR');
  });
});
