/**
 * Store interfaces. Every operation that decides a security outcome is atomic inside the store
 * itself, so that two app instances sharing a database can never both accept the same code:
 * - `PendingStore.take` deletes and returns in one step, and only for the right user and kind;
 * - `EnrollmentStore.advanceCounter` is a compare-and-set that only moves the counter up;
 * - `EnrollmentStore.consumeRecoveryCode` marks a code used only if it was unused;
 * - `ThrottleStore.reserve` checks the lock and counts the attempt in one step, before the
 *   answer is evaluated (so parallel guesses cannot exceed the budget);
 * - `ThrottleStore.takeQuota` checks the window and takes a unit in one step (so parallel
 *   sign-ins cannot send more pushes than the cap).
 * Adapters for SQL and Redis implement the same interfaces; `@factorkit/core/testing` exports a
 * contract suite every adapter must pass.
 */

import type { SecurityTimelineStore } from './timeline-types.js';

export type * from './timeline-types.js';
export {
  MAX_TIMELINE_PAGE,
  TIMELINE_PURGE_BATCH,
  assertTimelineKeep,
  assertTimelinePurge,
  assertTimelineQuery,
} from './timeline-types.js';

import type { TrustedDeviceStore } from './device-types.js';

export type PendingKind = 'activation' | 'challenge';

export interface PendingRecord {
  /** The one-time token handed to the host (>= 256 bits from the CSPRNG). */
  readonly id: string;
  readonly kind: PendingKind;
  readonly userId: string;
  readonly providerId: string;
  /** The enrollment a challenge is for; absent for activations. */
  readonly enrollmentId?: string;
  /**
   * Provider state, sealed by core (AES-256-GCM, bound to id, user, provider and kind); for a
   * `statelessChallenge` provider's challenge, which has none, the plain `fk0.<generation>`.
   */
  readonly payload: string;
  /** Wrong answers so far on this pending step. */
  readonly attempts: number;
  readonly createdAt: number;
  readonly expiresAt: number;
}

/**
 * How long after its expiry a pending record is kept by default, so that a late answer is still
 * reported as expired (CHALLENGE_EXPIRED) rather than unknown; after that a store drops it.
 */
export const DEFAULT_PENDING_GRACE_MS = 60_000;

export interface PendingStore {
  /**
   * Stores the record; an existing id is refused, never overwritten. In the same call the store
   * drops records that expired at least its grace period (`DEFAULT_PENDING_GRACE_MS` unless
   * configured otherwise) before `record.createdAt`: always the same user's, and it may sweep
   * other users' too (a bounded batch). So expired steps cannot pile up even if the host never
   * runs a cleanup job. `createdAt` is the caller's clock; a record that has not expired by it
   * plus the grace is never dropped.
   */
  create(record: PendingRecord): Promise<void>;
  /**
   * Atomically removes and returns the record when its id, user and kind all match; otherwise
   * leaves it untouched and returns null (so a foreign or mistyped id cannot destroy the real
   * user's pending step). Expiry is checked by core on the returned record; stores may also
   * drop expired records on their own (a TTL, the sweep in `create`).
   */
  take(id: string, userId: string, kind: PendingKind): Promise<PendingRecord | null>;
  /** Puts a taken record back (after a retryable wrong answer or while a push is waiting). */
  restore(record: PendingRecord): Promise<void>;
  /** For diagnostics and audit only; never used to decide an outcome. */
  peek(id: string): Promise<Pick<PendingRecord, 'userId' | 'kind' | 'expiresAt'> | null>;
  deleteForUser(userId: string): Promise<number>;
  /**
   * Optional (issue 17: fewer round trips), for an adapter that keeps pending steps and
   * enrollments in one database: exactly `take`, and in the same round trip the enrollment the
   * taken record names (`EnrollmentStore.get(record.enrollmentId)`, null when there is none or
   * it is gone), read from `joinedEnrollments`. Core uses it only when `joinedEnrollments` is
   * the very enrollment store it was given; otherwise it calls `take` and `get`.
   */
  takeWithEnrollment?(
    id: string,
    userId: string,
    kind: PendingKind,
  ): Promise<{ record: PendingRecord; enrollment: EnrollmentRecord | null } | null>;
  /** The enrollment store `takeWithEnrollment` reads from. */
  readonly joinedEnrollments?: EnrollmentStore;
}

