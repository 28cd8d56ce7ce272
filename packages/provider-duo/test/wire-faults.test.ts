// Spoiled and hostile answers from "Duo" over real HTTPS, through core's TwoFactorService: the
// emulator's authApiAnswer, hostileText, verifiedPush and token faults. These were tested only
// at parser level before (untrusted-input.test.ts); here every one goes over the wire.
// Requirements (docs/SECURITY.md): DA-03, DA-04, DA-06, DU-04, DU-07a, OUT-02 (a configuration,
// signature or token fault never fails open). A crash (an uncaught exception or unhandled
// rejection) fails the vitest run.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { TwoFactorUser } from '@factorkit/core';
import { HOSTILE_TEXT } from '@factorkit/duo-emulator';
import type { OutgoingRequest } from '../src/index.js';
import {
  RecordingLogger,
  codeOf,
  duoHarness,
  duoUser,
  enrollUniversal,
  followPrompt,
  legacySettings,
  pollUntilDone,
  rawHostile,
  rejectionOf,
  startEmulator,
  universalSettings,
  type DuoHarness,
} from './support/duo-test-kit.js';

const emu = await startEmulator({
  users: [
    { username: 'alice', devices: [{ name: 'iPhone' }], pushAnswer: 'approve' },
    { username: 'dave', devices: [{ name: 'Pixel' }] }, // answered by the tests
    // Every passcode is single use: enough for each test that signs paula in.
    {
      username: 'paula',
      passcodes: Array.from({ length: 12 }, (_, i) => String(100000 + i * 7919)),
    },
    { username: 'dora', status: 'disabled', devices: [{ name: 'Pixel' }] },
    { username: 'uma', devices: [{ name: 'iPad' }] },
  ],
});
afterAll(() => emu.stop());
afterEach(async () => {
  for (const tx of emu.pushes.pending()) emu.pushes.answer(tx.txid, 'deny');
  await emu.faults.reset();
});

const calls = (path: string, user?: string) => emu.counters.count(path, user);
const REQUEST_TIMEOUT_MS = 3000; // legacySettings / universalSettings

interface Setup {
  h: DuoHarness;
  user: TwoFactorUser;
  logs: RecordingLogger;
}

/** A legacy deployment (failmode open for clients unless told otherwise) with `name` linked. */
async function legacyEnrolled(name: string, extra: Record<string, unknown> = {}): Promise<Setup> {
  const logs = new RecordingLogger();
  const h = duoHarness(
    legacySettings(emu, { factor: 'push', failmode: { client: 'open' }, ...extra }),
    { logger: logs },
  );
  const user = duoUser(name);
  if (extra['factor'] === 'passcode') {
    const started = await h.service.beginActivation(user, 'duo');
    const code = emu.users.require(name).passcodes[0]!;
    expect((await h.service.completeActivation(started.activationId, user, code)).ok).toBe(true);
  } else {
    const started = await h.service.beginActivation(user, 'duo');
    for (const tx of emu.pushes.pending())
      if (tx.username === name) emu.pushes.answer(tx.txid, 'approve');
    const done = await pollUntilDone(() =>
      h.service.completeActivation(started.activationId, user, { poll: true }),
    );
    expect(done.ok).toBe(true);
  }
  return { h, user, logs };
}

async function universalEnrolled(name: string): Promise<Setup> {
  const logs = new RecordingLogger();
  const h = duoHarness(universalSettings(emu, { failmode: { client: 'open' } }), { logger: logs });
  const user = duoUser(name);
  expect((await enrollUniversal(h, emu, user)).ok).toBe(true);
  return { h, user, logs };
}

const poll = (h: DuoHarness, id: string, user: TwoFactorUser) =>
  h.service.completeChallenge(id, user, { poll: true });

