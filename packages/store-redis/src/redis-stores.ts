import {
  assertQuotaArguments,
  DEFAULT_PENDING_GRACE_MS,
  InvalidArgumentError,
  type PendingKind,
  type PendingRecord,
  type PendingStore,
  type QuotaTakeResult,
  type ReserveResult,
  type ThrottleSchedule,
  type ThrottleState,
  type ThrottleStore,
  type ThrottleTicket,
} from '@factorkit/core';
import { Redis, type RedisOptions } from 'ioredis';
import { Keys, Scripts } from './commands.js';

/**
 * Pending activations and challenges in Redis, shared by every instance. Each record lives in a
 * hash with a TTL (its lifetime plus a grace period: core itself refuses an expired record and
 * reports it as expired, Redis then drops it). Take is one Lua script: check user and kind,
 * delete, return.
 */
export class RedisPendingStore implements PendingStore {
  constructor(
    private readonly client: Redis,
    private readonly scripts: Scripts,
    private readonly keys: Keys,
    private readonly graceMs: number,
  ) {}

  private ttl(r: PendingRecord): number {
    return Math.max(1, Math.ceil(r.expiresAt - r.createdAt)) + this.graceMs;
  }

  async create(record: PendingRecord): Promise<void> {
    await this.scripts.create(...this.writeArgs(record));
  }

  /** Keys and arguments of WRITE_PENDING (create and restore). */
  private writeArgs(r: PendingRecord): (string | number)[] {
    return [
      this.keys.pending(r.id),
      this.keys.pendingIndex(r.userId),
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
    const raw = await this.scripts.take(
      this.keys.pending(id),
      this.keys.pendingIndex(userId),
      userId,
      kind,
    );
    return typeof raw === 'string' ? (JSON.parse(raw) as PendingRecord) : null;
  }

  async restore(record: PendingRecord): Promise<void> {
    await this.scripts.restore(...this.writeArgs(record));
  }

  async peek(id: string): Promise<Pick<PendingRecord, 'userId' | 'kind' | 'expiresAt'> | null> {
    const raw = await this.client.hget(this.keys.pending(id), 'r');
    if (raw === null) return null;
    const r = JSON.parse(raw) as PendingRecord;
    return { userId: r.userId, kind: r.kind, expiresAt: r.expiresAt };
  }

  async deleteForUser(userId: string): Promise<number> {
    return Number(
      await this.scripts.deleteForUser(
        this.keys.pendingIndex(userId),
        this.keys.legacyPendingUser(userId),
        userId,
      ),
    );
  }
}

/**
 * Failure counters and locks in Redis, shared by every instance. `reserve` is core's
 * `applyReserve` in Lua, atomic on the server. Throttle state has no TTL: a lock must outlast a
 * quiet period, and a permanent lock stays until an administrator resets it. Enable Redis
 * persistence (AOF) in production, or a restart forgets failures and locks.
 */
export class RedisThrottleStore implements ThrottleStore {
  constructor(
    private readonly client: Redis,
    private readonly scripts: Scripts,
    private readonly keys: Keys,
  ) {}

  async reserve(key: string, now: number, s: ThrottleSchedule): Promise<ReserveResult> {
    const r = (await this.scripts.reserve(
      this.keys.throttle(key),
      now,
      s.freeFailures,
      s.baseDelayMs,
      s.maxDelayMs,
      s.lockAfter,
      s.lockMs,
      s.permanentAfter,
    )) as (number | string)[];
    const failures = Number(r[1]);
    if (Number(r[0]) === 1) return { ok: true, failures, previousBlockedUntil: Number(r[2]) };
    const retryAt = Number(r[3]);
    return {
      ok: false,
      failures,
      locked: Number(r[2]) === 1,
      retryAt: retryAt === -1 ? null : retryAt,
    };
  }

  async refund(key: string, ticket: ThrottleTicket): Promise<void> {
    await this.scripts.refund(
      this.keys.throttle(key),
      ticket.failures,
      // %.0f-style: exact integer text for Lua (String() would switch to exponent notation).
      BigInt(Math.trunc(ticket.previousBlockedUntil)).toString(),
    );
  }

  async reset(key: string): Promise<void> {
    await this.client.del(this.keys.throttle(key));
  }

