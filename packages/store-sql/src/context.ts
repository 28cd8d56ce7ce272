import { sql, type Kysely, type Transaction } from 'kysely';
import type { EnrollmentRecord } from '@factorkit/core';
import type { SqlDialectName } from './migrations.js';
import type { Database } from './schema.js';

/**
 * Test seams, for crash-safety tests only; never set in production. `insideActivation` runs
 * inside the activation transaction, after every row is written and before the commit.
 */
export interface SqlTestHooks {
  insideActivation?(enrollment: EnrollmentRecord): Promise<void>;
  /**
   * Runs inside `takeQuota`'s transaction, after the row is read and before it is written: a
   * test widens the race window here to show that parallel takes still cannot overbook.
   */
  insideQuotaTake?(key: string): Promise<void>;
}

export interface SqlContext {
  readonly db: Kysely<Database>;
  readonly dialect: SqlDialectName;
  readonly hooks: SqlTestHooks | undefined;
  /** How long after its expiry a pending record is kept before a create sweeps it. */
  readonly pendingGraceMs: number;
}

/** Class id of factorkit's PostgreSQL advisory locks (two-key form), so hosts' own locks never clash. */
export const ADVISORY_NAMESPACE = 0x666b7431;

/**
 * Serialises the transactions that change one user's set of enrollments and recovery codes
 * (activate, remove, replace codes), so two instances cannot both see "no unused codes" and both
 * issue a set, nor remove the last factor while another is being added. PostgreSQL: a
 * transaction-scoped advisory lock on the user. SQLite: one writer at a time; a no-op write
 * takes that lock at the start of the transaction.
 */
export async function lockUser(
  trx: Transaction<Database>,
  ctx: SqlContext,
  userId: string,
): Promise<void> {
  if (ctx.dialect === 'postgres') {
    await sql`select pg_advisory_xact_lock(${sql.lit(ADVISORY_NAMESPACE)}, hashtext(${userId}))`.execute(
      trx,
    );
  } else {
    // SQLite: a write statement (even one that matches no row) takes the database's write lock
    // now, so a transaction that reads before it writes cannot fail to upgrade later.
    await sql`update factorkit_enrollments set id = id where 0 = 1`.execute(trx);
  }
}