/** Nothing was granted: no `verified` or `fail-open` audit event after `from`. */
function noSession(h: DuoHarness, from: number) {
  const after = h.audit.events.slice(from);
  expect(after.filter((e) => e.type === 'verified' || e.type === 'fail-open')).toEqual([]);
}

describe('preauth with an unknown or missing result, over the wire (DA-03)', () => {
  it.each(['unknown_result', 'missing_result'] as const)(
    'DA-03 preauth %s: PROVIDER_DENIED at sign-in and at activation, no /auth call, never fail-open',
    async (fault) => {
      const { h, user, logs } = await legacyEnrolled('alice');
      const from = h.audit.events.length;
      await emu.faults.set({ authApiAnswer: fault, endpoints: ['/auth/v2/preauth'] });
      const before = calls('/auth/v2/auth', 'alice');
      const err = await rejectionOf(h.service.beginChallenge(user, 'duo'));
      // "ALLOW" is not Duo's "allow": only an exact comparison keeps it from passing as bypass.
      expect(err.code).toBe('PROVIDER_DENIED');
      expect(
        await codeOf(h.service.beginActivation(duoUser('uma', { id: 'fresh-uma' }), 'duo')),
      ).toBe('PROVIDER_DENIED');
      expect(calls('/auth/v2/auth', 'alice')).toBe(before);
      noSession(h, from);
      expect(rawHostile([err, logs.lines])).toEqual([]);
    },
  );

  it('DA-03 an unknown result even with acceptBypass: true is a denial, not a bypass', async () => {
    const { h, user } = await legacyEnrolled('alice', { acceptBypass: true });
    await emu.faults.set({ authApiAnswer: 'unknown_result', endpoints: ['/auth/v2/preauth'] });
    expect(await codeOf(h.service.beginChallenge(user, 'duo'))).toBe('PROVIDER_DENIED');
    expect(h.audit.ofType('verified').filter((e) => e.method === 'duo-bypass')).toEqual([]);
  });

  it('DA-03 an unknown auth_status result after the push was approved: PROVIDER_DENIED, not a success', async () => {
    const { h, user } = await legacyEnrolled('dave');
    const from = h.audit.events.length;
    const ch = await h.service.beginChallenge(user, 'duo');
    const [tx] = emu.pushes.pending().filter((t) => t.username === 'dave');
    emu.pushes.answer(tx!.txid, 'approve');
    await emu.faults.set({ authApiAnswer: 'unknown_result', endpoints: ['/auth/v2/auth_status'] });
    expect(await codeOf(pollUntilDone(() => poll(h, ch.challengeId, user)))).toBe(
      'PROVIDER_DENIED',
    );
    noSession(h, from);
  });
});

describe('bad stat and missing response, over the wire (DA-04)', () => {
  const cases = [
    ['/auth/v2/preauth', 'bad_stat'],
    ['/auth/v2/preauth', 'missing_response'],
    ['/auth/v2/auth', 'bad_stat'],
    ['/auth/v2/auth', 'missing_response'],
    ['/auth/v2/auth_status', 'bad_stat'],
    ['/auth/v2/auth_status', 'missing_response'],
  ] as const;

  it.each(cases)(
    'DA-04 %s answers %s: PROVIDER_ERROR within the timeout, never allow, never fail-open (failmode open)',
    async (endpoint, fault) => {
      const { h, user, logs } = await legacyEnrolled('dave');
      const from = h.audit.events.length;
      const started = Date.now();
      let err: Error & { code?: string };
      if (endpoint === '/auth/v2/auth_status') {
        // The push is approved at Duo: a success is what a lenient parser would return.
        const ch = await h.service.beginChallenge(user, 'duo');
        const [tx] = emu.pushes.pending().filter((t) => t.username === 'dave');
        emu.pushes.answer(tx!.txid, 'approve');
        await emu.faults.set({ authApiAnswer: fault, endpoints: [endpoint] });
        err = await rejectionOf(poll(h, ch.challengeId, user));
      } else {
        await emu.faults.set({ authApiAnswer: fault, endpoints: [endpoint] });
        err = await rejectionOf(h.service.beginChallenge(user, 'duo'));
      }
      expect(Date.now() - started).toBeLessThan(REQUEST_TIMEOUT_MS);
      // PROVIDER_ERROR, not PROVIDER_UNAVAILABLE: failmode open does not apply.
      expect(err.code).toBe('PROVIDER_ERROR');
      noSession(h, from);
      expect(
        logs.lines.some((l) => l.level === 'error' && l.fields?.['kind'] === 'malformed'),
      ).toBe(true);
    },
  );

  it('DA-04 a passcode answered with a missing response: PROVIDER_ERROR, the passcode is not accepted', async () => {
    const { h, user } = await legacyEnrolled('paula', { factor: 'passcode' });
    const ch = await h.service.beginChallenge(user, 'duo');
    await emu.faults.set({ authApiAnswer: 'missing_response', endpoints: ['/auth/v2/auth'] });
    const code = emu.users.require('paula').passcodes[0]!;
    expect(await codeOf(h.service.completeChallenge(ch.challengeId, user, code))).toBe(
      'PROVIDER_ERROR',
    );
  });
});

