/**
 * A store written against an earlier store contract fails the current contract suite, every
 * check of it, with a message that names each missing method and the feature it belongs to.
 */
import { describe, expect, it } from 'vitest';
import { MemoryStore, type FactorkitStores } from '../src/index.js';
import { storeContractChecks } from '../src/testing/index.js';

/** A memory store that lacks `without` (as one written before those methods existed would). */
function olderStore(without: Readonly<Record<keyof FactorkitStores, readonly string[]>>) {
  const full = new MemoryStore();
  const strip = (store: object, drop: readonly string[]) =>
    new Proxy(store, {
      get: (target, prop, receiver) =>
        typeof prop === 'string' && drop.includes(prop)
          ? undefined
          : (Reflect.get(target, prop, receiver) as unknown),
    });
  return {
    enrollments: strip(full.enrollments, without.enrollments),
    pending: strip(full.pending, without.pending),
    throttle: strip(full.throttle, without.throttle),
  } as FactorkitStores;
}

/** The methods the newest features brought: what a store of the previous release lacks. */
const NEWEST = {
  enrollments: [
    'rename',
    'trustDevice',
    'useTrustedDevice',
    'listTrustedDevices',
    'revokeTrustedDevice',
    'revokeTrustedDevices',
    'appendSecurityEvent',
    'listSecurityEvents',
    'purgeSecurityEvents',
  ],
  pending: [],
  throttle: [],
} as const;

describe('the store contract names what an older store lacks', () => {
  it('every check fails with one message naming each missing method and its feature', async () => {
    const checks = storeContractChecks({ create: async () => olderStore(NEWEST) });
    expect(checks.length).toBeGreaterThan(20);
    const failures = await Promise.all(
      checks.map((c) =>
        c.run().then(
          () => null,
          (err: unknown) => (err as Error).message,
        ),
      ),
    );
    expect(failures.filter((m) => m === null)).toEqual([]);
    for (const message of failures) {
      expect(message).toContain(
        'Missing: enrollments.rename (several factors per provider (EN-08)), enrollments.trustDevice (remembered devices (FL-09)), enrollments.useTrustedDevice (remembered devices (FL-09)), enrollments.listTrustedDevices (remembered devices (FL-09)), enrollments.revokeTrustedDevice (remembered devices (FL-09)), enrollments.revokeTrustedDevices (remembered devices (FL-09)), enrollments.appendSecurityEvent (the security timeline (LG-05)), enrollments.listSecurityEvents (the security timeline (LG-05)), enrollments.purgeSecurityEvents (the security timeline (LG-05)).',
      );
    }
    expect(checks[0]!.name).toMatch(/implement every method of this contract version/);
  });

  it('the complete memory store passes that first check', async () => {
    const [first] = storeContractChecks({ create: async () => new MemoryStore() });
    await expect(first!.run()).resolves.toBeUndefined();
  });
});
