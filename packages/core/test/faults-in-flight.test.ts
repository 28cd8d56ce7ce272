/**
 * Faults that are not the user's guess are never counted as one (OUT-05, BF-04): a key-ring or
 * row fault when the enrollment is opened, our own store failing under a provider's quota take.
 * And inputs that have no single meaning are refused (IN-01).
 */
import { describe, expect, it } from 'vitest';
import { MemoryStore, StoreUnavailableError, type FactorkitStores } from '../src/index.js';
import { interceptStores, testUser } from '../src/testing/index.js';
import { clockHarness } from './support/setup.js';

describe('faults in flight are not guesses', () => {
  it('OUT-05, SS-03: an enrollment that no longer opens is SECRET_DECRYPT_FAILED, refunded, the step kept', async () => {
    const h = clockHarness();
    const user = testUser();
    await h.enroll(user);
    const ch = await h.service.beginChallenge(user);
    const [e] = await h.stores.enrollments.listByUser(user.id);
    await h.stores.enrollments.replaceSecret(e!.id, e!.secret, e!.secret.slice(0, -4) + 'AAAA');
    await expect(h.service.completeChallenge(ch.challengeId, user, h.code())).rejects.toMatchObject(
      { code: 'SECRET_DECRYPT_FAILED' },
    );
    expect((await h.service.throttleStatus(user)).failures).toBe(0);
    expect(h.audit.ofType('failed')).toHaveLength(0);
  });

  it('OUT-05: a store failure inside the provider hook is STORE_UNAVAILABLE, not counted, the step kept', async () => {
    let failQuota = false;
    const stores: FactorkitStores = interceptStores(new MemoryStore(), ({ method }) => {
      if (failQuota && method === 'takeQuota') throw new StoreUnavailableError();
    });
    const h = clockHarness({ stores });
    const user = testUser();
    await h.enroll(user);
    const ch = await h.service.beginChallenge(user);
    const verify = h.provider.verify.bind(h.provider);
    h.provider.verify = async (ctx, ...rest) => {
      await ctx.quota!.take('sms', 3, 60_000);
      return verify(ctx, ...rest);
    };
    failQuota = true;
    await expect(h.service.completeChallenge(ch.challengeId, user, h.code())).rejects.toMatchObject(
      { code: 'STORE_UNAVAILABLE' },
    );
    expect((await h.service.throttleStatus(user)).failures).toBe(0);
    // The store is back: the same step still takes the right answer.
    failQuota = false;
    expect((await h.service.completeChallenge(ch.challengeId, user, h.code())).ok).toBe(true);
  });

  it('IN-01: a user id with half a surrogate pair is refused before any store sees it', async () => {
    const h = clockHarness();
    for (const id of ['a\uD800', '\uDC00b', 'x\uDBFFy']) {
      const user = testUser({ id });
      await expect(h.service.useRecoveryCode(user, 'x')).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
      });
      await expect(h.service.beginActivation(user, 'clock-code')).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
      });
    }
    // A well-formed astral character is an ordinary id.
    const ok = testUser({ id: 'user-\u{1F600}' });
    expect((await h.service.beginActivation(ok, 'clock-code')).prompt.kind).toBe('code-entry');
  });
});