describe('escape sequences and HTML in what Duo writes (DA-04, DU-07a)', () => {
  it('the check used below flags the raw emulator text (so it can fail)', () => {
    expect(rawHostile({ status: HOSTILE_TEXT })).toEqual([HOSTILE_TEXT]);
    expect(rawHostile(new Error('x', { cause: new Error('\u001b[2J') }))).toHaveLength(1);
    expect(rawHostile({ status: '&lt;script&gt; plain' })).toEqual([]);
  });

  it('DA-04 preauth deny with a hostile status_msg: PROVIDER_DENIED; error, details and logs carry it only neutralised', async () => {
    const logs = new RecordingLogger();
    const h = duoHarness(legacySettings(emu, { factor: 'push' }), { logger: logs });
    await emu.faults.set({ hostileText: true });
    const err = await rejectionOf(h.service.beginActivation(duoUser('dora'), 'duo'));
    expect(err.code).toBe('PROVIDER_DENIED');
    const status = String((err as { details?: Record<string, unknown> }).details?.['status']);
    expect(status).toContain('&lt;script&gt;'); // kept for diagnosis, HTML-encoded
    expect(rawHostile([err, logs.lines, h.audit.events])).toEqual([]);
  });

  it('DA-04 a FAIL answer whose message and message_detail are hostile (a 401): PROVIDER_ERROR, logged neutralised', async () => {
    const logs = new RecordingLogger();
    const h = duoHarness(
      legacySettings(emu, {
        factor: 'push',
        secretKey: 'x'.repeat(40),
        failmode: { client: 'open' },
      }),
      { logger: logs },
    );
    await emu.faults.set({ hostileText: true });
    const err = await rejectionOf(h.service.beginActivation(duoUser('alice'), 'duo'));
    expect(err.code).toBe('PROVIDER_ERROR');
    const logged = logs.lines.find((l) => l.level === 'error');
    expect(String(logged?.fields?.['detail'])).toContain('HTTP 401');
    expect(String(logged?.fields?.['detail'])).toContain('&lt;img');
    expect(rawHostile([err, logs.lines, h.audit.events])).toEqual([]);
  });

  it('DA-04 a wrong passcode answered with a hostile status_msg: INVALID_CODE, nothing raw anywhere', async () => {
    const { h, user, logs } = await legacyEnrolled('paula', { factor: 'passcode' });
    await emu.faults.set({ hostileText: true });
    const ch = await h.service.beginChallenge(user, 'duo');
    const err = await rejectionOf(h.service.completeChallenge(ch.challengeId, user, '999999'));
    expect(err.code).toBe('INVALID_CODE');
    expect(rawHostile([err, logs.lines, h.audit.events])).toEqual([]);
  });

  it('DU-07a the prompt denies with a hostile error_description: PROVIDER_DENIED, no token call, nothing raw', async () => {
    const { h, user, logs } = await universalEnrolled('uma');
    await emu.faults.set({ hostileText: true });
    const ch = await h.service.beginChallenge(user, 'duo');
    const cb = await followPrompt(emu, (ch.prompt as { url: string }).url, 'deny');
    expect(cb['error_description']).toContain('\u001b]0;'); // it really arrived raw
    const before = calls('/oauth/v1/token');
    const err = await rejectionOf(h.service.completeChallenge(cb['state']!, user, cb));
    expect(err.code).toBe('PROVIDER_DENIED');
    expect(calls('/oauth/v1/token')).toBe(before);
    expect(rawHostile([err, logs.lines, h.audit.events])).toEqual([]);
  });

  it('DU-07a / OUT-02 a health check stat FAIL whose text is hostile (unreadable): fails closed, PROVIDER_ERROR, never fail-open, nothing raw', async () => {
    // The SDK drops Duo's numeric code, so only a readable "unavailable" counts as an outage;
    // text that says nothing usable is treated as a refusal (failmode open does not apply).
    const { h, user, logs } = await universalEnrolled('uma');
    const from = h.audit.events.length;
    await emu.faults.set({ hostileText: true, healthCheckFail: true });
    const err = await rejectionOf(h.service.beginChallenge(user, 'duo'));
    expect(err.code).toBe('PROVIDER_ERROR');
    const health = await h.service.health();
    expect(health['duo']?.healthy).toBe(false);
    noSession(h, from);
    expect(rawHostile([err, logs.lines, h.audit.events, health])).toEqual([]);
  });

  it('DU-07b the token endpoint error with a hostile error_description: PROVIDER_ERROR, nothing raw', async () => {
    const { h, user, logs } = await universalEnrolled('uma');
    const ch = await h.service.beginChallenge(user, 'duo');
    const cb = await followPrompt(emu, (ch.prompt as { url: string }).url, 'approve');
    await emu.faults.set({ hostileText: true, clockSkewSec: 120 }); // the code has expired
    const err = await rejectionOf(h.service.completeChallenge(cb['state']!, user, cb));
    expect(err.code).toBe('PROVIDER_ERROR');
    expect(rawHostile([err, logs.lines, h.audit.events])).toEqual([]);
  });
});

