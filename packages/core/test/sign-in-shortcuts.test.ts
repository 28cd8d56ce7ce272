/**
 * The optional store shortcuts (issue 17: fewer round trips per sign-in) are used when a store
 * offers them and only then: a store written against the plain contract signs in exactly as
 * before, and a pending store's joined take is trusted only with its own enrollment store.
 */
import { describe, expect, it } from 'vitest';
import type {
  EnrollmentStore,
  FactorkitError,
  FactorkitStores,
  PendingStore,
  TwoFactorService,
} from '../src/index.js';
import { MemoryStore, testUser } from '../src/testing/index.js';
import { clockHarness } from './support/setup.js';

/**
 * The memory stores with the two enrollment shortcuts added, built from the plain methods (the
 * memory store itself offers none, so that core's fault-injection tests, which intercept the
 * plain methods, keep testing what they name).
 */
function withShortcuts(m: MemoryStore): FactorkitStores {
  const e = m.enrollments;
  const enrollments = Object.assign(Object.create(e) as object, {
    async advanceCounterReadingGeneration(id: string, userId: string, c: number, now: number) {
      const advanced = await e.advanceCounter(id, c, now);
      return { advanced, generation: await e.generation(userId) };
    },
    async signInState(userId: string, withCodes: boolean) {
      return {
        enrollments: await e.listByUser(userId),
        recoveryCodes: withCodes ? await e.countRecoveryCodes(userId) : 0,
        generation: await e.generation(userId),
      };
    },
  }) as unknown as EnrollmentStore;
  return { enrollments, pending: m.pending, throttle: m.throttle };
}

async function attempt(service: TwoFactorService, user: ReturnType<typeof testUser>, code: string) {
  const ch = await service.beginChallenge(user);
  return service.completeChallenge(ch.challengeId, user, code).then(
    (r) => (r.ok ? 'ok' : 'waiting'),
    (err: unknown) => (err as FactorkitError).code,
  );
}

describe('sign-in store shortcuts', () => {
  for (const [name, make] of [
    ['with the shortcuts', withShortcuts],
    ['without them (the plain contract)', (m: MemoryStore): FactorkitStores => m],
  ] as const) {
    it(`${name}: right, wrong, replayed and after a reset as before`, async () => {
      const stores = make(new MemoryStore());
      const used = { signInState: 0, advance: 0 };
      const counted = new Proxy(stores.enrollments, {
        get(t, p, r) {
          const v = Reflect.get(t, p, r) as unknown;
          if (typeof v === 'function' && p === 'signInState') used.signInState++;
          if (typeof v === 'function' && p === 'advanceCounterReadingGeneration') used.advance++;
          return v;
        },
      });
      const h = clockHarness({ stores: { ...stores, enrollments: counted } });
      const user = testUser();
      await h.enroll(user);
      const wrong = h.code() === '000000' ? '111111' : '000000';
      expect(await attempt(h.service, user, wrong)).toBe('INVALID_CODE');
      const right = h.code();
      expect(await attempt(h.service, user, right)).toBe('ok');
      expect(await attempt(h.service, user, right)).toBe('CODE_ALREADY_USED');
      // A removal between begin and complete ends the step (EN-05).
      h.clock.advance(30_000);
      const ch = await h.service.beginChallenge(user);
      await h.stores.enrollments.removeAllForUser(user.id);
      await expect(
        h.service.completeChallenge(ch.challengeId, user, h.code()),
      ).rejects.toMatchObject({ code: 'CHALLENGE_NOT_FOUND' });
      const offered = make === withShortcuts;
      expect(used.signInState > 0).toBe(offered);
      expect(used.advance > 0).toBe(offered);
    });
  }

  it("a pending store's joined take is used with its own enrollment store only", async () => {
    const m = new MemoryStore();
    let joinedCalls = 0;
    const joining = (enrollments: unknown) =>
      Object.assign(Object.create(m.pending) as object, {
        joinedEnrollments: enrollments,
        async takeWithEnrollment(id: string, userId: string, kind: 'challenge' | 'activation') {
          joinedCalls++;
          const record = await m.pending.take(id, userId, kind);
          if (!record) return null;
          const e = record.enrollmentId ? await m.enrollments.get(record.enrollmentId) : null;
          return { record, enrollment: e };
        },
      }) as unknown as PendingStore;
    for (const [joinedTo, used] of [
      [new MemoryStore().enrollments, 0],
      [m.enrollments, 1],
    ] as const) {
      joinedCalls = 0;
      const stores = {
        enrollments: m.enrollments,
        pending: joining(joinedTo),
        throttle: m.throttle,
      };
      const h = clockHarness({ stores });
      const user = testUser();
      await h.enroll(user);
      expect(await attempt(h.service, user, h.code())).toBe('ok');
      expect(joinedCalls).toBe(used);
    }
  });
});
