import { StoreUnavailableError, type GraceDeadline } from '@factorkit/core';
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import { toNumber, type Database } from './schema.js';

/**
 * Per-user enrollment grace deadlines (`EnrollmentStore.graceDeadline`), in a table of their own:
 * removals and resets delete enrollments and codes, never a deadline (SECURITY.md EN-06). Only a
 * table is added: rows written by earlier versions are untouched.
 */
export function graceDeadlinesMigration(schema: string | undefined): Migration {
  const on = (db: Kysely<unknown>) => (schema ? db.withSchema(schema) : db).schema;
  return {
    async up(db) {
      await on(db)
        .createTable('factorkit_grace')
        .addColumn('user_id', 'text', (c) => c.primaryKey())
        .addColumn('deadline', 'bigint', (c) => c.notNull())
        .execute();
    },
    async down(db) {
      await on(db).dropTable('factorkit_grace').ifExists().execute();
    },
  };
}

/**
 * Insert-if-absent in one statement: the primary key decides a race, the losers (no row
 * returned) read the winner's committed deadline.
 */
export async function graceDeadline(
  db: Kysely<Database>,
  userId: string,
  now: number,
  graceMs: number,
): Promise<GraceDeadline> {
  const inserted = await db
    .insertInto('factorkit_grace')
    .values({ user_id: userId, deadline: now + graceMs })
    .onConflict((oc) => oc.column('user_id').doNothing())
    .returning('deadline')
    .executeTakeFirst();
  if (inserted) return { deadline: toNumber(inserted.deadline), started: true };
  const stored = await peekGraceDeadline(db, userId);
  // A row once stored is never deleted, so the conflicting one is there to read; if it is not,
  // something outside factorkit removed it, and no deadline can be vouched for.
  if (stored === null) {
    throw new StoreUnavailableError('store-sql: a grace deadline row vanished during its insert.');
  }
  return { deadline: stored, started: false };
}

export async function peekGraceDeadline(
  db: Kysely<Database>,
  userId: string,
): Promise<number | null> {
  const row = await db
    .selectFrom('factorkit_grace')
    .select('deadline')
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row ? toNumber(row.deadline) : null;
}
