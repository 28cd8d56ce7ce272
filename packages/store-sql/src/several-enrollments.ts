import { EnrollmentConflictError } from '@factorkit/core';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { SqlDialectName } from './migrations.js';
import type { Database } from './schema.js';

const UNIQUE_USER_PROVIDER = 'factorkit_enrollments_user_provider_uq';
const USER_PROVIDER_INDEX = 'factorkit_enrollments_user_provider_idx';

/**
 * Migration 0006: a user may hold several enrollments of one provider (two authenticator apps).
 * The (user_id, provider_id) unique constraint of 0001 goes; the limit per provider is counted
 * under the user lock instead (`refuseAtLimit`, SECURITY.md EN-07). A non-unique index on the
 * same columns keeps that count and `listByUser` cheap. Every row written before is kept as is.
 *
 * PostgreSQL drops the constraint. SQLite cannot drop a table constraint, so the table is
 * rebuilt without it in one transaction: copy every row, drop the old table, rename the new one.
 */
export function severalEnrollmentsMigration(
  dialect: SqlDialectName,
  schema: string | undefined,
): Migration {
  const on = (db: Kysely<unknown>) => (schema ? db.withSchema(schema) : db).schema;
  return {
    async up(db) {
      if (dialect === 'postgres') {
        await on(db)
          .alterTable('factorkit_enrollments')
          .dropConstraint(UNIQUE_USER_PROVIDER)
          .execute();
      } else {
        // Not run in a transaction by Kysely on SQLite (no transactional DDL there): take one,
        // so a crash mid-rebuild leaves the old table whole.
        await db.transaction().execute(rebuildSqliteTableWithoutUnique);
      }
      await on(db)
        .createIndex(USER_PROVIDER_INDEX)
        .on('factorkit_enrollments')
        .columns(['user_id', 'provider_id'])
        .execute();
    },
    async down(db) {
      // Fails, changing nothing, while a user holds two enrollments of one provider.
      await on(db).dropIndex(USER_PROVIDER_INDEX).execute();
      await on(db)
        .alterTable('factorkit_enrollments')
        .addUniqueConstraint(UNIQUE_USER_PROVIDER, ['user_id', 'provider_id'])
        .execute();
    },
  };
}

/** The 0001 table, column for column, without the unique constraint. */
async function rebuildSqliteTableWithoutUnique(trx: Transaction<unknown>): Promise<void> {
  await sql`create table factorkit_enrollments_0006 (
      id text primary key,
      user_id text not null,
      provider_id text not null,
      label text,
      secret text not null,
      counter bigint,
      created_at bigint not null,
      last_used_at bigint
    )`.execute(trx);
  await sql`insert into factorkit_enrollments_0006
      (id, user_id, provider_id, label, secret, counter, created_at, last_used_at)
    select id, user_id, provider_id, label, secret, counter, created_at, last_used_at
      from factorkit_enrollments`.execute(trx);
  await sql`drop table factorkit_enrollments`.execute(trx);
  await sql`alter table factorkit_enrollments_0006 rename to factorkit_enrollments`.execute(trx);
}

/**
 * Inside `activate`'s transaction, after `lockUser`: refuses when the user already holds
 * `max` enrollments of the provider. The lock serialises every activation and removal of the
 * user, so no number of parallel activations can store more than `max` (EN-07).
 */
export async function refuseAtLimit(
  trx: Transaction<Database>,
  userId: string,
  providerId: string,
  max: number,
): Promise<void> {
  const { n } = await trx
    .selectFrom('factorkit_enrollments')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('user_id', '=', userId)
    .where('provider_id', '=', providerId)
    .executeTakeFirstOrThrow();
  if (Number(n) >= max) throw new EnrollmentConflictError();
}

/** One UPDATE scoped to the user: a foreign or removed enrollment changes no row. */
export async function renameEnrollment(
  db: Kysely<Database>,
  userId: string,
  enrollmentId: string,
  label: string,
): Promise<boolean> {
  const r = await db
    .updateTable('factorkit_enrollments')
    .set({ label })
    .where('id', '=', enrollmentId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/**
 * A database not yet migrated to 0006 still has the unique constraint: its violation is the same
 * answer as the count (the user is at the limit of one), never a store failure.
 */
export function isUserProviderConflict(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { code?: unknown; constraint?: unknown; message?: unknown };
  // PostgreSQL (pg): SQLSTATE 23505 unique_violation, with the constraint's name.
  if (e.code === '23505') return e.constraint === UNIQUE_USER_PROVIDER;
  // SQLite (better-sqlite3): the message names the columns of the violated unique constraint.
  if (e.code === 'SQLITE_CONSTRAINT_UNIQUE') {
    return typeof e.message === 'string' && e.message.includes('factorkit_enrollments.user_id');
  }
  return false;
}
