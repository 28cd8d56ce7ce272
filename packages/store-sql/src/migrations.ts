import { sql, type Kysely } from 'kysely';
import type { Migration, MigrationProvider } from 'kysely/migration';
import { graceDeadlinesMigration } from './grace-deadlines.js';
import { lookupKeysMigration } from './lookup-keys.js';
import { securityTimelineMigration } from './security-events.js';

import { severalEnrollmentsMigration } from './several-enrollments.js';

import { throttleLastReserveMigration } from './throttle-reserve.js';
import { trustedDevicesMigration } from './trusted-devices.js';
import { userGenerationsMigration } from './user-generations.js';

export type SqlDialectName = 'sqlite' | 'postgres';

/**
 * The schema, as versioned migrations kept in code (no migration folder to ship or locate).
 * Names sort in the order they apply. Never edit a released migration: add the next one.
 */
function initial(dialect: SqlDialectName, schema: string | undefined): Migration {
  // Ids are compared byte-wise so that `listAll` pages in the same order as a JS sort on every
  // engine (PostgreSQL's default collation would sort "a" < "B"; SQLite's BINARY is byte order).
  const idType = dialect === 'postgres' ? sql`text collate "C"` : sql`text`;
  const on = (db: Kysely<unknown>) => (schema ? db.withSchema(schema) : db).schema;
  return {
    async up(db) {
      const s = on(db);
      await s
        .createTable('factorkit_enrollments')
        .addColumn('id', idType, (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('provider_id', 'text', (c) => c.notNull())
        .addColumn('label', 'text')
        .addColumn('secret', 'text', (c) => c.notNull())
        // bigint: counters such as HOTP's or a TOTP step can exceed 2^32 (VEC-03).
        .addColumn('counter', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('last_used_at', 'bigint')
        // One factor per user and provider, enforced by the engine until 0006 lifts it (EN-07).
        .addUniqueConstraint('factorkit_enrollments_user_provider_uq', ['user_id', 'provider_id'])
        .execute();
      await s
        .createTable('factorkit_recovery_codes')
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('code_hash', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('used_at', 'bigint')
        .addPrimaryKeyConstraint('factorkit_recovery_codes_pk', ['user_id', 'code_hash'])
        .execute();
      await s
        .createTable('factorkit_pending')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('provider_id', 'text', (c) => c.notNull())
        .addColumn('enrollment_id', 'text')
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();
      await s
        .createIndex('factorkit_pending_user_idx')
        .on('factorkit_pending')
        .column('user_id')
        .execute();
      await s
        .createIndex('factorkit_pending_expires_idx')
        .on('factorkit_pending')
        .column('expires_at')
        .execute();
      await s
        .createTable('factorkit_throttle')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('failures', 'integer', (c) => c.notNull())
        .addColumn('blocked_until', 'bigint', (c) => c.notNull())
        .execute();
    },
    async down(db) {
      const s = on(db);
      for (const t of [
        'factorkit_throttle',
        'factorkit_pending',
        'factorkit_recovery_codes',
        'factorkit_enrollments',
      ]) {
        await s.dropTable(t).ifExists().execute();
      }
    },
  };
}

/**
 * The pending table's per-user index becomes (user_id, id), which serves `deleteForUser` and the
 * per-user sweep in `create` from the index alone; the primary key on id stays. Only an index
 * is replaced: rows written before keep working.
 */
function pendingUserIdIndex(schema: string | undefined): Migration {
  const on = (db: Kysely<unknown>) => (schema ? db.withSchema(schema) : db).schema;
  return {
    async up(db) {
      const s = on(db);
      await s
        .createIndex('factorkit_pending_user_id_idx')
        .on('factorkit_pending')
        .columns(['user_id', 'id'])
        .execute();
      // Its one column is the new index's prefix: keeping it would only cost writes.
      await s.dropIndex('factorkit_pending_user_idx').execute();
    },
    async down(db) {
      const s = on(db);
      await s
        .createIndex('factorkit_pending_user_idx')
        .on('factorkit_pending')
        .column('user_id')
        .execute();
      await s.dropIndex('factorkit_pending_user_id_idx').execute();
    },
  };
}

/**
 * Per-key quota windows (`ThrottleStore.takeQuota`), in a table of their own so that a quota key
 * can never read or reset a failure counter in `factorkit_throttle`.
 */
function quotas(schema: string | undefined): Migration {
  const on = (db: Kysely<unknown>) => (schema ? db.withSchema(schema) : db).schema;
  return {
    async up(db) {
      await on(db)
        .createTable('factorkit_quota')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('used', 'integer', (c) => c.notNull())
        .addColumn('window_ends_at', 'bigint', (c) => c.notNull())
        .execute();
    },
    async down(db) {
      await on(db).dropTable('factorkit_quota').execute();
    },
  };
}

/** Kysely's Migrator reads migrations from this provider instead of a folder. */
export class FactorkitMigrationProvider implements MigrationProvider {
  constructor(
    private readonly dialect: SqlDialectName,
    private readonly schema: string | undefined,
  ) {}

  async getMigrations(): Promise<Record<string, Migration>> {
    return {
      '0001_initial': initial(this.dialect, this.schema),
      '0002_pending_user_id_index': pendingUserIdIndex(this.schema),
      '0003_quotas': quotas(this.schema),
      '0004_user_generations': userGenerationsMigration(this.schema),
      '0005_grace_deadlines': graceDeadlinesMigration(this.schema),
      '0006_several_enrollments': severalEnrollmentsMigration(this.dialect, this.schema),
      '0007_trusted_devices': trustedDevicesMigration(this.dialect, this.schema),
      '0008_security_timeline': securityTimelineMigration(this.dialect, this.schema),
      '0009_enrollment_lookup_keys': lookupKeysMigration(this.schema),
      '0010_throttle_last_reserve': throttleLastReserveMigration(this.schema),
    };
  }
}

/** Names of the migrations this version of the package knows, in order. */
export const MIGRATION_NAMES: readonly string[] = [
  '0001_initial',
  '0002_pending_user_id_index',
  '0003_quotas',
  '0004_user_generations',
  '0005_grace_deadlines',
  '0006_several_enrollments',
  '0007_trusted_devices',
  '0008_security_timeline',
  '0009_enrollment_lookup_keys',
  '0010_throttle_last_reserve',
];
