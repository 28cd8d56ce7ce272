import type { PendingKind, PendingRecord, PendingStore } from '@factorkit/core';
import { LegacyKeys, type Keys, type RedisClient, type Scripts } from './commands.js';

/** The collision error CREATE raises, also raised when the id is taken by another user's step. */
const ID_COLLISION = 'FACTORKIT_PENDING_ID_COLLISION';

/**
 * Pending activations and challenges in Redis, shared by every instance. Each record lives in a
 * hash with a TTL (its lifetime plus a grace period: core itself refuses an expired record and
 * reports it as expired, Redis then drops it). Take is one Lua script: check user and kind,
 * delete, return. A record's key carries its user's hash tag, so on Redis Cluster the record
 * and the user's index share a slot; a small owner key maps the id to its user for `peek`.
 */
export class RedisPendingStore implements PendingStore {
  private readonly legacy: LegacyKeys | null;

  constructor(
    private readonly client: RedisClient,
    private readonly scripts: Scripts,
    private readonly keys: Keys,
    private readonly graceMs: number,
    prefix: string,
  ) {
    // A Cluster deployment never ran the layout before Cluster support, so has nothing to read.
    this.legacy = client.isCluster ? null : new LegacyKeys(prefix);
  }

  private ttl(r: PendingRecord): number {
    return Math.max(1, Math.ceil(r.expiresAt - r.createdAt)) + this.graceMs;
  }

  async create(record: PendingRecord): Promise<void> {
    if (!this.client.isCluster) {
      // Standalone: the owner key in the same script, one round trip (issue 17).
      await this.scripts.createWithOwner(...this.writeArgs(record, true));
      return;
    }
    // The owner key first, set only if absent: an id another user's step holds is refused,
    // as CREATE refuses one of the same user's (its record key then already exists).
    const owner = await this.client.set(
      this.keys.pendingOwner(record.id),
      record.userId,
      'PX',
      this.ttl(record),
      'NX',
    );
    if (owner !== 'OK') throw new Error(ID_COLLISION);
    await this.scripts.create(...this.writeArgs(record));
  }

  /** Keys and arguments of WRITE_PENDING (create and restore), with the owner key or not. */
  private writeArgs(r: PendingRecord, withOwner = false): (string | number)[] {
    return [
      this.keys.pending(r.userId, r.id),
      this.keys.pendingIndex(r.userId),
      ...(withOwner ? [this.keys.pendingOwner(r.id)] : []),
      r.userId,
      r.kind,
      JSON.stringify(r),
      this.ttl(r),
      // When the record is due to go, and the caller's now: the script deletes the user's
      // records due by then (expired at least the grace ago), so they cannot pile up.
      Math.ceil(r.expiresAt) + this.graceMs,
      Math.floor(r.createdAt),
    ];
  }

  async take(id: string, userId: string, kind: PendingKind): Promise<PendingRecord | null> {
    let raw = await this.scripts.take(
      this.keys.pending(userId, id),
      this.keys.pendingIndex(userId),
      userId,
      kind,
    );
    if (raw === null && this.legacy) {
      raw = await this.scripts.take(
        this.legacy.pending(id),
        this.legacy.pendingIndex(userId),
        userId,
        kind,
      );
    }
    return typeof raw === 'string' ? (JSON.parse(raw) as PendingRecord) : null;
  }

  async restore(record: PendingRecord): Promise<void> {
    if (!this.client.isCluster) {
      await this.scripts.restoreWithOwner(...this.writeArgs(record, true));
      return;
    }
    // Owner key not conditional: it may still be there from the create (peek reads it).
    await this.client.set(this.keys.pendingOwner(record.id), record.userId, 'PX', this.ttl(record));
    await this.scripts.restore(...this.writeArgs(record));
  }

  async peek(id: string): Promise<Pick<PendingRecord, 'userId' | 'kind' | 'expiresAt'> | null> {
    const owner = await this.client.get(this.keys.pendingOwner(id));
    let raw = owner === null ? null : await this.client.hget(this.keys.pending(owner, id), 'r');
    if (raw === null && this.legacy) raw = await this.client.hget(this.legacy.pending(id), 'r');
    if (raw === null) return null;
    const r = JSON.parse(raw) as PendingRecord;
    return { userId: r.userId, kind: r.kind, expiresAt: r.expiresAt };
  }

  async deleteForUser(userId: string): Promise<number> {
    const index = this.keys.pendingIndex(userId);
    const listed = await this.client.zrange(index, 0, -1);
    let n = Number(await this.scripts.deleteForUser(1 + listed.length, index, ...listed, userId));
    if (this.legacy) {
      n += Number(
        await this.scripts.legacyDeleteForUser(
          this.legacy.pendingIndex(userId),
          this.legacy.pendingUser(userId),
          userId,
        ),
      );
    }
    return n;
  }
}
