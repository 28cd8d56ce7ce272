/**
 * What every `SecondStepStore` must do, run against each implementation (memory, Redis).
 * `make` gives a fresh, empty store; `expire` makes its entries of `ttlMs` pass their expiry
 * (a clock moved for the memory store, a real wait for Redis).
 */
import { expect, it } from 'vitest';
import { testUser } from '@factorkit/core/testing';
import type { SecondStepState, SecondStepStore } from '../src/index.js';

export interface StoreUnderTest {
  readonly store: SecondStepStore;
  /** Lets entries written with `ttlMs` reach their expiry. */
  expire(ttlMs: number): Promise<void>;
}

const pending = (csrfSecret = 's'): Extract<SecondStepState, { phase: 'pending' }> => ({
  phase: 'pending',
  user: testUser({ id: 'user-1', audience: 'client' }),
  csrfSecret,
});

export function secondStepStoreContract(make: () => Promise<StoreUnderTest>): void {
  it('keeps a state whole, with a revision beside it', async () => {
    const { store } = await make();
    const state: SecondStepState = {
      ...pending(),
      challenge: { id: 'ch', providerId: 'totp', enrollmentId: 'en', expiresAt: 123 },
      page: { flash: { code: 'INVALID_CODE', retryAfter: null } },
    };
    await store.put('sid', state, 60_000);
    const read = await store.get('sid');
    expect(read).toEqual({ ...state, revision: read?.revision });
    expect(typeof read?.revision).toBe('number');
    expect(await store.get('other')).toBeUndefined();
  });

  it('a revision passed to put is ignored: the store gives its own', async () => {
    const { store } = await make();
    await store.put('sid', { ...pending(), revision: 999_999 }, 60_000);
    const read = (await store.get('sid'))!;
    expect(read.revision).not.toBe(999_999);
    expect(await store.replace('sid', 999_999, pending('x'), 60_000)).toBe(false);
    expect(await store.replace('sid', read.revision!, pending('x'), 60_000)).toBe(true);
  });

  it('FL-15: replace wins only on the revision read; a stale one changes nothing', async () => {
    const { store } = await make();
    await store.put('sid', pending(), 60_000);
    const read = (await store.get('sid'))!;
    expect(await store.replace('sid', read.revision!, pending('first'), 60_000)).toBe(true);
    expect(await store.replace('sid', read.revision!, pending('stale'), 60_000)).toBe(false);
    expect(await store.replace('sid', read.revision!, null, 60_000)).toBe(false);
    const now = (await store.get('sid'))!;
    expect(now.csrfSecret).toBe('first');
    expect(now.revision).not.toBe(read.revision);
    expect(await store.replace('sid', now.revision!, null, 0)).toBe(true);
    expect(await store.get('sid')).toBeUndefined();
    expect(await store.replace('missing', 1, pending(), 60_000)).toBe(false);
    expect(await store.get('missing')).toBeUndefined();
  });

  it('FL-15: a state removed and written again never matches an old revision', async () => {
    const { store } = await make();
    await store.put('sid', pending(), 60_000);
    const old = (await store.get('sid'))!;
    await store.delete('sid');
    await store.put('sid', pending(), 60_000);
    expect(await store.replace('sid', old.revision!, null, 0)).toBe(false);
    await store.put('sid', pending('rewritten'), 60_000);
    expect(await store.replace('sid', old.revision!, pending('stale'), 60_000)).toBe(false);
    expect((await store.get('sid'))?.csrfSecret).toBe('rewritten');
  });

  it('put overwrites whatever was there; delete removes it', async () => {
    const { store } = await make();
    await store.put('sid', pending('a'), 60_000);
    await store.put('sid', pending('b'), 60_000);
    expect((await store.get('sid'))?.csrfSecret).toBe('b');
    await store.delete('sid');
    expect(await store.get('sid')).toBeUndefined();
    await store.delete('sid');
  });

  it('an entry expires after its ttl, and an expired one cannot be replaced', async () => {
    const t = await make();
    await t.store.put('short', pending(), 300);
    await t.store.put('long', pending(), 60_000);
    const read = (await t.store.get('short'))!;
    await t.expire(300);
    expect(await t.store.get('short')).toBeUndefined();
    expect(await t.store.replace('short', read.revision!, pending('late'), 60_000)).toBe(false);
    expect(await t.store.get('short')).toBeUndefined();
    expect(await t.store.get('long')).toBeDefined();
  });

  it('a replace sets the new ttl', async () => {
    const t = await make();
    await t.store.put('sid', pending(), 60_000);
    const read = (await t.store.get('sid'))!;
    expect(await t.store.replace('sid', read.revision!, pending('x'), 300)).toBe(true);
    await t.expire(300);
    expect(await t.store.get('sid')).toBeUndefined();
  });

  it('FL-15: of 50 parallel replaces on one revision, exactly one wins', async () => {
    const { store } = await make();
    await store.put('sid', pending(), 60_000);
    const read = (await store.get('sid'))!;
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        store.replace('sid', read.revision!, pending(`writer-${i}`), 60_000),
      ),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = results.indexOf(true);
    expect((await store.get('sid'))?.csrfSecret).toBe(`writer-${winner}`);
  });
}
