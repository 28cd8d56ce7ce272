import type { EnrollmentRecord } from '@factorkit/core';
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import { toRecord } from './enrollment-rows.js';
import type { Database } from './schema.js';

const LOOKUP_KEY_INDEX = 'factorkit_enrollments_lookup_key_uq';

/**
 * Migration 0009: a nullable `lookup_key` column on enrollments and a unique index on
 * (provider_id, lookup_key), so that one authenticator (a WebAuthn credential id, by its digest)
 * can be bound to one enrollment only, whoever registers it and on whichever instance: the
 * engine refuses the second insert (SECURITY.md WA-12). Both engines treat NULLs as distinct in a
 * unique index, so rows written before, and providers that give no key, are unaffected.
 */
export function lookupKeysMigration(schema: string | undefined): Migration {
  const on = (db: Kysely<unknown>) => (schema ? db.withSchema(schema) : db).schema;
  return {
    async up(db) {
      await on(db).alterTable('factorkit_enrollments').addColumn('lookup_key', 'text').execute();
      await on(db)
        .createIndex(LOOKUP_KEY_INDEX)
        .on('factorkit_enrollments')
        .columns(['provider_id', 'lookup_key'])
        .unique()
        .execute();
    },
    async down(db) {
      await on(db).dropIndex(LOOKUP_KEY_INDEX).execute();
      await on(db).alterTable('factorkit_enrollments').dropColumn('lookup_key').execute();
    },
  };
}

/** The enrollment of the provider holding the key, or null. */
export async function findByLookupKey(
  db: Kysely<Database>,
  providerId: string,
  lookupKey: string,
): Promise<EnrollmentRecord | null> {
  const r = await db
    .selectFrom('factorkit_enrollments')
    .selectAll()
    .where('provider_id', '=', providerId)
    .where('lookup_key', '=', lookupKey)
    .executeTakeFirst();
  return r ? toRecord(r) : null;
}

/** Whether an insert failed on the lookup-key index (the key is taken), not on anything else. */
export function isLookupKeyConflict(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { code?: unknown; constraint?: unknown; message?: unknown };
  // PostgreSQL (pg): SQLSTATE 23505 unique_violation, with the index's name.
  if (e.code === '23505') return e.constraint === LOOKUP_KEY_INDEX;
  // SQLite (better-sqlite3): the message names the columns of the violated index.
  return (
    e.code === 'SQLITE_CONSTRAINT_UNIQUE' &&
    typeof e.message === 'string' &&
    e.message.includes('factorkit_enrollments.lookup_key')
  );
}
