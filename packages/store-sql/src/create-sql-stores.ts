import {
  DEFAULT_PENDING_GRACE_MS,
  InvalidArgumentError,
  StoreUnavailableError,
  type FactorkitStores,
} from '@factorkit/core';
import { Kysely, PostgresDialect, SqliteDialect, sql, type Dialect } from 'kysely';
import { Migrator } from 'kysely/migration';
import type pg from 'pg';
import { loadDriver } from './drivers.js';
import { ADVISORY_NAMESPACE, type SqlContext, type SqlTestHooks } from './context.js';
import { SqlEnrollmentStore } from './enrollment-store.js';
import { withOwnSchemaIntrospection } from './own-schema-introspection.js';
import { FactorkitMigrationProvider, type SqlDialectName } from './migrations.js';
import { SqlPendingStore } from './pending-store.js';
import type { Database } from './schema.js';
import { SqlThrottleStore } from './throttle-store.js';

const DEFAULT_QUERY_TIMEOUT_MS = 10_000;

interface CommonOptions {
  /**
   * How long an expired pending record is kept before a create sweeps it (meanwhile core still
   * reports a late answer as expired rather than unknown). @default 60000
   */
  pendingGraceMs?: number;
  /** Test seams (crash-safety tests); never set in production. */
  testHooks?: SqlTestHooks;
}

/** The embedded default: one file, nothing to run. Correct for a single node (see README). */
export interface SqliteStoreOptions extends CommonOptions {
  dialect: 'sqlite';
  /** Path of the database file (created if missing), or `:memory:` for a throwaway database. */
  filename: string;
  /** How long a writer waits for another process's write lock, in ms. @default 5000 */
  busyTimeoutMs?: number;
}

/** Shared by several app instances. */
export interface PostgresStoreOptions extends CommonOptions {
  dialect: 'postgres';
  /** `postgres://user@host:5432/db`; or pass your own `pool`. */
  connectionString?: string;
  /** An existing `pg.Pool`; it stays open after `close()` (the caller owns it). */
  pool?: pg.Pool;
  /** PostgreSQL schema for factorkit's tables (created by `migrate()` if missing). @default public */
  schema?: string;
  /** Connections in the pool this package creates. @default 10 */
  poolSize?: number;
  /**
   * How long the pool this package creates waits for a connection, and for a query's answer,
   * before the call fails (core then reports STORE_UNAVAILABLE instead of hanging on a paused
   * or unreachable server). 0 waits without limit; raise it if a migration on a large table
   * needs longer. @default 10000
   */
  queryTimeoutMs?: number;
}

export type SqlStoreOptions = SqliteStoreOptions | PostgresStoreOptions;

export interface SqlStores {
  /** All three core stores; use only `enrollments` when pending state and throttles live in Redis. */
  readonly stores: FactorkitStores & {
    readonly enrollments: SqlEnrollmentStore;
    readonly pending: SqlPendingStore;
    readonly throttle: SqlThrottleStore;
  };
  readonly dialect: SqlDialectName;
  /** The Kysely instance (for a host's health check or its own queries). */
  readonly db: Kysely<Database>;
  /** Applies pending migrations (idempotent); returns the names applied by this call. */
  migrate(): Promise<{ applied: string[] }>;
  /** Closes the connections this package opened. */
  close(): Promise<void>;
}

const SCHEMA_RE = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

function sqliteDialect(o: SqliteStoreOptions): Dialect {
  if (typeof o.filename !== 'string' || o.filename.length === 0) {
    throw new InvalidArgumentError('store-sql: sqlite needs a `filename` (a path, or ":memory:").');
  }
  const busy = o.busyTimeoutMs ?? 5000;
  if (!Number.isInteger(busy) || busy < 0)
    throw new InvalidArgumentError('store-sql: busyTimeoutMs must be a non-negative integer.');
  return new SqliteDialect({
    // Drivers load on first use, so a PostgreSQL-only host never loads the native SQLite module.
    database: async () => {
      const { default: BetterSqlite3 } = await loadDriver('sqlite', () => import('better-sqlite3'));
      const db = new BetterSqlite3(o.filename, { timeout: busy });
      // WAL: readers never block the writer and a crash never leaves a half-written
      // transaction; writers are still serialised (one at a time), waiting up to busy_timeout.
      db.pragma('journal_mode = WAL');
      db.pragma(`busy_timeout = ${busy}`);
      // FULL: a committed decision (a used code, a counter) survives power loss too.
      db.pragma('synchronous = FULL');
      return db;
    },
  });
}

