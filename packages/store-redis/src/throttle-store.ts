import {
  assertQuotaArguments,
  type QuotaTakeResult,
  type ReserveResult,
  type ThrottleSchedule,
  type ThrottleState,
  type ThrottleStore,
  type ThrottleTicket,
} from '@factorkit/core';
import type { Keys, RedisClient, Scripts } from './commands.js';

/**
 * Failure counters and locks in Redis, shared by every instance. `reserve` is core's
 * `applyReserve` in Lua, atomic on the server. Throttle state has no TTL: a lock must outlast a
 * quiet period, and a permanent lock stays until an administrator resets it. Enable Redis
 * persistence (AOF) in production, or a restart forgets failures and locks.
 */
export class RedisThrottleStore implements ThrottleStore {
  constructor(
    private readonly client: RedisClient,
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
