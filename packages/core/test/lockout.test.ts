/**
 * Throttling (NIST SP 800-63B §5.2.2 / 63B-4 §3.2.2: at most 100 consecutive failures; RFC 4226
 * §7.3: across login sessions; ASVS 6.3.1): one failure count per internal user id, across every
 * factor and recovery codes, kept in the store.
 */
import { describe, expect, it } from 'vitest';
import {
  FactorkitError,
  TwoFactorService,
  type RateLimitedError,
  type LockedError,
} from '../src/index.js';
import { testUser } from '../src/testing/index.js';
import { clockHarness, type ClockHarness } from './support/setup.js';

async function tryCode(
  h: ClockHarness | { service: TwoFactorService },
  user: ReturnType<typeof testUser>,
  input: string,
): Promise<FactorkitError | 'ok'> {
  try {
    const ch = await h.service.beginChallenge(user);
    const r = await h.service.completeChallenge(ch.challengeId, user, input);
    return r.ok ? 'ok' : (new Error('waiting') as FactorkitError);
  } catch (err) {
    return err as FactorkitError;
  }
}

const wrong = (h: ClockHarness) => (h.code() === '000000' ? '111111' : '000000');

describe('throttling and lockout', () => {
  it('BF-01: progressive delay, then a lock; the right code is refused while locked', async () => {
    const h = clockHarness({
      policy: {
        throttle: {
          maxFailures: 10,
          freeFailures: 3,
          baseDelaySeconds: 1,
          maxDelaySeconds: 60,
          lockSeconds: 900,
        },
      },
    });
    const user = testUser();
    await h.enroll(user);
    for (let i = 1; i <= 3; i++)
      expect(((await tryCode(h, user, wrong(h))) as FactorkitError).code).toBe('INVALID_CODE');
    // 4th failure is the first delayed one: after it, 1 s must pass.
    expect(((await tryCode(h, user, wrong(h))) as FactorkitError).code).toBe('INVALID_CODE');
    const limited = (await tryCode(h, user, h.code())) as RateLimitedError;
    expect(limited.code).toBe('RATE_LIMITED');
    expect(limited.retryAfter).toBe(1);
    for (let i = 5; i <= 10; i++) {
      h.clock.advance(60_000);
      expect(((await tryCode(h, user, wrong(h))) as FactorkitError).code).toBe('INVALID_CODE');
    }
    h.clock.advance(60_000);
    const locked = (await tryCode(h, user, h.code())) as LockedError;
    expect(locked.code).toBe('LOCKED');
    expect(locked.retryAfter).toBe(840);
    expect(h.audit.ofType('locked')).toEqual([
      expect.objectContaining({ failures: 10, permanent: false }),
    ]);
    expect(await h.service.throttleStatus(user)).toMatchObject({ failures: 10, locked: true });
  });

  it('the lock survives a new service instance on the same store (a restart)', async () => {
    const h = clockHarness({ policy: { throttle: { maxFailures: 3, freeFailures: 3 } } });
    const user = testUser();
    await h.enroll(user);
    for (let i = 0; i < 3; i++) await tryCode(h, user, wrong(h));
    const restarted = new TwoFactorService({
      registry: h.registry,
      config: h.config,
      stores: h.stores,
    });
    expect(((await tryCode({ service: restarted }, user, h.code())) as FactorkitError).code).toBe(
      'LOCKED',
    );
  });

  it('BF-02: restarting the login (new challenges, password successes) never resets the count', async () => {
    const h = clockHarness({ policy: { throttle: { maxFailures: 6, freeFailures: 6 } } });
    const user = testUser();
    await h.enroll(user);
    for (let round = 0; round < 2; round++) {
      expect((await h.service.requirement(user)).action).toBe('challenge'); // "password ok" again
      for (let i = 0; i < 3; i++) await tryCode(h, user, wrong(h));
    }
    expect(((await tryCode(h, user, h.code())) as FactorkitError).code).toBe('LOCKED');
  });

  it('BF-04: recovery-code guesses share the same budget as factor codes', async () => {
    const h = clockHarness({ policy: { throttle: { maxFailures: 4, freeFailures: 4 } } });
    const user = testUser();
    const codes = await h.enroll(user);
    for (let i = 0; i < 2; i++) await tryCode(h, user, wrong(h));
    for (let i = 0; i < 2; i++)
      await expect(
        h.service.useRecoveryCode(user, 'ABCD-EFGH-JKMN-PQRS-TVWX-YZ01'),
      ).rejects.toMatchObject({ code: 'INVALID_CODE' });
    await expect(h.service.useRecoveryCode(user, codes[0])).rejects.toMatchObject({
      code: 'LOCKED',
    });
    expect(((await tryCode(h, user, h.code())) as FactorkitError).code).toBe('LOCKED');
  });

  it('only a full second-factor success resets the count', async () => {
    const h = clockHarness();
    const user = testUser();
    await h.enroll(user);
    await tryCode(h, user, wrong(h));
    await tryCode(h, user, wrong(h));
    expect((await h.service.throttleStatus(user)).failures).toBe(2);
    expect(await tryCode(h, user, h.code())).toBe('ok');
    expect((await h.service.throttleStatus(user)).failures).toBe(0);
  });

  it('never above 100: after 100 consecutive failures only an administrator can unlock', async () => {
    const h = clockHarness({
      policy: {
        throttle: { maxFailures: 100, freeFailures: 100, permanentLockAfter: 100, lockSeconds: 1 },
      },
    });
    const user = testUser();
    await h.enroll(user);
    for (let i = 0; i < 100; i++) await tryCode(h, user, wrong(h));
    h.clock.advance(365 * 86_400_000);
    const err = (await tryCode(h, user, h.code())) as LockedError;
    expect(err.code).toBe('LOCKED');
    expect(err.retryAfter).toBeNull();
    expect(h.audit.ofType('locked').at(-1)).toMatchObject({ failures: 100, permanent: true });
    await h.service.adminUnlock({ actorId: 'admin-1', reason: 'verified the user by phone' }, user);
    expect(await tryCode(h, user, h.code())).toBe('ok');
  });

  it('OUT-01: a provider outage is not counted as a failure', async () => {
    const h = clockHarness();
    const user = testUser();
    await h.enroll(user);
    const ch = await h.service.beginChallenge(user);
    h.provider.behaviour = { kind: 'unavailable' };
    await expect(h.service.completeChallenge(ch.challengeId, user, h.code())).rejects.toMatchObject(
      { code: 'PROVIDER_UNAVAILABLE' },
    );
    expect((await h.service.throttleStatus(user)).failures).toBe(0);
    h.provider.behaviour = { kind: 'normal' };
    // the challenge was kept: the user can answer once the provider is back
    expect((await h.service.completeChallenge(ch.challengeId, user, h.code())).ok).toBe(true);
  });

  it('DA-07: a locked user cannot even start a challenge (no outbound call, no push)', async () => {
    const h = clockHarness({ policy: { throttle: { maxFailures: 2, freeFailures: 2 } } });
    const user = testUser();
    await h.enroll(user);
    await tryCode(h, user, wrong(h));
    await tryCode(h, user, wrong(h));
    await expect(h.service.beginChallenge(user)).rejects.toMatchObject({ code: 'LOCKED' });
  });

  it('BF-03: the count is keyed on the internal user id, whatever the login name', async () => {
    const h = clockHarness({ policy: { throttle: { maxFailures: 2, freeFailures: 2 } } });
    const user = testUser({ username: 'alice' });
    await h.enroll(user);
    await tryCode(h, { ...user, username: 'Alice' }, wrong(h));
    await tryCode(h, { ...user, username: 'alice@example.test' }, wrong(h));
    expect(
      ((await tryCode(h, { ...user, username: ' alice' }, h.code())) as FactorkitError).code,
    ).toBe('LOCKED');
  });
});