/** Builds the stores without touching the database; call `migrate()` (or use `openSqlStores`). */
export function createSqlStores(options: SqlStoreOptions): SqlStores {
  if (typeof options !== 'object' || options === null)
    throw new InvalidArgumentError('store-sql: options are required.');
  const pendingGraceMs = options.pendingGraceMs ?? DEFAULT_PENDING_GRACE_MS;
  if (!Number.isSafeInteger(pendingGraceMs) || pendingGraceMs < 0)
    throw new InvalidArgumentError('store-sql: pendingGraceMs must be a non-negative integer.');
  let dialect: Dialect;
  let schema: string | undefined;
  let ownPool = false;
  if (options.dialect === 'sqlite') {
    dialect = sqliteDialect(options);
  } else if (options.dialect === 'postgres') {
    if (options.schema !== undefined && !SCHEMA_RE.test(options.schema)) {
      throw new InvalidArgumentError(
        'store-sql: schema must be a plain identifier (letters, digits, underscore).',
      );
    }
    schema = options.schema;
    const given = options.pool;
    if (
      !given &&
      (typeof options.connectionString !== 'string' || options.connectionString.length === 0)
    ) {
      throw new InvalidArgumentError('store-sql: postgres needs a `connectionString` or a `pool`.');
    }
    ownPool = !given;
    const { connectionString, poolSize } = options;
    const queryTimeoutMs = options.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS;
    if (!Number.isInteger(queryTimeoutMs) || queryTimeoutMs < 0)
      throw new InvalidArgumentError('store-sql: queryTimeoutMs must be a non-negative integer.');
    dialect = new PostgresDialect({
      pool:
        given ??
        (async () => {
          const { default: pgModule } = await loadDriver('postgres', () => import('pg'));
          const pool = new pgModule.Pool({
            connectionString,
            max: poolSize ?? 10,
            ...(queryTimeoutMs > 0
              ? { query_timeout: queryTimeoutMs, connectionTimeoutMillis: queryTimeoutMs }
              : {}),
          });
          // A connection dropped by the server must not crash the host, idle or checked out (a
          // client between two statements of a transaction has no query to fail, so pg emits
          // 'error' on it): the next query on it reports the failure instead.
          pool.on('error', () => undefined);
          pool.on('connect', (client) => client.on('error', () => undefined));
          return pool;
        }),
    });
  } else {
    throw new InvalidArgumentError('store-sql: dialect must be "sqlite" or "postgres".');
  }
  const root = new Kysely<Database>({ dialect });
  const db = schema ? root.withSchema(schema) : root;
  const ctx: SqlContext = {
    db,
    dialect: options.dialect,
    hooks: options.testHooks,
    pendingGraceMs,
  };
  const enrollments = new SqlEnrollmentStore(ctx);
  const stores = {
    enrollments,
    pending: new SqlPendingStore(ctx, enrollments),
    throttle: new SqlThrottleStore(ctx),
  };
  const dialectName = options.dialect;
  return {
    stores,
    dialect: dialectName,
    db,
    async migrate() {
      const run = async (db: Kysely<Database>) => {
        const migrator = new Migrator({
          db,
          provider: new FactorkitMigrationProvider(dialectName, schema),
          // Own names, so a host's Kysely migrations in the same database are left alone.
          migrationTableName: 'factorkit_migration',
          migrationLockTableName: 'factorkit_migration_lock',
          ...(schema ? { migrationTableSchema: schema } : {}),
        });
        const { error, results } = await migrator.migrateToLatest();
        if (error)
          throw new StoreUnavailableError('store-sql: migrating the factorkit schema failed.', {
            cause: error,
          });
        return {
          applied: (results ?? [])
            .filter((r) => r.status === 'Success')
            .map((r) => r.migrationName),
        };
      };
      if (dialectName === 'sqlite') return run(root);
      // Instances starting together: Kysely's own lock lives in a table that must exist first,
      // and concurrent CREATE ... IF NOT EXISTS can still collide in PostgreSQL's catalog. One
      // session-level advisory lock per schema makes the whole migration one-at-a-time.
      return root.connection().execute(async (conn) => {
        const key = `factorkit-migrate:${schema ?? 'public'}`;
        await sql`select pg_advisory_lock(${sql.lit(ADVISORY_NAMESPACE)}, hashtext(${key}))`.execute(
          conn,
        );
        try {
          return await run(withOwnSchemaIntrospection(conn, schema));
        } finally {
          await sql`select pg_advisory_unlock(${sql.lit(ADVISORY_NAMESPACE)}, hashtext(${key}))`.execute(
            conn,
          );
        }
      });
    },
    async close() {
      // Kysely ends the pool it was given; leave a caller's own pool open.
      if (options.dialect === 'postgres' && !ownPool) return;
      await root.destroy();
    },
  };
}

/** `createSqlStores` and, unless `migrate: false`, the migrations at start-up. */
export async function openSqlStores(
  options: SqlStoreOptions & { migrate?: boolean },
): Promise<SqlStores> {
  const s = createSqlStores(options);
  if (options.migrate !== false) {
    try {
      await s.migrate();
    } catch (err) {
      await s.close();
      throw err;
    }
  }
  return s;
}
