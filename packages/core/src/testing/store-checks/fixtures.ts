import { randomBytes } from 'node:crypto';
import type {
  EnrollmentRecord,
  FactorkitStores,
  PendingRecord,
  ThrottleSchedule,
} from '../../store/types.js';

/** One behaviour of the store contract, run on fresh stores. */
export interface StoreCase {
  readonly name: string;
  run(stores: FactorkitStores): Promise<void>;
}

export const storeCase = (name: string, run: (s: FactorkitStores) => Promise<void>): StoreCase => ({
  name,
  run,
});

export const id = (): string => randomBytes(32).toString('base64url');

/** A fixed caller's clock (2027), far from any real Redis or database time. */
export const NOW = 1_800_000_000_000;

export function pending(overrides: Partial<PendingRecord> = {}): PendingRecord {
  return {
    id: id(),
    kind: 'challenge',
    userId: 'u1',
    providerId: 'p',
    enrollmentId: 'e1',
    payload: 'sealed',
    attempts: 0,
    createdAt: NOW,
    expiresAt: NOW + 300_000,
    ...overrides,
  };
}

export function enrollment(overrides: Partial<EnrollmentRecord> = {}): EnrollmentRecord {
  return {
    id: id(),
    userId: 'u1',
    providerId: 'p',
    label: 'P',
    secret: 'sealed-' + id(),
    counter: null,
    createdAt: NOW,
    lastUsedAt: null,
    ...overrides,
  };
}

export const SCHEDULE: ThrottleSchedule = {
  freeFailures: 2,
  baseDelayMs: 1000,
  maxDelayMs: 8000,
  lockAfter: 5,
  lockMs: 60_000,
  permanentAfter: 7,
};
