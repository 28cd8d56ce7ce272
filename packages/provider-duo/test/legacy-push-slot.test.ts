// The one-outstanding-push slot of the legacy Auth API transport, against the emulator over
// HTTPS through core's TwoFactorService (BF-05: at most one outstanding push per user;
// DA-05: the user can cancel; each refused push makes no /auth call). The Auth API cannot cancel
// a push, so however a host abandons a push (an explicit cancel, our deadline, the pending step
// expiring, a new beginChallenge, another factor), Duo may still show it on the phone: the slot
// must stay taken until Duo has answered the push or the push cannot be alive there any more
// (Duo ends an unanswered push after about 60 s: duo-protocol.md §B.4).
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { TwoFactorUser } from '@factorkit/core';
import {
  codeOf,
  duoHarness,
  duoUser,
  legacySettings,
  pollUntilDone,
  rejectionOf,
  startEmulator,
  type DuoHarness,
} from './support/duo-test-kit.js';

const NAME = 'cora';
const emu = await startEmulator({
  users: [
    { username: NAME, devices: [{ name: 'Pixel' }] }, // answered by the tests, like a person
    { username: 'nick', devices: [{ name: 'Nokia', push: false, sms: true }] },
  ],
});
afterAll(() => emu.stop());
afterEach(async () => {
  await emu.faults.reset();
  for (const tx of emu.pushes.pending()) emu.pushes.answer(tx.txid, 'deny');
});

/** Duo's own figure for how long an unanswered push lives (duo-protocol.md §B.4). */
const DUO_PUSH_LIFETIME_MS = 60_000;

const waiting = (name = NAME) => emu.pushes.pending().filter((t) => t.username === name);
const authCalls = (name = NAME) => emu.counters.count('/auth/v2/auth', name);

/** The invariant under test: Duo never shows this user more than one push at a time. */
function expectAtMostOneWaiting(): void {
  expect(waiting().length).toBeLessThanOrEqual(1);
}

interface Enrolled {
  h: DuoHarness;
  user: TwoFactorUser;
  recoveryCodes: readonly string[];
}

/**
 * A user linked to Duo through the Auth API (the activation push is approved), with a short
 * push deadline: the deployment where an early release of the slot shows most.
 */
async function enrolled(
  extra: Record<string, unknown> = {},
  policy?: Record<string, unknown>,
): Promise<Enrolled> {
  const settings = legacySettings(emu, {
    factor: 'push',
    pushDeadlineSeconds: 30,
    pushLimit: 10,
    ...extra,
  });
  const h = duoHarness(settings, policy ? { policy } : {});
  const user = duoUser(NAME);
  const started = await h.service.beginActivation(user, 'duo');
  for (const tx of waiting()) emu.pushes.answer(tx.txid, 'approve');
  const done = await pollUntilDone(() =>
    h.service.completeActivation(started.activationId, user, { poll: true }),
  );
  expect(done.ok).toBe(true);
  return { h, user, recoveryCodes: (done.ok && done.recoveryCodes) || [] };
}

const poll = (h: DuoHarness, id: string, user: TwoFactorUser, input: unknown = { poll: true }) =>
  h.service.completeChallenge(id, user, input);

/** A new push is refused while one may be live: PUSH_RATE_LIMITED, and its wait in seconds. */
async function refusedFor(h: DuoHarness, user: TwoFactorUser): Promise<number> {
  const err = await rejectionOf(h.service.beginChallenge(user, 'duo'));
  expect(err.code).toBe('PUSH_RATE_LIMITED');
  const retryAfter = (err as { details?: { retryAfter?: unknown } }).details?.retryAfter;
  expect(typeof retryAfter).toBe('number');
  return retryAfter as number;
}

/** Duo ends the push on its own, as it does about 60 s after sending it. */
function duoTimesOutThePush(): void {
  const [tx] = waiting();
  expect(tx).toBeDefined();
  emu.pushes.answer(tx!.txid, 'timeout');
}

interface AbandonPath {
  how: string;
  policy?: Record<string, unknown>;
  abandon(e: Enrolled, challengeId: string): Promise<void>;
}

const ABANDON_PATHS: AbandonPath[] = [
  {
    how: 'an explicit cancel',
    async abandon({ h, user }, id) {
      expect(await codeOf(poll(h, id, user, { cancel: true }))).toBe('CHALLENGE_EXPIRED');
    },
  },
  {
    how: 'our push deadline passing',
    async abandon({ h, user }, id) {
      expect(await poll(h, id, user)).toMatchObject({ waiting: true });
      h.clock.advance(31_000);
      expect(await codeOf(poll(h, id, user))).toBe('CHALLENGE_EXPIRED');
    },
  },
  {
    how: 'the pending step expiring',
    policy: { audiences: { client: {}, admin: {} }, pending: { ttlSeconds: 30 } },
    async abandon({ h, user }, id) {
      h.clock.advance(31_000);
      expect(await codeOf(poll(h, id, user))).toBe('CHALLENGE_EXPIRED');
    },
  },
  {
    how: 'a new beginChallenge',
    async abandon() {},
  },
  {
    how: 'the user signing in with a recovery code instead',
    async abandon({ h, user, recoveryCodes }) {
      expect((await h.service.useRecoveryCode(user, recoveryCodes[0])).ok).toBe(true);
      h.clock.advance(31_000);
    },
  },
];

