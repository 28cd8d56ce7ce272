import type { EnrollmentStore, PendingStore, ThrottleStore } from './types.js';

/** The methods a store must have: its optional ones (shortcuts core can do without) left out. */
type Required<T> = { [K in keyof T]-?: undefined extends T[K] ? never : K }[keyof T];

/**
 * Every method of each store interface, with the feature that brought it. One list serves the
 * service (which refuses incomplete stores when it is built) and the store contract suite (whose
 * every check fails first with the same message): a store written against an earlier contract is
 * told by name what it lacks, instead of failing later with "x is not a function".
 */
export const STORE_METHODS: {
  // Keyed by each interface's own method names: the compiler refuses a list that forgets one.
  readonly enrollments: Readonly<Record<Required<EnrollmentStore>, string>>;
  readonly pending: Readonly<Record<Required<PendingStore>, string>>;
  readonly throttle: Readonly<Record<Required<ThrottleStore>, string>>;
} = {
  enrollments: {
    activate: 'the first contract',
    get: 'the first contract',
    listByUser: 'the first contract',
    advanceCounter: 'the first contract',
    touch: 'the first contract',
    remove: 'the first contract',
    removeAllForUser: 'the first contract',
    replaceSecret: 'the first contract',
    listAll: 'the first contract',
    replaceRecoveryCodes: 'the first contract',
    consumeRecoveryCode: 'the first contract',
    countRecoveryCodes: 'the first contract',
    generation: 'resets that end steps in flight (EN-05)',
    graceDeadline: 'enrollment grace periods (EN-06)',
    peekGraceDeadline: 'enrollment grace periods (EN-06)',
    rename: 'several factors per provider (EN-08)',
    findByLookupKey: 'one authenticator, one enrollment (WA-12)',
    trustDevice: 'remembered devices (FL-09)',
    useTrustedDevice: 'remembered devices (FL-09)',
    listTrustedDevices: 'remembered devices (FL-09)',
    revokeTrustedDevice: 'remembered devices (FL-09)',
    revokeTrustedDevices: 'remembered devices (FL-09)',
    appendSecurityEvent: 'the security timeline (LG-05)',
    listSecurityEvents: 'the security timeline (LG-05)',
    purgeSecurityEvents: 'the security timeline (LG-05)',
  },
  pending: {
    create: 'the first contract',
    take: 'the first contract',
    restore: 'the first contract',
    peek: 'the first contract',
    deleteForUser: 'the first contract',
  },
  throttle: {
    reserve: 'the first contract',
    refund: 'the first contract',
    reset: 'the first contract',
    inspect: 'the first contract',
    takeQuota: 'atomic quotas (CC-03, BF-05)',
    releaseQuota: 'atomic quotas (CC-03, BF-05)',
  },
};

/**
 * What `stores` lacks, as `enrollments.rename (several factors per provider)`; empty when
 * complete. A missing store is reported as a whole.
 */
export function missingStoreMethods(stores: unknown): string[] {
  const raw = stores as Record<string, Record<string, unknown> | undefined> | null | undefined;
  const missing: string[] = [];
  for (const [name, methods] of Object.entries(STORE_METHODS)) {
    const store = raw?.[name];
    if (typeof store !== 'object' || store === null) {
      missing.push(`${name} (the whole store)`);
      continue;
    }
    for (const [method, feature] of Object.entries(methods as Record<string, string>)) {
      if (typeof store[method] !== 'function') missing.push(`${name}.${method} (${feature})`);
    }
  }
  return missing;
}

/** The message both the service and the contract suite give for an incomplete store. */
export function incompleteStoresMessage(missing: readonly string[]): string {
  return `The stores do not implement this version of the store contract. Missing: ${missing.join(', ')}. Implement them (see "Writing a store" in @factorkit/core's README) or upgrade the store package; core's own MemoryStore and openSqlStores() implement them all.`;
}
