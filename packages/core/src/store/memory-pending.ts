import { InvalidArgumentError } from '../errors.js';
import {
  DEFAULT_PENDING_GRACE_MS,
  type PendingKind,
  type PendingRecord,
  type PendingStore,
} from './types.js';

/** In-memory pending steps (see `MemoryStore`). */
export class MemoryPendingStore implements PendingStore {
  private readonly pendingRows = new Map<string, PendingRecord>();
  /**
   * No record expires before this (a lower bound: taking a record never raises it). While the
   * sweep's cutoff is below it, no record can be due and the pass over every record is skipped:
   * without it, each create of a busy store walked every live step.
   */
  private earliestExpiry = Number.POSITIVE_INFINITY;

  /** @param graceMs how long an expired record is kept before `create` sweeps it. */
  constructor(private readonly graceMs: number = DEFAULT_PENDING_GRACE_MS) {
    if (!Number.isSafeInteger(graceMs) || graceMs < 0)
      throw new InvalidArgumentError('MemoryPendingStore: graceMs must be a non-negative integer.');
  }

  async create(record: PendingRecord): Promise<void> {
    if (this.pendingRows.has(record.id)) throw new Error('pending id collision');
    this.sweepExpired(record.createdAt - this.graceMs);
    this.keep(record);
  }

  private keep(record: PendingRecord): void {
    this.pendingRows.set(record.id, { ...record });
    if (record.expiresAt < this.earliestExpiry) this.earliestExpiry = record.expiresAt;
  }

  /**
   * Drops every record that expired at or before `cutoff`. The memory store has no clock of its
   * own, so the caller's time arrives with each new record; a full pass costs as many steps as
   * there are records, which is what this store is for (tests, single-process hosts).
   */
  private sweepExpired(cutoff: number): void {
    if (cutoff < this.earliestExpiry) return;
    let earliest = Number.POSITIVE_INFINITY;
    for (const [id, r] of this.pendingRows) {
      if (r.expiresAt <= cutoff) this.pendingRows.delete(id);
      else if (r.expiresAt < earliest) earliest = r.expiresAt;
    }
    this.earliestExpiry = earliest;
  }

  async take(id: string, userId: string, kind: PendingKind): Promise<PendingRecord | null> {
    const r = this.pendingRows.get(id);
    if (!r || r.userId !== userId || r.kind !== kind) return null;
    this.pendingRows.delete(id);
    return { ...r };
  }

  async restore(record: PendingRecord): Promise<void> {
    if (!this.pendingRows.has(record.id)) this.keep(record);
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
