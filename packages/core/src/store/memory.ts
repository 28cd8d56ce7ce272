import { InvalidArgumentError } from '../errors.js';
import { applyQuotaTake, assertQuotaArguments, type QuotaWindow } from './quota-window.js';
import { applyRefund, applyReserve } from './throttle-schedule.js';
import {
  DEFAULT_PENDING_GRACE_MS,
  EnrollmentConflictError,
  GenerationChangedError,
  type ActivateInput,
  type ConsumeResult,
  type EnrollmentRecord,
  type EnrollmentStore,
  type GraceDeadline,
  type PendingKind,
  type PendingRecord,
  type PendingStore,
  type QuotaTakeResult,
  type ReserveResult,
  type ThrottleSchedule,
  type ThrottleState,
  type ThrottleTicket,
  type ThrottleStore,
  type FactorkitStores,
} from './types.js';

interface CodeRow {
  hash: string;
  usedAt: number | null;
}

/**
 * In-memory stores for tests, examples and single-process hosts. Each operation runs to
 * completion without awaiting, which makes it atomic on Node's single thread. State is lost on
 * restart and not shared between processes: use @factorkit/store-sql or store-redis for that.
 */
export class MemoryStore implements FactorkitStores {
  readonly enrollments = new MemoryEnrollmentStore();
  readonly pending = new MemoryPendingStore();
  readonly throttle = new MemoryThrottleStore();
}

export class MemoryPendingStore implements PendingStore {
  private readonly pendingRows = new Map<string, PendingRecord>();

  /** @param graceMs how long an expired record is kept before `create` sweeps it. */
  constructor(private readonly graceMs: number = DEFAULT_PENDING_GRACE_MS) {
    if (!Number.isSafeInteger(graceMs) || graceMs < 0)
      throw new InvalidArgumentError('MemoryPendingStore: graceMs must be a non-negative integer.');
  }

  async create(record: PendingRecord): Promise<void> {
    if (this.pendingRows.has(record.id)) throw new Error('pending id collision');
    this.sweepExpired(record.createdAt - this.graceMs);
    this.pendingRows.set(record.id, { ...record });
  }

  /**
   * Drops every record that expired at or before `cutoff`. The memory store has no clock of its
   * own, so the caller's time arrives with each new record; a full pass costs as many steps as
   * there are records, which is what this store is for (tests, single-process hosts).
   */
  private sweepExpired(cutoff: number): void {
    for (const [id, r] of this.pendingRows) {
      if (r.expiresAt <= cutoff) this.pendingRows.delete(id);
    }
  }

  async take(id: string, userId: string, kind: PendingKind): Promise<PendingRecord | null> {
    const r = this.pendingRows.get(id);
    if (!r || r.userId !== userId || r.kind !== kind) return null;
    this.pendingRows.delete(id);
    return { ...r };
  }

  async restore(record: PendingRecord): Promise<void> {
    if (!this.pendingRows.has(record.id)) this.pendingRows.set(record.id, { ...record });
  }

  async peek(id: string): Promise<Pick<PendingRecord, 'userId' | 'kind' | 'expiresAt'> | null> {
    const r = this.pendingRows.get(id);
    return r ? { userId: r.userId, kind: r.kind, expiresAt: r.expiresAt } : null;
  }

  async deleteForUser(userId: string): Promise<number> {
    let n = 0;
    for (const [id, r] of this.pendingRows) {
      if (r.userId === userId) {
        this.pendingRows.delete(id);
        n++;
      }
    }
    return n;
  }
}

export class MemoryEnrollmentStore implements EnrollmentStore {
  private readonly enrollmentRows = new Map<string, EnrollmentRecord>();
  private readonly codes = new Map<string, CodeRow[]>();
  private readonly generations = new Map<string, number>();
  /** Kept apart from enrollments: no removal or reset clears a deadline (EN-06). */
  private readonly graceDeadlines = new Map<string, number>();

  async generation(userId: string): Promise<number> {
    return this.generations.get(userId) ?? 0;
  }

  private bump(userId: string): void {
    this.generations.set(userId, (this.generations.get(userId) ?? 0) + 1);
  }

  async activate(input: ActivateInput): Promise<{ recoveryCodesIssued: boolean }> {
    const e = input.enrollment;
    if (
      input.generation !== undefined &&
      input.generation !== (this.generations.get(e.userId) ?? 0)
    )
      throw new GenerationChangedError();
    for (const r of this.enrollmentRows.values()) {
      if (r.userId === e.userId && r.providerId === e.providerId)
        throw new EnrollmentConflictError();
    }
    if (this.enrollmentRows.has(e.id)) throw new Error('enrollment id collision');
    this.enrollmentRows.set(e.id, { ...e });
    let issued = false;
    if (input.recoveryCodeHashes && input.recoveryCodeHashes.length > 0) {
      const others = [...this.enrollmentRows.values()].filter(
        (r) => r.userId === e.userId && r.id !== e.id,
      ).length;
      if (others === 0) {
        this.codes.set(
          e.userId,
          input.recoveryCodeHashes.map((hash) => ({ hash, usedAt: null })),
        );
        issued = true;
      }
    }
    return { recoveryCodesIssued: issued };
  }

  async get(enrollmentId: string): Promise<EnrollmentRecord | null> {
    const r = this.enrollmentRows.get(enrollmentId);
    return r ? { ...r } : null;
  }

