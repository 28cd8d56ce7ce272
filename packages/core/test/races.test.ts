/**
 * Races between management actions and sign-ins (ASVS 15.4.2 check-and-act atomically, 2.3.3;
 * EN-03, CC-05). A store that answers slowly (as a database does) widens the windows.
 */
import { describe, expect, it } from 'vitest';
import { MemoryStore, type EnrollmentStore } from '../src/index.js';
import { FakeClock, testUser } from '../src/testing/index.js';
import { ClockCodeProvider } from './support/clock-code-provider.js';
import { clockHarness } from './support/setup.js';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Memory stores whose named enrollment operations wait before running (each still atomic). */
function slowStores(delays: Record<string, number>): MemoryStore {
  const base = new MemoryStore();
  const enrollments = new Proxy(base.enrollments, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v !== 'function') return v;
      return async (...args: unknown[]) => {
        await tick(delays[String(prop)] ?? 0);
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  }) as EnrollmentStore;
  return Object.assign(Object.create(MemoryStore.prototype) as MemoryStore, {
    ...base,
    enrollments,
  });
}

describe('races', () => {
  it('CC-05: regenerating codes while an admin resets leaves no code behind, and re-enrolling issues a fresh set', async () => {
    const h = clockHarness({ stores: slowStores({ replaceRecoveryCodes: 30 }) });
    const user = testUser();
    await h.enroll(user);
    const [regen] = await Promise.allSettled([
      h.service.regenerateRecoveryCodes(user),
      h.service.adminReset({ actorId: 'admin', reason: 'account compromised' }, user),
    ]);
    expect((await h.service.recoveryCodeStatus(user)).remaining).toBe(0);
    const fresh = await h.enroll(user);
    expect(fresh).toHaveLength(10);
    if (regen.status === 'fulfilled') {
      await expect(h.service.useRecoveryCode(user, regen.value[0])).rejects.toMatchObject({
        code: 'INVALID_CODE',
      });
    } else {
      expect(regen.reason).toMatchObject({ code: 'NOT_ENROLLED' });
    }
  });

  it('two parallel disables never remove the last factor while 2FA is forced', async () => {
    const clock = new FakeClock();
    const second = Object.assign(new ClockCodeProvider(clock), { id: 'clock-code-2' });
    const h2 = clockHarness({
      policy: { audiences: { client: { force: true } } },
      providers: [ClockCodeProvider, second],
      clock,
    });
    const user = testUser();
    await h2.enroll(user);
    const a = await h2.service.beginActivation(user, 'clock-code-2');
    await h2.service.completeActivation(a.activationId, user, h2.code());
    const results = await Promise.allSettled([
      h2.service.disable(user, 'clock-code'),
      h2.service.disable(user, 'clock-code-2'),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({
      reason: { code: 'POLICY_DENIED' },
    });
    expect(await h2.service.listEnrollments(user)).toHaveLength(1);
  });

  it('EN-03: an answer in flight when an admin resets the user does not sign in (counter provider)', async () => {
    const h = clockHarness();
    const user = testUser();
    await h.enroll(user);
    const ch = await h.service.beginChallenge(user);
    const verify = h.provider.verify.bind(h.provider);
    h.provider.verify = async (...args) => {
      await h.service.adminReset({ actorId: 'admin', reason: 'device stolen' }, user);
      return verify(...args);
    };
    await expect(h.service.completeChallenge(ch.challengeId, user, h.code())).rejects.toMatchObject(
      {
        code: 'CHALLENGE_NOT_FOUND',
      },
    );
    expect(h.audit.ofType('verified')).toHaveLength(0);
  });

  it('EN-03: the same holds for a provider without counters', async () => {
    const clock = new FakeClock();
    const plain = new ClockCodeProvider(clock);
    Object.defineProperty(plain, 'capabilities', {
      value: { ...plain.capabilities, replayCounter: false },
    });
    const h = clockHarness({ providers: [plain], clock });
    const user = testUser();
    await h.enroll(user);
    const ch = await h.service.beginChallenge(user);
    const verify = plain.verify.bind(plain);
    plain.verify = async (...args) => {
      await h.service.adminReset({ actorId: 'admin', reason: 'device stolen' }, user);
      return verify(...args);
    };
    await expect(h.service.completeChallenge(ch.challengeId, user, h.code())).rejects.toMatchObject(
      {
        code: 'CHALLENGE_NOT_FOUND',
      },
    );
  });

  it('EN-05, EN-03: removing the previous factor during an activation ends that activation: no factor, no codes', async () => {
    const clock = new FakeClock();
    const second = Object.assign(new ClockCodeProvider(clock), { id: 'clock-code-2' });
    const h = clockHarness({ providers: [ClockCodeProvider, second], clock });
    const user = testUser();
    await h.enroll(user);
    const a = await h.service.beginActivation(user, 'clock-code-2');
    const complete = second.completeActivation.bind(second);
    second.completeActivation = async (...args) => {
      await h.service.disable(user, 'clock-code'); // on another instance, meanwhile
      return complete(...args);
    };
    // The removal ends every step begun before it (it used to let this one bind a lone factor;
    // the store still issues codes with a first factor, which its contract suite proves).
    await expect(
      h.service.completeActivation(a.activationId, user, h.code()),
    ).rejects.toMatchObject({ code: 'CHALLENGE_NOT_FOUND' });
    expect(await h.service.listEnrollments(user)).toHaveLength(0);
    expect((await h.service.recoveryCodeStatus(user)).remaining).toBe(0);
  });

  it('an answer in flight when the user removes that factor is refused and not counted', async () => {
    const clock = new FakeClock();
    const second = Object.assign(new ClockCodeProvider(clock), { id: 'clock-code-2' });
    const h = clockHarness({ providers: [ClockCodeProvider, second], clock });
    const user = testUser();
    await h.enroll(user);
    const a = await h.service.beginActivation(user, 'clock-code-2');
    await h.service.completeActivation(a.activationId, user, h.code());
    h.clock.advance(30_000);
    const ch = await h.service.beginChallenge(user, 'clock-code');
    const verify = h.provider.verify.bind(h.provider);
    h.provider.verify = async (...args) => {
      await h.service.disable(user, 'clock-code');
      return verify(...args);
    };
    await expect(h.service.completeChallenge(ch.challengeId, user, h.code())).rejects.toMatchObject(
      {
        code: 'CHALLENGE_NOT_FOUND',
      },
    );
    expect((await h.service.throttleStatus(user)).failures).toBe(0);
  });
});
