import type { ReserveResult, ThrottleSchedule } from '@factorkit/core';
import { applyReserve } from '@factorkit/core';
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Migration } from 'kysely/migration';
import { CompiledStatement } from './compiled-statements.js';
import { toNumber, type Database } from './schema.js';

/**
 * Migration 0010: a `last_reserve` column on the throttle table, written by every `reserve` in
 * the same statement that decides it: the block in force before the reservation when it was
 * granted, -1 when it was refused. PostgreSQL 15's RETURNING sees only the new row, and the
 * refund needs the old block exactly (ThrottleStore.refund), so the one statement keeps it
 * here. Nothing else reads it; rows written before simply have NULL until their next reserve.
 */
export function throttleLastReserveMigration(schema: string | undefined): Migration {
  const on = (db: Kysely<unknown>) => (schema ? db.withSchema(schema) : db).schema;
  return {
    async up(db) {
      await on(db).alterTable('factorkit_throttle').addColumn('last_reserve', 'bigint').execute();
    },
    async down(db) {
      await on(db).alterTable('factorkit_throttle').dropColumn('last_reserve').execute();
    },
  };
}

/** A schedule's numbers and the caller's now, as the reserve statement binds them. */
interface ReserveArguments {
  now: number;
  /** `now + lockMs`: computed here, since a compiled statement only binds values. */
  lockUntil: number;
  freeFailures: number;
  baseDelayMs: number;
  maxDelayMs: number;
  lockAfter: number;
  permanentAfter: number;
}

/**
 * `throttleBlockMs` of the failure count `failures` (a SQL expression of the row), as the
 * deadline after `now` it sets: the same cases in the same order, so this adapter throttles
 * exactly as core's arithmetic does (the conformance suite checks the schedule).
 */
function nextBlockedUntil(
  failures: RawBuilder<number>,
  a: ReserveArguments,
  least: 'least' | 'min',
) {
  const fn = sql.raw(least);
  const big = (v: number) => sql<number>`cast(${v} as bigint)`;
  return sql<number>`case
    when ${failures} >= ${a.permanentAfter} then ${big(Number.MAX_SAFE_INTEGER)}
    when ${failures} >= ${a.lockAfter} then ${big(a.lockUntil)}
    when ${failures} <= ${a.freeFailures} then ${big(0)}
    else ${big(a.now)} + cast(${fn}(${a.baseDelayMs} * power(2, ${fn}(${failures} - ${a.freeFailures} - 1, 30)), ${a.maxDelayMs}) as bigint)
  end`;
}

/**
 * The upsert, compiled once per store and dialect (see compiled-statements.ts). The new row's
 * values are arguments too: core's decision for a key with no row, or the refusal's row.
 */
function reserveStatement(least: 'least' | 'min') {
  return new CompiledStatement(
    11,
    (
      db,
      key: string,
      freshFailures: number,
      freshBlockedUntil: number,
      freshLastReserve: number,
      now: number,
      lockUntil: number,
      freeFailures: number,
      baseDelayMs: number,
      maxDelayMs: number,
      lockAfter: number,
      permanentAfter: number,
    ) => {
      const a = {
        now,
        lockUntil,
        freeFailures,
        baseDelayMs,
        maxDelayMs,
        lockAfter,
        permanentAfter,
      };
      const t = sql.ref('factorkit_throttle.failures');
      const b = sql.ref('factorkit_throttle.blocked_until');
      const granted = sql<boolean>`(${t} < ${permanentAfter} and ${b} <= ${now})`;
      const block = nextBlockedUntil(sql<number>`(${t} + 1)`, a, least);
      return db
        .insertInto('factorkit_throttle')
        .values({
          key,
          failures: freshFailures,
          blocked_until: freshBlockedUntil,
          last_reserve: freshLastReserve,
        })
        .onConflict((oc) =>
          oc.column('key').doUpdateSet({
            failures: sql<number>`case when ${granted} then ${t} + 1 else ${t} end`,
            blocked_until: sql<number>`case when ${granted} then ${block} else ${b} end`,
            last_reserve: sql<number>`case when ${granted} then ${b} else -1 end`,
          }),
        )
        .returning(['failures', 'blocked_until', 'last_reserve']);
    },
  );
}

const RESERVE = { postgres: reserveStatement('least'), sqlite: reserveStatement('min') };

/**
 * One statement decides and counts a reservation, atomically (CC-03): an upsert that creates
 * the key's row with this first failure, or, on the existing row (PostgreSQL: locked by
 * ON CONFLICT DO UPDATE and read at its latest committed version; SQLite: one writer at a
 * time), adds the failure and its block only when the row is neither permanently locked nor
 * blocked at `now`, which is `applyReserve`'s rule. Before, this was BEGIN, upsert, UPDATE,
 * COMMIT: four round trips per answer.
 */
export async function reserveInOneStatement(
  db: Kysely<Database>,
  dialect: 'sqlite' | 'postgres',
  key: string,
  now: number,
  s: ThrottleSchedule,
): Promise<ReserveResult> {
  // A key with no row is the state { failures: 0, blockedUntil: 0 }: core decides that one.
  const fresh = applyReserve({ failures: 0, blockedUntil: 0 }, now, s);
  const [f, bu, lr] = fresh.ok ? [fresh.next.failures, fresh.next.blockedUntil, 0] : [0, 0, -1];
  const row = await RESERVE[dialect].first(
    db,
    key,
    f,
    bu,
    lr,
    now,
    now + s.lockMs,
    s.freeFailures,
    s.baseDelayMs,
    s.maxDelayMs,
    s.lockAfter,
    s.permanentAfter,
  );
  // An upsert with RETURNING always returns its one row.
  if (!row) throw new Error('store-sql: the throttle reserve returned no row.');
  const failures = Number(row.failures);
  const previous = row.last_reserve === null ? -1 : toNumber(row.last_reserve);
  if (previous >= 0) return { ok: true, failures, previousBlockedUntil: previous };
  // Refused: the row is as it was, so it tells why, as `applyReserve` would.
  if (failures >= s.permanentAfter) return { ok: false, failures, locked: true, retryAt: null };
  const retryAt = toNumber(row.blocked_until);
  return { ok: false, failures, locked: failures >= s.lockAfter, retryAt };
}
