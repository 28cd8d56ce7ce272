import type { TrustDeviceInput, TrustDeviceResult, TrustedDeviceRecord } from './device-types.js';

/** What the device table needs to know about the enrollment side, read in the same step. */
export interface DeviceOwnerFacts {
  hasEnrollment(userId: string): boolean;
  generation(userId: string): number;
}

/** Least recently used first: the order in which devices past the limit are dropped. */
function byLeastRecentUse(a: TrustedDeviceRecord, b: TrustedDeviceRecord): number {
  const used = (d: TrustedDeviceRecord) => d.lastUsedAt ?? d.createdAt;
  return used(a) - used(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * In-memory trusted devices for `MemoryEnrollmentStore`. Every method runs to completion without
 * awaiting, so each decision (refuse, insert, trim to the limit) is one step on Node's thread.
 */
export class MemoryTrustedDevices {
  /** Keyed by token hash, which is unique across users. */
  private readonly rows = new Map<string, TrustedDeviceRecord>();

  constructor(private readonly owner: DeviceOwnerFacts) {}

  private ofUser(userId: string): TrustedDeviceRecord[] {
    return [...this.rows.values()].filter((d) => d.userId === userId);
  }

  trust(input: TrustDeviceInput): TrustDeviceResult {
    const d = input.device;
    if (!this.owner.hasEnrollment(d.userId)) return 'no-factor';
    if (this.owner.generation(d.userId) !== input.generation) return 'generation-changed';
    if (this.rows.has(d.tokenHash) || this.ofUser(d.userId).some((x) => x.id === d.id))
      throw new Error('trusted device id or token collision');
    this.rows.set(d.tokenHash, { ...d, generation: input.generation });
    const mine = this.ofUser(d.userId).sort(byLeastRecentUse);
    for (const old of mine.slice(0, Math.max(0, mine.length - input.limit)))
      this.rows.delete(old.tokenHash);
    return 'trusted';
  }

  use(userId: string, tokenHash: string, now: number): TrustedDeviceRecord | null {
    const d = this.rows.get(tokenHash);
    if (!d || d.userId !== userId) return null;
    if (d.generation !== this.owner.generation(userId)) return null;
    if (now >= d.expiresAt) {
      this.rows.delete(tokenHash);
      return null;
    }
    const used = { ...d, lastUsedAt: now };
    this.rows.set(tokenHash, used);
    return { ...used };
  }

  list(userId: string): TrustedDeviceRecord[] {
    return this.ofUser(userId)
      .sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
      .map((d) => ({ ...d }));
  }

  revoke(userId: string, deviceId: string): boolean {
    const d = this.ofUser(userId).find((x) => x.id === deviceId);
    if (d) this.rows.delete(d.tokenHash);
    return !!d;
  }

  revokeAll(userId: string): number {
    const mine = this.ofUser(userId);
    for (const d of mine) this.rows.delete(d.tokenHash);
    return mine.length;
  }
}