describe('legacy push slot: abandoning a push does not free it (BF-05, DA-05)', () => {
  it.each(ABANDON_PATHS)(
    'after $how, no second push until Duo has surely ended the first; then one can be sent',
    async (path) => {
      const e = await enrolled({}, path.policy);
      const { h, user } = e;
      const before = authCalls();
      const sentAt = h.clock.now();
      const first = await h.service.beginChallenge(user, 'duo');
      expect(first.prompt.kind).toBe('push-wait');
      expect(waiting()).toHaveLength(1);

      await path.abandon(e, first.challengeId);
      expectAtMostOneWaiting();
      const retryAfter = await refusedFor(h, user);
      expect(waiting()).toHaveLength(1);
      expect(authCalls() - before).toBe(1);
      // Held at least as long as Duo may still show the push.
      expect(h.clock.now() - sentAt + retryAfter * 1000).toBeGreaterThanOrEqual(
        DUO_PUSH_LIFETIME_MS,
      );

      duoTimesOutThePush();
      h.clock.advance(retryAfter * 1000);
      const next = await h.service.beginChallenge(user, 'duo');
      expect(next.prompt.kind).toBe('push-wait');
      expect(waiting()).toHaveLength(1);
      expect(authCalls() - before).toBe(2);
    },
  );

  it('begin and cancel in a loop never leaves more than one push waiting on the phone', async () => {
    const { h, user } = await enrolled();
    const before = authCalls();
    let started = 0;
    let refused = 0;
    for (let i = 0; i < 8; i++) {
      const begun = await h.service.beginChallenge(user, 'duo').catch((err: unknown) => err);
      if (begun instanceof Error) {
        expect((begun as { code?: string }).code).toBe('PUSH_RATE_LIMITED');
        refused++;
      } else {
        started++;
        expectAtMostOneWaiting();
        const { challengeId } = begun as { challengeId: string };
        expect(await codeOf(poll(h, challengeId, user, { cancel: true }))).toBe(
          'CHALLENGE_EXPIRED',
        );
      }
      expectAtMostOneWaiting();
      h.clock.advance(5_000);
    }
    expect(started).toBe(1);
    expect(refused).toBe(7);
    expect(authCalls() - before).toBe(1);
  });

  it.each(['deny', 'timeout', 'fraud'] as const)(
    'once Duo reports the push %s, the next push is sent at once',
    async (answer) => {
      const { h, user } = await enrolled();
      const first = await h.service.beginChallenge(user, 'duo');
      expect(await poll(h, first.challengeId, user)).toMatchObject({ waiting: true });
      emu.pushes.answer(waiting()[0]!.txid, answer);
      await rejectionOf(pollUntilDone(() => poll(h, first.challengeId, user)));
      const next = await h.service.beginChallenge(user, 'duo');
      expect(next.prompt.kind).toBe('push-wait');
      expect(waiting()).toHaveLength(1);
    },
  );
});

describe('legacy push slot: a send whose fate is unknown keeps it (BF-05)', () => {
  it.each([
    {
      what: 'Duo answered /auth with a malformed body',
      settings: {},
      faults: { malformedBody: 'truncated_json' as const },
      code: 'PROVIDER_ERROR',
    },
    {
      what: 'Duo answered /auth only after our timeout',
      settings: { requestTimeoutMs: 800 },
      faults: { latencyMs: 1300 },
      code: 'PROVIDER_UNAVAILABLE',
    },
  ])('$what: the push Duo may have sent holds the slot', async ({ settings, faults, code }) => {
    const { h, user } = await enrolled(settings);
    await emu.faults.set({ ...faults, endpoints: ['/auth/v2/auth'] });
    expect(await codeOf(h.service.beginChallenge(user, 'duo'))).toBe(code);
    // The emulator created the push all the same (after our timeout, in the second case).
    for (let i = 0; i < 40 && waiting().length === 0; i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(waiting()).toHaveLength(1);
    await emu.faults.reset();
    await refusedFor(h, user);
    expect(waiting()).toHaveLength(1);
  });

  it('a send Duo refused (429 beyond the budget) frees the slot: no push exists', async () => {
    const { h, user } = await enrolled();
    await emu.faults.set({
      rateLimit: { retryAfterSec: 30, user: NAME },
      endpoints: ['/auth/v2/auth'],
    });
    expect(await codeOf(h.service.beginChallenge(user, 'duo'))).toBe('PROVIDER_UNAVAILABLE');
    expect(waiting()).toHaveLength(0);
    await emu.faults.reset();
    const next = await h.service.beginChallenge(user, 'duo');
    expect(next.prompt.kind).toBe('push-wait');
  });

  it('a send Duo refused (no capable device) frees the slot: the next try is refused by Duo again', async () => {
    const h = duoHarness(legacySettings(emu, { factor: 'push' }));
    const user = duoUser('nick');
    expect(await codeOf(h.service.beginActivation(user, 'duo'))).toBe('PROVIDER_DENIED');
    expect(await codeOf(h.service.beginActivation(user, 'duo'))).toBe('PROVIDER_DENIED');
    expect(waiting('nick')).toHaveLength(0);
  });
});