  async listByUser(userId: string): Promise<EnrollmentRecord[]> {
    return [...this.enrollmentRows.values()]
      .filter((r) => r.userId === userId)
      .sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id))
      .map((r) => ({ ...r }));
  }

  async advanceCounter(enrollmentId: string, counter: number, now: number): Promise<boolean> {
    const r = this.enrollmentRows.get(enrollmentId);
    if (!r) return false;
    if (r.counter !== null && !(counter > r.counter)) return false;
    this.enrollmentRows.set(enrollmentId, { ...r, counter, lastUsedAt: now });
    return true;
  }

  async touch(enrollmentId: string, now: number): Promise<boolean> {
    const r = this.enrollmentRows.get(enrollmentId);
    if (r) this.enrollmentRows.set(enrollmentId, { ...r, lastUsedAt: now });
    return !!r;
  }

  async remove(
    userId: string,
    enrollmentId: string,
    keepOneOf?: readonly string[],
  ): Promise<{ removed: boolean; remaining: number }> {
    const r = this.enrollmentRows.get(enrollmentId);
    const keeps =
      !keepOneOf ||
      [...this.enrollmentRows.values()].some(
        (x) => x.userId === userId && x.id !== enrollmentId && keepOneOf.includes(x.providerId),
      );
    const removed = !!r && r.userId === userId && keeps;
    if (removed) {
      this.enrollmentRows.delete(enrollmentId);
      this.bump(userId);
    }
    const remaining = [...this.enrollmentRows.values()].filter((x) => x.userId === userId).length;
    if (remaining === 0) this.codes.delete(userId);
    return { removed, remaining };
  }

  async removeAllForUser(userId: string): Promise<number> {
    let n = 0;
    for (const [id, r] of this.enrollmentRows) {
      if (r.userId === userId) {
        this.enrollmentRows.delete(id);
        n++;
      }
    }
    this.codes.delete(userId);
    this.bump(userId);
    return n;
  }

  async replaceSecret(enrollmentId: string, expected: string, next: string): Promise<boolean> {
    const r = this.enrollmentRows.get(enrollmentId);
    if (!r || r.secret !== expected) return false;
    this.enrollmentRows.set(enrollmentId, { ...r, secret: next });
    return true;
  }

  async listAll(afterId: string | null, limit: number): Promise<EnrollmentRecord[]> {
    return [...this.enrollmentRows.values()]
      .filter((r) => afterId === null || r.id > afterId)
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .slice(0, limit)
      .map((r) => ({ ...r }));
  }

  async replaceRecoveryCodes(userId: string, hashes: readonly string[]): Promise<boolean> {
    if (![...this.enrollmentRows.values()].some((r) => r.userId === userId)) return false;
    this.codes.set(
      userId,
      hashes.map((hash) => ({ hash, usedAt: null })),
    );
    return true;
  }

  async consumeRecoveryCode(userId: string, hash: string, now: number): Promise<ConsumeResult> {
    const row = (this.codes.get(userId) ?? []).find((c) => c.hash === hash);
    if (!row) return 'not_found';
    if (row.usedAt !== null) return 'already_used';
    row.usedAt = now;
    return 'consumed';
  }

  async countRecoveryCodes(userId: string): Promise<number> {
    return (this.codes.get(userId) ?? []).filter((c) => c.usedAt === null).length;
  }

  async graceDeadline(userId: string, now: number, graceMs: number): Promise<GraceDeadline> {
    const stored = this.graceDeadlines.get(userId);
    if (stored !== undefined) return { deadline: stored, started: false };
    this.graceDeadlines.set(userId, now + graceMs);
    return { deadline: now + graceMs, started: true };
  }

  async peekGraceDeadline(userId: string): Promise<number | null> {
    return this.graceDeadlines.get(userId) ?? null;
  }
}

export class MemoryThrottleStore implements ThrottleStore {
  private readonly throttles = new Map<string, ThrottleState>();
  /** Apart from `throttles`: a quota key never reads or resets a failure counter. */
  private readonly quotas = new Map<string, QuotaWindow>();

  async reserve(key: string, now: number, schedule: ThrottleSchedule): Promise<ReserveResult> {
    const state = this.throttles.get(key) ?? { failures: 0, blockedUntil: 0 };
    const r = applyReserve(state, now, schedule);
    if (!r.ok) return { ok: false, failures: state.failures, locked: r.locked, retryAt: r.retryAt };
    this.throttles.set(key, r.next);
    return { ok: true, failures: r.next.failures, previousBlockedUntil: state.blockedUntil };
  }

  async refund(key: string, ticket: ThrottleTicket): Promise<void> {
    const s = this.throttles.get(key);
    if (!s || s.failures === 0) return;
    this.throttles.set(key, applyRefund(s, ticket));
  }

  async reset(key: string): Promise<void> {
    this.throttles.delete(key);
  }

  async inspect(key: string): Promise<ThrottleState> {
    return { ...(this.throttles.get(key) ?? { failures: 0, blockedUntil: 0 }) };
  }

  async takeQuota(
    key: string,
    now: number,
    limit: number,
    windowMs: number,
  ): Promise<QuotaTakeResult> {
    assertQuotaArguments(now, limit, windowMs);
    const r = applyQuotaTake(this.quotas.get(key) ?? null, now, limit, windowMs);
    if (!r.ok) return { ok: false, retryAt: r.retryAt };
    this.quotas.set(key, r.next);
    return { ok: true, used: r.next.used };
  }

  async releaseQuota(key: string): Promise<void> {
    this.quotas.delete(key);
  }
}