describe('provider quotas (shared per-user limits, e.g. push caps: NIST SP 800-63B-4 §3.1.3.2)', () => {
  it('allow `limit` takes per window, are shared by instances, scoped per user, and released', async () => {
    const h = clockHarness();
    const alice = testUser();
    const bob = testUser();
    await h.enroll(alice);
    await h.enroll(bob);
    const quotas: NonNullable<import('../src/index.js').ProviderContext['quota']>[] = [];
    const begin = h.provider.beginChallenge.bind(h.provider);
    h.provider.beginChallenge = async (ctx, ...rest) => {
      quotas.push(ctx.quota!);
      return begin(ctx, ...rest);
    };
    const other = new TwoFactorService({
      registry: h.registry,
      config: h.config,
      stores: h.stores,
    });
    await h.service.beginChallenge(alice);
    await other.beginChallenge(alice);
    await h.service.beginChallenge(bob);
    const [a1, a2, b] = quotas as [(typeof quotas)[0], (typeof quotas)[0], (typeof quotas)[0]];
    expect(await a1.take('push', 3, 900_000)).toEqual({ ok: true });
    expect(await a2.take('push', 3, 900_000)).toEqual({ ok: true });
    expect(await a1.take('push', 3, 900_000)).toEqual({ ok: true });
    expect(await a2.take('push', 3, 900_000)).toEqual({ ok: false, retryAfterMs: 900_000 });
    expect(await b.take('push', 3, 900_000)).toEqual({ ok: true });
    h.clock.advance(900_000);
    expect(await a1.take('push', 3, 900_000)).toEqual({ ok: true });
    // a window that has ended starts afresh at the next take: the full limit again
    h.clock.advance(900_000);
    expect(await a1.take('push', 3, 900_000)).toEqual({ ok: true });
    expect(await a2.take('push', 3, 900_000)).toEqual({ ok: true });
    expect(await a1.take('push', 3, 900_000)).toEqual({ ok: true });
    expect(await a2.take('push', 3, 900_000)).toEqual({ ok: false, retryAfterMs: 900_000 });
    await a1.release('push');
    expect(await a2.take('push', 1, 60_000)).toEqual({ ok: true });
    expect(await a2.take('push', 1, 60_000)).toEqual({ ok: false, retryAfterMs: 60_000 });
    await expect(a1.take('push', 0, 1)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});

describe('what is not a guess leaves no block behind (OUT-01, BF-06)', () => {
  // One failure short of the lock: any leftover block from a refunded reservation would lock
  // the user out for lockSeconds.
  const nearLock = async () => {
    const h = clockHarness({
      policy: { throttle: { maxFailures: 5, freeFailures: 2, lockSeconds: 900 } },
    });
    const user = testUser();
    await h.enroll(user);
    for (let i = 0; i < 4; i++) {
      await tryCode(h, user, wrong(h));
      h.clock.advance(60_000);
    }
    expect((await h.service.throttleStatus(user)).failures).toBe(4);
    return { h, user };
  };

  it('an unknown challenge id', async () => {
    const { h, user } = await nearLock();
    await expect(h.service.completeChallenge('A'.repeat(43), user, h.code())).rejects.toMatchObject(
      { code: 'CHALLENGE_NOT_FOUND' },
    );
    expect(await tryCode(h, user, h.code())).toBe('ok');
  });

  it('an expired challenge', async () => {
    const { h, user } = await nearLock();
    const ch = await h.service.beginChallenge(user);
    h.clock.advance(300_000);
    await expect(h.service.completeChallenge(ch.challengeId, user, h.code())).rejects.toMatchObject(
      { code: 'CHALLENGE_EXPIRED' },
    );
    expect(await tryCode(h, user, h.code())).toBe('ok');
  });

  it('a provider outage', async () => {
    const { h, user } = await nearLock();
    const ch = await h.service.beginChallenge(user);
    h.provider.behaviour = { kind: 'unavailable' };
    await expect(h.service.completeChallenge(ch.challengeId, user, h.code())).rejects.toMatchObject(
      { code: 'PROVIDER_UNAVAILABLE' },
    );
    h.provider.behaviour = { kind: 'normal' };
    expect(await h.service.throttleStatus(user)).toMatchObject({ failures: 4, locked: false });
    expect((await h.service.completeChallenge(ch.challengeId, user, h.code())).ok).toBe(true);
  });

  it('polling a push that is still waiting', async () => {
    const { h, user } = await nearLock();
    const ch = await h.service.beginChallenge(user);
    h.provider.behaviour = { kind: 'verify-returns', value: { ok: false, reason: 'WAITING' } };
    for (let i = 0; i < 5; i++)
      expect(await h.service.completeChallenge(ch.challengeId, user, { poll: true })).toEqual({
        ok: false,
        waiting: true,
        id: ch.challengeId,
      });
    h.provider.behaviour = { kind: 'normal' };
    expect((await h.service.completeChallenge(ch.challengeId, user, h.code())).ok).toBe(true);
  });
});

describe('activation answers share the budget (DA-07, BF-04)', () => {
  it('wrong activation answers count; a right one gives its attempt back without resetting earlier failures', async () => {
    const h = clockHarness({ policy: { throttle: { maxFailures: 10, freeFailures: 10 } } });
    const user = testUser();
    const a = await h.service.beginActivation(user, 'clock-code');
    await expect(
      h.service.completeActivation(a.activationId, user, wrong(h)),
    ).rejects.toMatchObject({ code: 'INVALID_CODE' });
    await expect(
      h.service.completeActivation(a.activationId, user, wrong(h)),
    ).rejects.toMatchObject({ code: 'INVALID_CODE' });
    expect((await h.service.throttleStatus(user)).failures).toBe(2);
    expect((await h.service.completeActivation(a.activationId, user, h.code())).ok).toBe(true);
    expect((await h.service.throttleStatus(user)).failures).toBe(2);
  });

  it('a locked user cannot guess through activation either', async () => {
    const h = clockHarness({ policy: { throttle: { maxFailures: 3, freeFailures: 3 } } });
    const user = testUser();
    for (let i = 0; i < 3; i++) {
      const a = await h.service.beginActivation(user, 'clock-code');
      await h.service.completeActivation(a.activationId, user, wrong(h)).catch(() => undefined);
    }
    const a = await h.service.beginActivation(user, 'clock-code');
    await expect(
      h.service.completeActivation(a.activationId, user, h.code()),
    ).rejects.toMatchObject({ code: 'LOCKED' });
    expect(await h.service.listEnrollments(user)).toEqual([]);
  });
});