  async inspect(key: string): Promise<ThrottleState> {
    const [f, b] = await this.client.hmget(this.keys.throttle(key), 'f', 'b');
    return { failures: f == null ? 0 : Number(f), blockedUntil: b == null ? 0 : Number(b) };
  }

  /** One Lua script: core's applyQuotaTake on the server (CC-03, BF-05). */
  async takeQuota(
    key: string,
    now: number,
    limit: number,
    windowMs: number,
  ): Promise<QuotaTakeResult> {
    assertQuotaArguments(now, limit, windowMs);
    const r = (await this.scripts.takeQuota(
      this.keys.quota(key),
      now,
      limit,
      windowMs,
      windowMs + QUOTA_EXPIRY_MARGIN_MS,
    )) as (number | string)[];
    return Number(r[0]) === 1
      ? { ok: true, used: Number(r[1]) }
      : { ok: false, retryAt: Number(r[1]) };
  }

  async releaseQuota(key: string): Promise<void> {
    await this.client.del(this.keys.quota(key));
  }
}

/**
 * How much longer than its window a quota key lives in Redis. The window is judged on the
 * caller's clock and the TTL runs on the server's; the margin keeps a window from being given
 * back early when the two drift apart by up to this much over one window.
 */
const QUOTA_EXPIRY_MARGIN_MS = 60_000;

export interface RedisStoreOptions {
  /** `redis://host:6379/0` (or `rediss://` for TLS); or pass your own `client`. */
  url?: string;
  /** An existing ioredis client; it stays open after `close()` (the caller owns it). */
  client?: Redis;
  /** Options for the client this package creates from `url`. */
  redisOptions?: RedisOptions;
  /**
   * Prefix of every key, so several apps (or test runs) share one Redis without colliding.
   * Use this rather than ioredis `keyPrefix`. @default "factorkit:"
   */
  prefix?: string;
  /**
   * How long Redis keeps a pending record after it expired (core refuses it, but still reports
   * it as expired rather than unknown); after that its TTL or the next create of the same user
   * removes it. @default 60000
   */
  pendingGraceMs?: number;
}

export interface RedisStores {
  /** The ephemeral stores; compose with durable enrollments: `{ enrollments: sql, ...stores }`. */
  readonly stores: { readonly pending: RedisPendingStore; readonly throttle: RedisThrottleStore };
  readonly client: Redis;
  readonly prefix: string;
  /** Closes the client if this package created it. */
  close(): Promise<void>;
}

export function createRedisStores(options: RedisStoreOptions): RedisStores {
  if (typeof options !== 'object' || options === null)
    throw new InvalidArgumentError('store-redis: options are required.');
  const prefix = options.prefix ?? 'factorkit:';
  if (typeof prefix !== 'string' || prefix.length === 0 || prefix.length > 200) {
    throw new InvalidArgumentError(
      'store-redis: prefix must be a non-empty string of at most 200 characters.',
    );
  }
  const graceMs = options.pendingGraceMs ?? DEFAULT_PENDING_GRACE_MS;
  if (!Number.isInteger(graceMs) || graceMs < 0)
    throw new InvalidArgumentError('store-redis: pendingGraceMs must be a non-negative integer.');
  let client = options.client;
  let own = false;
  if (!client) {
    if (typeof options.url !== 'string' || options.url.length === 0) {
      throw new InvalidArgumentError('store-redis: pass a `url` or a `client`.');
    }
    // Fail a command after a few reconnection attempts instead of queueing it for long: a
    // caller waiting on a security decision gets STORE_UNAVAILABLE, never a silent hang.
    client = new Redis(options.url, { maxRetriesPerRequest: 2, ...options.redisOptions });
    // Connection errors surface on the commands; an 'error' listener keeps them from crashing the host.
    client.on('error', () => undefined);
    own = true;
  }
  const scripts = new Scripts(client);
  const keys = new Keys(prefix);
  const c = client;
  return {
    stores: {
      pending: new RedisPendingStore(c, scripts, keys, graceMs),
      throttle: new RedisThrottleStore(c, scripts, keys),
    },
    client: c,
    prefix,
    async close() {
      if (own) await c.quit();
    },
  };
}