/** What `EnrollmentStore.signInState` reads in one go. */
export interface SignInState {
  /** `listByUser(userId)`. */
  readonly enrollments: EnrollmentRecord[];
  /** `countRecoveryCodes(userId)`, or 0 when the caller did not ask for it. */
  readonly recoveryCodes: number;
  /** `generation(userId)`. */
  readonly generation: number;
}

export interface EnrollmentRecord {
  readonly id: string;
  readonly userId: string;
  readonly providerId: string;
  readonly label: string | null;
  /** Provider enrollment data, sealed by core and bound to (user, provider, enrollment). */
  readonly secret: string;
  /** Last counter accepted (e.g. TOTP time step), or null if the provider reports none. */
  readonly counter: number | null;
  readonly createdAt: number;
  readonly lastUsedAt: number | null;
}

export interface ActivateInput {
  readonly enrollment: EnrollmentRecord;
  /**
   * Hashes of the recovery codes to issue with the user's first factor. Stored only if the user
   * has no other enrollment at that moment (checked inside the same transaction).
   */
  readonly recoveryCodeHashes?: readonly string[];
  /**
   * The user's generation (`EnrollmentStore.generation`) when the activation began. When given
   * and the user's generation has moved since (a reset or a removal happened meanwhile), nothing
   * is written and GenerationChangedError is thrown, checked in the same transaction.
   */
  readonly generation?: number;
  /**
   * How many enrollments of this provider the user may have (absent = 1, the previous
   * behaviour). When the user already has that many, nothing is written and
   * EnrollmentConflictError is thrown, counted in the same transaction (SECURITY.md EN-07).
   */
  readonly maxPerProvider?: number;
  /**
   * A public, non-secret key naming what the enrollment binds among all users of its provider
   * (a digest of a WebAuthn credential id). At most one enrollment per (provider, lookup key)
   * exists at any time, enforced by the store itself (a unique index, a check in the same
   * synchronous step): when another enrollment, of this user or any other, holds it, nothing is
   * written and LookupKeyTakenError is thrown (SECURITY.md WA-12). Removing the enrollment
   * frees the key.
   */
  readonly lookupKey?: string;
}

export type ConsumeResult = 'consumed' | 'already_used' | 'not_found';

export class EnrollmentConflictError extends Error {
  override readonly name = 'EnrollmentConflictError';
  constructor() {
    super('The user already has as many enrollments of this provider as allowed.');
  }
}

/** Another enrollment of the provider already holds the activation's lookup key (WA-12). */
export class LookupKeyTakenError extends Error {
  override readonly name = 'LookupKeyTakenError';
  constructor() {
    super('Another enrollment of this provider already holds this lookup key.');
  }
}

/** The user was reset, or lost a factor, after the step being committed began (EN-05). */
export class GenerationChangedError extends Error {
  override readonly name = 'GenerationChangedError';
  constructor() {
    super("The user's two-factor state changed after this step began.");
  }
}

/**
 * Enrollments, recovery codes, generations, grace deadlines, remembered devices and the security
 * timeline: the durable half of factorkit's state.
 */