describe('Verified Duo Push, over the wire (DA-06)', () => {
  it("DA-06 with Verified Push required, the push carries preauth's txid and the user is shown Duo's code; approve signs in", async () => {
    const { h, user } = await legacyEnrolled('dave');
    await emu.faults.set({ verifiedPush: true });
    const seen: OutgoingRequest[] = [];
    h.provider.onOutgoingRequest = (r) => seen.push(r);
    const ch = await h.service.beginChallenge(user, 'duo');
    expect(ch.prompt.kind).toBe('push-wait');
    const [tx] = emu.pushes.pending().filter((t) => t.username === 'dave');
    // The emulator attaches a code only to a push started with the txid it gave at preauth.
    expect(tx?.verificationCode).toMatch(/^[0-9]{3}$/);
    expect((ch.prompt as { message?: string }).message).toContain(tx!.verificationCode!);
    expect(seen.find((r) => r.path === '/auth/v2/preauth')?.params).toMatchObject({
      client_supports_verified_push: '1',
    });
    expect(seen.find((r) => r.path === '/auth/v2/auth')?.params['txid']).toBe(tx!.txid);
    emu.pushes.answer(tx!.txid, 'approve');
    expect(await pollUntilDone(() => poll(h, ch.challengeId, user))).toMatchObject({
      ok: true,
      method: 'duo-push',
    });
  });

  it('DA-06 factor auto uses Verified Push too; a denied verified push is PROVIDER_DENIED', async () => {
    const { h, user } = await legacyEnrolled('dave', { factor: 'auto' });
    await emu.faults.set({ verifiedPush: true });
    const from = h.audit.events.length;
    const ch = await h.service.beginChallenge(user, 'duo');
    const [tx] = emu.pushes.pending().filter((t) => t.username === 'dave');
    expect(tx?.factor).toBe('push');
    expect((ch.prompt as { message?: string }).message).toContain(tx!.verificationCode!);
    emu.pushes.answer(tx!.txid, 'deny');
    expect(await codeOf(pollUntilDone(() => poll(h, ch.challengeId, user)))).toBe(
      'PROVIDER_DENIED',
    );
    noSession(h, from);
  });

  it('DA-06 / DA-04 a verification_code that is not 3-6 digits (hostile text) is never shown; the prompt stays generic', async () => {
    const { h, user, logs } = await legacyEnrolled('dave');
    await emu.faults.set({ verifiedPush: true, hostileText: true });
    const ch = await h.service.beginChallenge(user, 'duo');
    const message = (ch.prompt as { message?: string }).message;
    expect(message).toBe('Duo sent a push to your device. Approve it to continue.');
    expect(rawHostile([ch.prompt, logs.lines, h.audit.events])).toEqual([]);
    // The push itself is still the verified one (preauth's txid was passed on).
    const [tx] = emu.pushes.pending().filter((t) => t.username === 'dave');
    expect(tx?.verificationCode).toMatch(/^[0-9]{3}$/);
  });

  it('DA-06 each sign-in gets its own verified txid and code (no reuse of an earlier one)', async () => {
    const { h, user } = await legacyEnrolled('dave');
    await emu.faults.set({ verifiedPush: true });
    const first = await h.service.beginChallenge(user, 'duo');
    const [tx1] = emu.pushes.pending().filter((t) => t.username === 'dave');
    emu.pushes.answer(tx1!.txid, 'approve');
    expect((await pollUntilDone(() => poll(h, first.challengeId, user))).ok).toBe(true);
    await h.service.beginChallenge(user, 'duo');
    const [tx2] = emu.pushes.pending().filter((t) => t.username === 'dave');
    expect(tx2?.txid).not.toBe(tx1?.txid);
    expect(tx2?.verificationCode).toMatch(/^[0-9]{3}$/);
  });
});

