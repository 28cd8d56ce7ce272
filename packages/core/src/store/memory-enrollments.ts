import {
  EnrollmentConflictError,
  GenerationChangedError,
  LookupKeyTakenError,
  type ActivateInput,
  type ConsumeResult,
  type EnrollmentRecord,
  type EnrollmentStore,
  type GraceDeadline,
} from './types.js';
import { MemoryTimeline } from './memory-timeline.js';
import type { SecurityEventQuery, SecurityEventRecord } from './timeline-types.js';

import type { TrustDeviceInput, TrustDeviceResult, TrustedDeviceRecord } from './device-types.js';
import { MemoryTrustedDevices } from './memory-devices.js';

interface CodeRow {
  hash: string;
  usedAt: number | null;
}

/** In-memory enrollments, recovery codes, generations and grace deadlines (see `MemoryStore`). */
export class MemoryEnrollmentStore implements EnrollmentStore {
  private readonly enrollmentRows = new Map<string, EnrollmentRecord>();
  private readonly codes = new Map<string, CodeRow[]>();
  private readonly generations = new Map<string, number>();
  /** (provider, lookup key) to enrollment id: one holder per key (WA-12). */
  private readonly lookupKeys = new Map<string, string>();
  /** Kept apart from enrollments: no removal or reset clears a deadline (EN-06). */
  private readonly graceDeadlines = new Map<string, number>();
  /** Kept apart from enrollments too: a reset is itself an entry of the timeline. */
  private readonly timeline = new MemoryTimeline();

  private readonly devices = new MemoryTrustedDevices({
    hasEnrollment: (userId) => [...this.enrollmentRows.values()].some((r) => r.userId === userId),
    generation: (userId) => this.generations.get(userId) ?? 0,
  });

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
    // Counted and inserted in one synchronous step: parallel activations cannot overbook (EN-07).
    const sameProvider = [...this.enrollmentRows.values()].filter(
      (r) => r.userId === e.userId && r.providerId === e.providerId,
    ).length;
    if (sameProvider >= (input.maxPerProvider ?? 1)) throw new EnrollmentConflictError();
    if (this.enrollmentRows.has(e.id)) throw new Error('enrollment id collision');
    // Checked and claimed in the same synchronous step as the insert: one holder per key.
    const lookup = input.lookupKey === undefined ? null : lookupSlot(e.providerId, input.lookupKey);
    if (lookup !== null && this.lookupKeys.has(lookup)) throw new LookupKeyTakenError();
    this.enrollmentRows.set(e.id, { ...e });
    if (lookup !== null) this.lookupKeys.set(lookup, e.id);
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

  async findByLookupKey(providerId: string, lookupKey: string): Promise<EnrollmentRecord | null> {
    const id = this.lookupKeys.get(lookupSlot(providerId, lookupKey));
    const r = id === undefined ? undefined : this.enrollmentRows.get(id);
    return r ? { ...r } : null;
  }

  /** Drops the row and frees its lookup key. */
  private deleteRow(enrollmentId: string): void {
    this.enrollmentRows.delete(enrollmentId);
    for (const [slot, holder] of this.lookupKeys)
      if (holder === enrollmentId) this.lookupKeys.delete(slot);
  }

  async advanceCounter(enrollmentId: string, counter: number, now: number): Promise<boolean> {
    const r = this.enrollmentRows.get(enrollmentId);
    if (!r) return false;
    if (r.counter !== null && !(counter > r.counter)) return false;
    this.enrollmentRows.set(enrollmentId, { ...r, counter, lastUsedAt: now });
    return true;
  }

  async rename(userId: string, enrollmentId: string, label: string): Promise<boolean> {
    const r = this.enrollmentRows.get(enrollmentId);
    if (!r || r.userId !== userId) return false;
    this.enrollmentRows.set(enrollmentId, { ...r, label });
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
      this.deleteRow(enrollmentId);
      this.bump(userId);
      this.devices.revokeAll(userId);
    }
    const remaining = [...this.enrollmentRows.values()].filter((x) => x.userId === userId).length;
    if (remaining === 0) this.codes.delete(userId);
    return { removed, remaining };
  }

  async removeAllForUser(userId: string): Promise<number> {
    let n = 0;
    for (const [id, r] of this.enrollmentRows) {
      if (r.userId === userId) {
        this.deleteRow(id);
        n++;
      }
    }
    this.codes.delete(userId);
    this.bump(userId);
    this.devices.revokeAll(userId);
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

  appendSecurityEvent(entry: SecurityEventRecord, keepPerUser: number) {
    return this.timeline.appendSecurityEvent(entry, keepPerUser);
  }

  listSecurityEvents(userId: string, query: SecurityEventQuery) {
    return this.timeline.listSecurityEvents(userId, query);
  }

  purgeSecurityEvents(olderThan: number) {
    return this.timeline.purgeSecurityEvents(olderThan);
  }

  async trustDevice(input: TrustDeviceInput): Promise<TrustDeviceResult> {
    return this.devices.trust(input);
  }

  async useTrustedDevice(
    userId: string,
    tokenHash: string,
    now: number,
  ): Promise<TrustedDeviceRecord | null> {
    return this.devices.use(userId, tokenHash, now);
  }

  async listTrustedDevices(userId: string): Promise<TrustedDeviceRecord[]> {
    return this.devices.list(userId);
  }

  async revokeTrustedDevice(userId: string, deviceId: string): Promise<boolean> {
    return this.devices.revoke(userId, deviceId);
  }

  async revokeTrustedDevices(userId: string): Promise<number> {
    const n = this.devices.revokeAll(userId);
    this.bump(userId);
    return n;
  }
}

/** One map key per (provider, lookup key); the NUL cannot occur in a provider id. */
function lookupSlot(providerId: string, lookupKey: string): string {
  return `${providerId}\u0000${lookupKey}`;
}