export interface EnrollmentStore extends SecurityTimelineStore, TrustedDeviceStore {
  /**
   * In one transaction: insert the enrollment (throwing EnrollmentConflictError if the user
   * already has `maxPerProvider` of this provider, 1 when absent) and, when recovery-code hashes are given and the user had
   * no enrollment before this one, replace any codes the user still has with the new set (a first
   * factor always starts with a fresh set; stale codes never survive into it).
   */
  activate(input: ActivateInput): Promise<{ recoveryCodesIssued: boolean }>;
  get(enrollmentId: string): Promise<EnrollmentRecord | null>;
  /**
   * A per-user number that only grows: `remove` (when it removes) and `removeAllForUser` raise
   * it in their own transaction, so a step begun before a reset or a removal can tell (SECURITY.md
   * EN-05). 0 for a user the store has never reset.
   */
  generation(userId: string): Promise<number>;
  listByUser(userId: string): Promise<EnrollmentRecord[]>;
  /**
   * The enrollment of the provider that was activated with this lookup key (`ActivateInput`),
   * whoever's it is, or null. For the early, friendly refusal only: `activate` decides it again
   * atomically.
   */
  findByLookupKey(providerId: string, lookupKey: string): Promise<EnrollmentRecord | null>;
  /** Compare-and-set: sets the counter only if it is null or lower than `counter`. */
  advanceCounter(enrollmentId: string, counter: number, now: number): Promise<boolean>;
  /**
   * Optional (issue 17: fewer round trips): `advanceCounter` and `generation(userId)` in one
   * round trip, the generation read no earlier than the compare-and-set: a removal or reset
   * committed before it, or while it waited, must be seen (EN-05), as the separate read after
   * the commit would see it. Core falls back to the two calls.
   */
  advanceCounterReadingGeneration?(
    enrollmentId: string,
    userId: string,
    counter: number,
    now: number,
  ): Promise<{ advanced: boolean; generation: number }>;
  /**
   * Optional (issue 17: fewer round trips): `listByUser`, `countRecoveryCodes` (only when
   * `withRecoveryCodes`) and `generation` of one user in one round trip, for the start of a
   * sign-in. Each value as its own method would return it; core falls back to those calls.
   */
  signInState?(userId: string, withRecoveryCodes: boolean): Promise<SignInState>;
  /**
   * Sets the label of one of the user's enrollments; false when it is gone or is not the user's
   * (a foreign id changes nothing). The caller has validated the label.
   */
  rename(userId: string, enrollmentId: string, label: string): Promise<boolean>;
  /** Records a successful use of a factor without a counter; false if the enrollment is gone. */
  touch(enrollmentId: string, now: number): Promise<boolean>;
  /**
   * Removes one enrollment; when it was the user's last, their recovery codes go in the same
   * transaction (no codes without a factor: EN-03). With `keepOneOf`, the
   * removal happens only if another enrollment of the user with one of those provider ids
   * remains, checked in the same transaction (two parallel removals cannot strip a forced user).
   * A removal raises the user's generation and deletes all of the user's trusted devices in the
   * same transaction (a factor change revokes remembered devices: SECURITY.md FL-09, FL-11).
   */
  remove(
    userId: string,
    enrollmentId: string,
    keepOneOf?: readonly string[],
  ): Promise<{ removed: boolean; remaining: number }>;
  /**
   * Removes every enrollment, recovery code and trusted device of a user in one transaction, and
   * raises the user's generation in it (also when there was nothing to remove: an activation or a
   * device trust may be on its way).
   */
  removeAllForUser(userId: string): Promise<number>;
  /** Compare-and-set on the sealed secret, for key rotation. */
  replaceSecret(enrollmentId: string, expected: string, next: string): Promise<boolean>;
  /** Enrollments in id order after `afterId`, for batch jobs such as key rotation. */
  listAll(afterId: string | null, limit: number): Promise<EnrollmentRecord[]>;

  /**
   * Replaces the user's recovery codes with a new set; old codes stop working at once. Only if
   * the user still has an enrollment (checked in the same transaction); false otherwise.
   */
  replaceRecoveryCodes(userId: string, hashes: readonly string[], now: number): Promise<boolean>;
  /** Marks the code used if it exists and is unused, in one atomic step. */
  consumeRecoveryCode(userId: string, hash: string, now: number): Promise<ConsumeResult>;
  countRecoveryCodes(userId: string): Promise<number>;