describe('id_token and token-response faults, over the wire (DU-04)', () => {
  it.each([
    'alg_none',
    'missing_exp',
    'missing_iat',
    'missing_iss',
    'missing_aud',
    'token_type_mac',
    'missing_id_token',
  ] as const)(
    'DU-04 %s: PROVIDER_ERROR, no session, the state is consumed, never fail-open (failmode open)',
    async (fault) => {
      const { h, user, logs } = await universalEnrolled('uma');
      const from = h.audit.events.length;
      const ch = await h.service.beginChallenge(user, 'duo');
      const cb = await followPrompt(emu, (ch.prompt as { url: string }).url, 'approve');
      await emu.faults.set({ tokenFault: fault });
      const before = calls('/oauth/v1/token');
      const err = await rejectionOf(h.service.completeChallenge(cb['state']!, user, cb));
      expect(err.code).toBe('PROVIDER_ERROR');
      expect(calls('/oauth/v1/token')).toBe(before + 1);
      expect(logs.lines.some((l) => l.level === 'error')).toBe(true);
      // Not an outage: failOpen cannot turn it into a grant (the state is gone, too).
      await expect(h.service.failOpen(cb['state']!, user)).rejects.toMatchObject({
        code: expect.stringMatching(/CHALLENGE_NOT_FOUND|POLICY_DENIED/) as unknown,
      });
      await emu.faults.reset();
      expect(await codeOf(h.service.completeChallenge(cb['state']!, user, cb))).toBe(
        'CHALLENGE_NOT_FOUND',
      );
      noSession(h, from);
    },
  );
});
