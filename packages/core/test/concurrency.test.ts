/**
 * Races (ASVS 15.4.2 check-and-act as one atomic operation; CC-01, CC-02, CC-03).
 */
import { describe, expect, it } from 'vitest';
import { FactorkitError, TwoFactorService } from '../src/index.js';
import { testUser } from '../src/testing/index.js';
import { clockHarness } from './support/setup.js';

describe('concurrency', () => {
  it('50 parallel completions of one challenge with the right answer give exactly one success', async () => {
    // A wide budget, so that every request reaches the atomic take (none is rate-limited first).
    const h = clockHarness({ policy: { throttle: { maxFailures: 100, freeFailures: 100 } } });
    const user = testUser();
    await h.enroll(user);
    const ch = await h.service.beginChallenge(user);
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, () => h.service.completeChallenge(ch.challengeId, user, h.code())),
    );
    const ok = results.filter((r) => r.status === 'fulfilled' && r.value.ok === true);
    expect(ok).toHaveLength(1);
    for (const r of results)
      if (r.status === 'rejected')
        expect((r.reason as FactorkitError).code).toBe('CHALLENGE_NOT_FOUND');
  });

  it('CC-01: the same code on 50 different challenges of one user, through two service instances, succeeds once', async () => {
    const h = clockHarness({
      policy: { throttle: { maxFailures: 100, freeFailures: 100, permanentLockAfter: 100 } },
    });
    const other = new TwoFactorService({
      registry: h.registry,
      config: h.config,
      stores: h.stores,
    });
    const user = testUser();
    await h.enroll(user);
    const services = [h.service, other];
    const challenges = await Promise.all(
      Array.from({ length: 50 }, (_, i) => services[i % 2]!.beginChallenge(user)),
    );
    const code = h.code();
    const results = await Promise.allSettled(
      challenges.map((c, i) => services[(i + 1) % 2]!.completeChallenge(c.challengeId, user, code)),
    );
    expect(results.filter((r) => r.status === 'fulfilled' && r.value.ok === true)).toHaveLength(1);
    const codes = results
      .filter((r) => r.status === 'rejected')
      .map((r) => (r.reason as FactorkitError).code);
    expect(new Set(codes)).toEqual(new Set(['CODE_ALREADY_USED']));
  });

  it('CC-02: one recovery code raced 30 times is consumed once', async () => {
    const h = clockHarness({
      policy: { throttle: { maxFailures: 100, freeFailures: 100, permanentLockAfter: 100 } },
    });
    const user = testUser();
    const codes = await h.enroll(user);
    const results = await Promise.allSettled(
      Array.from({ length: 30 }, () => h.service.useRecoveryCode(user, codes[0])),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect((await h.service.recoveryCodeStatus(user)).remaining).toBe(9);
  });

  it('CC-03: 150 parallel wrong answers against a limit of 10 evaluate at most 10', async () => {
    const h = clockHarness({
      policy: { throttle: { maxFailures: 10, freeFailures: 10, permanentLockAfter: 100 } },
    });
    const user = testUser();
    await h.enroll(user);
    const challenges = await Promise.all(
      Array.from({ length: 150 }, () => h.service.beginChallenge(user)),
    );
    let evaluated = 0;
    const original = h.provider.verify.bind(h.provider);
    h.provider.verify = async (...args) => {
      evaluated++;
      return original(...args);
    };
    await Promise.allSettled(
      challenges.map((c) => h.service.completeChallenge(c.challengeId, user, '000001')),
    );
    expect(evaluated).toBe(10);
    expect((await h.service.throttleStatus(user)).failures).toBe(10);
  });
});
