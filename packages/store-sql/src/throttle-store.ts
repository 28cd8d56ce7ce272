import {
  applyQuotaTake,
  assertQuotaArguments,
  type QuotaTakeResult,
  type ReserveResult,
  type ThrottleSchedule,
  type ThrottleState,
  type ThrottleStore,
  type ThrottleTicket,
} from '@factorkit/core';
import { sql } from 'kysely';
import type { SqlContext } from './context.js';
import { toNumber } from './schema.js';
import { reserveInOneStatement } from './throttle-reserve.js';

/**
 * Failure counters and locks in SQL. `reserve` is core's `applyReserve` as one upsert on the
 * row, decided under the row's write lock, so every adapter throttles identically and racing
 * attempts cannot both read the same count (CC-03).
 */
export class SqlThrottleStore implements ThrottleStore {
  constructor(private readonly ctx: SqlContext) {}

  private get db() {
    return this.ctx.db;
  }

  /** One upsert that decides and counts (see `reserveInOneStatement`), on either engine. */
  reserve(key: string, now: number, schedule: ThrottleSchedule): Promise<ReserveResult> {
    return reserveInOneStatement(this.db, this.ctx.dialect, key, now, schedule);
  }

  /**
   * One conditional UPDATE (core's `applyRefund` in SQL): when no reservation came after the
   * ticket's, the state returns exactly to before it, block included; otherwise only the count
   * goes down and the newer block stands. Never below zero.
   */
  async refund(key: string, ticket: ThrottleTicket): Promise<void> {
    await this.db
      .updateTable('factorkit_throttle')
      .set((eb) => ({
        failures: eb('failures', '-', 1),
        // The right-hand side reads the row as it was before this UPDATE.
        blocked_until: sql<number>`case when failures = ${ticket.failures} then ${ticket.previousBlockedUntil} else blocked_until end`,
      }))
      .where('key', '=', key)
      .where('failures', '>', 0)
      .execute();
  }

  async reset(key: string): Promise<void> {
    await this.db.deleteFrom('factorkit_throttle').where('key', '=', key).execute();
  }

  async inspect(key: string): Promise<ThrottleState> {
    const row = await this.db
      .selectFrom('factorkit_throttle')
      .select(['failures', 'blocked_until'])
      .where('key', '=', key)
      .executeTakeFirst();
    return row
      ? { failures: Number(row.failures), blockedUntil: toNumber(row.blocked_until) }
      : { failures: 0, blockedUntil: 0 };
  }

  /**
   * Core's `applyQuotaTake` on the key's row while holding its write lock, exactly like
   * `reserve`: the first statement is an upsert that creates the row if needed (an empty window
   * that has ended, so the take starts a fresh one) and locks it until commit. Parallel takes on
   * any number of instances therefore run one after another on the committed count, and of 50
   * racing takes after a window ends exactly `limit` pass (CC-03, BF-05).
   */
  async takeQuota(
    key: string,
    now: number,
    limit: number,
    windowMs: number,
  ): Promise<QuotaTakeResult> {
    assertQuotaArguments(now, limit, windowMs);
    return this.db.transaction().execute(async (trx) => {
      const row = await trx
        .insertInto('factorkit_quota')
        .values({ key, used: 0, window_ends_at: 0 })
        .onConflict((oc) =>
          oc.column('key').doUpdateSet((eb) => ({ used: eb.ref('factorkit_quota.used') })),
        )
        .returning(['used', 'window_ends_at'])
        .executeTakeFirstOrThrow();
      const stored = { used: Number(row.used), endsAt: toNumber(row.window_ends_at) };
      await this.ctx.hooks?.insideQuotaTake?.(key);
      const r = applyQuotaTake(stored, now, limit, windowMs);
      if (!r.ok) return { ok: false, retryAt: r.retryAt };
      await trx
        .updateTable('factorkit_quota')
        .set({ used: r.next.used, window_ends_at: r.next.endsAt })
        .where('key', '=', key)
        .execute();
      return { ok: true, used: r.next.used };
    });
  }

  async releaseQuota(key: string): Promise<void> {
    await this.db.deleteFrom('factorkit_quota').where('key', '=', key).execute();
  }
}