  /**
   * The user's enrollment grace deadline (epoch ms), insert-if-absent in one atomic step: the
   * stored deadline when there is one, otherwise `now + graceMs` is stored and returned with
   * `started: true`. Callers racing a user's first forced sign-in on any number of instances all
   * get the same deadline, and exactly one gets `started`. Deadlines outlive `remove` and
   * `removeAllForUser` (SECURITY.md EN-06): losing one's factors never restarts the grace period.
   */
  graceDeadline(userId: string, now: number, graceMs: number): Promise<GraceDeadline>;
  /** The stored grace deadline, or null; never writes (the enforcement dry-run). */
  peekGraceDeadline(userId: string): Promise<number | null>;
}

/** The answer of `EnrollmentStore.graceDeadline`. */
export interface GraceDeadline {
  readonly deadline: number;
  /** True only for the one call that stored it. */
  readonly started: boolean;
}

/** The progressive-delay and lock schedule, passed to `ThrottleStore.reserve`. */
export interface ThrottleSchedule {
  readonly freeFailures: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly lockAfter: number;
  readonly lockMs: number;
  readonly permanentAfter: number;
}

export interface ThrottleState {
  readonly failures: number;
  /** Epoch ms before which no attempt is allowed (0 when none). */
  readonly blockedUntil: number;
}

/** What a successful reservation hands back, so `refund` can undo exactly that reservation. */
export interface ThrottleTicket {
  /** The failure count this reservation produced. */
  readonly failures: number;
  /** The block that was in force before it. */
  readonly previousBlockedUntil: number;
}

export type ReserveResult =
  | ({ readonly ok: true } & ThrottleTicket)
  | {
      readonly ok: false;
      readonly failures: number;
      readonly locked: boolean;
      readonly retryAt: number | null;
    };

/** The answer of `ThrottleStore.takeQuota`. */
export type QuotaTakeResult =
  | {
      readonly ok: true;
      /** Units taken in the current window, this one included (1..limit). */
      readonly used: number;
    }
  | {
      readonly ok: false;
      /** When the current window ends (epoch ms): the first moment a take can succeed. */
      readonly retryAt: number;
    };

export interface ThrottleStore {
  /**
   * Atomically: refuse if the key is blocked (or permanently locked); otherwise count this
   * attempt as a failure and set the block that would follow it (`throttleBlockMs`). A success
   * then calls `reset`, an outage `refund`.
   */
  reserve(key: string, now: number, schedule: ThrottleSchedule): Promise<ReserveResult>;
  /**
   * Gives back one reserved attempt (an outage, an unknown id or a push poll is not a guess).
   * If no other reservation happened since (`failures` still equals the ticket's), the state
   * returns exactly to before it, block included; otherwise only the count goes down by one and
   * the newer block stands.
   */
  refund(key: string, ticket: ThrottleTicket): Promise<void>;
  reset(key: string): Promise<void>;
  inspect(key: string): Promise<ThrottleState>;

  /**
   * Takes one unit of a fixed-window quota (e.g. "one outstanding push", "three pushes per
   * 15 minutes") in one atomic step, so that no number of parallel callers on any number of
   * instances can take more than `limit` units in a window (CC-03, BF-05):
   * - no window running (never taken, released, or its end is at or before `now`): start a
   *   window ending at `now + windowMs` with this unit as its first;
   * - a window running with fewer than `limit` units used: take one;
   * - otherwise refuse, with `retryAt` the window's end; a refusal changes nothing.
   * `now`, `limit` and `windowMs` are safe integers, `limit` and `windowMs` at least 1
   * (InvalidArgumentError otherwise). Quota state lives apart from the failure counters: the
   * same key names different state in `reserve`/`reset` and in `takeQuota`/`releaseQuota`.
   */
  takeQuota(key: string, now: number, limit: number, windowMs: number): Promise<QuotaTakeResult>;
  /** Ends the key's window, giving every unit back; a key with no window is left as it is. */
  releaseQuota(key: string): Promise<void>;
}

/** The three stores a service needs; one adapter may implement all of them. */
export interface FactorkitStores {
  readonly enrollments: EnrollmentStore;
  readonly pending: PendingStore;
  readonly throttle: ThrottleStore;
}
