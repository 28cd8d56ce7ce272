/**
 * Lookup keys in the activation flow (SECURITY.md WA-12): an authenticator another enrollment of
 * the provider holds is refused with the provider's reason, for the same user or another; a
 * malformed key fails closed and binds nothing.
 */
import { describe, expect, it } from 'vitest';
import { FactorkitError } from '../src/index.js';
import { createHarness, testUser, type Harness } from '../src/testing/index.js';
import { BadgeProvider, type BadgeAnswer } from './support/badge-provider.js';

const harness = () => createHarness({ providers: [BadgeProvider] });

async function activate(h: Harness, user: ReturnType<typeof testUser>, answer: BadgeAnswer) {
  const started = await h.service.beginActivation(user, 'badge');
  try {
    const done = await h.service.completeActivation(started.activationId, user, answer);
    return { code: done.ok ? 'SUCCESS' : 'NOT_OK' };
  } catch (err) {
    if (!(err instanceof FactorkitError)) throw err;
    return { code: err.code, details: err.details };
  }
}

const key = (k: string) => ({ key: k, takenReason: 'BADGE_TAKEN' });

describe('lookup keys', () => {
  it('WA-12: a key another enrollment holds is refused with the provider reason, for anyone; removal frees it', async () => {
    const h = harness();
    const owner = testUser();
    expect(await activate(h, owner, { badge: 'b1', lookupKey: key('badge-1') })).toEqual({
      code: 'SUCCESS',
    });
    const taken = {
      code: 'ALREADY_ENROLLED',
      details: { providerId: 'badge', reason: 'BADGE_TAKEN' },
    };
    const other = testUser();
    expect(await activate(h, other, { badge: 'b1', lookupKey: key('badge-1') })).toEqual(taken);
    expect(await activate(h, owner, { badge: 'b1', lookupKey: key('badge-1') })).toEqual(taken);
    expect(await h.stores.enrollments.listByUser(other.id)).toEqual([]);
    expect((await h.stores.enrollments.listByUser(owner.id)).length).toBe(1);
    expect(h.audit.ofType('activation.failed').map((e) => e.reason)).toEqual([
      'BADGE_TAKEN',
      'BADGE_TAKEN',
    ]);
    // Without a key, or with another one, the same provider binds as usual.
    expect(await activate(h, other, { badge: 'b1' })).toEqual({ code: 'SUCCESS' });
    expect(await activate(h, other, { badge: 'b2', lookupKey: key('badge-2') })).toEqual({
      code: 'SUCCESS',
    });
    const [held] = await h.stores.enrollments.listByUser(owner.id);
    await h.stores.enrollments.remove(owner.id, held!.id);
    expect(await activate(h, other, { badge: 'b1', lookupKey: key('badge-1') })).toEqual({
      code: 'SUCCESS',
    });
  });

  it('WA-12: a malformed lookup key fails closed as PROVIDER_ERROR and stores nothing', async () => {
    const h = harness();
    const user = testUser();
    class Keyish {
      key = 'k';
      takenReason = 'TAKEN';
    }
    const getter = {
      get key() {
        return 'k';
      },
      takenReason: 'TAKEN',
    };
    const malformed: unknown[] = [
      'just-a-string',
      null,
      { key: 'has space', takenReason: 'TAKEN' },
      { key: 'x'.repeat(129), takenReason: 'TAKEN' },
      { key: '', takenReason: 'TAKEN' },
      { key: 'k' },
      { key: 'k', takenReason: 'lower_case' },
      { key: 'k', takenReason: 'TAKEN\nstatus=OK' },
      new Keyish(),
      getter,
    ];
    // A user each: an ERROR counts against the budget, and the point here is the refusal.
    for (const lookupKey of malformed) {
      const someone = testUser();
      expect((await activate(h, someone, { badge: 'b', lookupKey })).code).toBe('PROVIDER_ERROR');
      expect(await h.stores.enrollments.listByUser(someone.id)).toEqual([]);
    }
    // The longest well-formed key is accepted.
    expect(
      (await activate(h, user, { badge: 'b', lookupKey: key('a.b:c_d-'.padEnd(128, 'z')) })).code,
    ).toBe('SUCCESS');
  });
});
