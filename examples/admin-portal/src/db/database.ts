/**
 * One database for everything: factorkit's stores (store-sql, SQLite by default or PostgreSQL)
 * and the portal's own tables on the same connection pool, each with its own migrations.
 */
import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { openSqlStores, type SqlStores } from '@factorkit/store-sql';
import { sql, type Kysely } from 'kysely';
import { Migrator, type Migration, type MigrationProvider } from 'kysely/migration';
import type { PortalSettings } from '../settings.js';
import type { PortalTables } from './tables.js';

export interface PortalDatabase {
  readonly sql: SqlStores;
  readonly db: Kysely<PortalTables>;
  readonly dialect: 'sqlite' | 'postgres';
  close(): Promise<void>;
}

function portalMigrations(dialect: 'sqlite' | 'postgres'): Record<string, Migration> {
  const serial = dialect === 'postgres' ? 'bigserial' : 'integer';
  return {
    '0001_portal': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('portal_users')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('email', 'text', (c) => c.notNull().unique())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('role', 'text', (c) => c.notNull())
          .addColumn('password_hash', 'text', (c) => c.notNull())
          .addColumn('license_key', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('portal_sessions')
          .addColumn('sid', 'text', (c) => c.primaryKey())
          .addColumn('data', 'text', (c) => c.notNull())
          .addColumn('expires_at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex('portal_sessions_expires_idx')
          .on('portal_sessions')
          .column('expires_at')
          .execute();
        await db.schema
          .createTable('portal_settings')
          .addColumn('name', 'text', (c) => c.primaryKey())
          .addColumn('value', 'text', (c) => c.notNull())
          .addColumn('version', 'integer', (c) => c.notNull())
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .addColumn('updated_by', 'text', (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('portal_audit')
          .addColumn('id', sql.raw(serial), (c) =>
            dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
          )
          .addColumn('at', 'bigint', (c) => c.notNull())
          .addColumn('type', 'text', (c) => c.notNull())
          .addColumn('user_id', 'text')
          .addColumn('actor_id', 'text')
          .addColumn('provider_id', 'text')
          .addColumn('ip', 'text')
          .addColumn('detail', 'text', (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex('portal_audit_at_idx')
          .on('portal_audit')
          .column('at')
          .execute();
        await db.schema
          .createIndex('portal_audit_user_idx')
          .on('portal_audit')
          .columns(['user_id', 'at'])
          .execute();
      },
    },
  };
}

export async function openPortalDatabase(settings: PortalSettings): Promise<PortalDatabase> {
  const stores = settings.databaseUrl
    ? await openSqlStores({ dialect: 'postgres', connectionString: settings.databaseUrl })
    : await openSqlStores({ dialect: 'sqlite', filename: sqliteFile(settings) });
  const db = stores.db as unknown as Kysely<PortalTables>;
  const dialect = stores.dialect;
  const provider: MigrationProvider = { getMigrations: async () => portalMigrations(dialect) };
  const migrator = new Migrator({
    db,
    provider,
    migrationTableName: 'portal_migration',
    migrationLockTableName: 'portal_migration_lock',
  });
  const { error } = await migrator.migrateToLatest();
  if (error) {
    await stores.close();
    throw error instanceof Error ? error : new Error('portal migrations failed');
  }
  return { sql: stores, db, dialect, close: () => stores.close() };
}

function sqliteFile(settings: PortalSettings): string {
  mkdirSync(settings.dataDir, { recursive: true, mode: 0o700 });
  const file = join(settings.dataDir, 'portal.sqlite');
  // Readable by the owner only (the folder is too): it holds password hashes and sessions.
  if (!existsSync(file)) closeSync(openSync(file, 'a', 0o600));
  return file;
}
