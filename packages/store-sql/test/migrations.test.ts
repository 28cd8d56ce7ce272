import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { Migrator } from 'kysely/migration';
import { afterAll, describe, expect, it } from 'vitest';
import { createSqlStores, MIGRATION_NAMES, type SqlStores } from '../src/index.js';
import { FactorkitMigrationProvider } from '../src/migrations.js';
import { PG_URL, dropSchema, probePostgres, uniqueSchema } from './servers.js';

const TABLES = [
  'factorkit_enrollments',
  'factorkit_grace',
  'factorkit_pending',
  'factorkit_quota',
  'factorkit_recovery_codes',
  'factorkit_security_events',
  'factorkit_throttle',
  'factorkit_trusted_devices',
  'factorkit_user_generations',
];
const NOW = 1_800_000_000_000;
const dir = mkdtempSync(join(tmpdir(), 'factorkit-sqlite-migrate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('migrations on SQLite', () => {
  it('apply to an empty database file, then are idempotent (a second run and a second instance apply nothing)', async () => {
    const filename = join(dir, 'empty.db');
    const a = createSqlStores({ dialect: 'sqlite', filename });
    expect(await a.migrate()).toEqual({ applied: [...MIGRATION_NAMES] });
    expect(await a.migrate()).toEqual({ applied: [] });
    await a.close();
    const b = createSqlStores({ dialect: 'sqlite', filename });
    expect(await b.migrate()).toEqual({ applied: [] });
    await b.close();

    const raw = new BetterSqlite3(filename, { readonly: true });
    try {
      const tables = (
        raw
          .prepare(
            "select name from sqlite_master where type = 'table' and name like 'factorkit_%' order by name",
          )
          .all() as { name: string }[]
      ).map((r) => r.name);
      expect(tables).toEqual([...TABLES, 'factorkit_migration', 'factorkit_migration_lock'].sort());
      expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
      const applied = raw.prepare('select name from factorkit_migration').all() as {
        name: string;
      }[];
      expect(applied.map((r) => r.name)).toEqual([...MIGRATION_NAMES]);
    } finally {
      raw.close();
    }
  });

  it('stores nothing until migrated: an unmigrated database refuses operations instead of half-working', async () => {
    const s = createSqlStores({ dialect: 'sqlite', filename: join(dir, 'unmigrated.db') });
    await expect(s.stores.enrollments.get('x')).rejects.toThrow(/no such table/);
    await s.close();
  });
});

const server = await probePostgres();

describe.skipIf(!server.ok)(`migrations on PostgreSQL ${server.reason}`, () => {
  it('apply to an empty schema (created if missing), then are idempotent; columns are 64-bit', async () => {
    const schema = uniqueSchema('migrate');
    try {
      const a = createSqlStores({ dialect: 'postgres', connectionString: PG_URL, schema });
      expect(await a.migrate()).toEqual({ applied: [...MIGRATION_NAMES] });
      expect(await a.migrate()).toEqual({ applied: [] });
      await a.close();

      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      try {
        const cols = await client.query<{
          table_name: string;
          column_name: string;
          data_type: string;
        }>(
          'select table_name, column_name, data_type from information_schema.columns where table_schema = $1 order by table_name, column_name',
          [schema],
        );
        const type = (t: string, c: string) =>
          cols.rows.find((r) => r.table_name === t && r.column_name === c)?.data_type;
        expect(
          [...new Set(cols.rows.map((r) => r.table_name))].filter((t) => TABLES.includes(t)).sort(),
        ).toEqual(TABLES);
        // Counters can exceed 2^32 (VEC-03), times are epoch ms.
        expect(type('factorkit_enrollments', 'counter')).toBe('bigint');
        expect(type('factorkit_throttle', 'blocked_until')).toBe('bigint');
      } finally {
        await client.end();
      }
    } finally {
      await dropSchema(schema);
    }
  });

  it('several instances migrating at the same moment apply each migration exactly once', async () => {
    const schema = uniqueSchema('migrate_race');
    const instances = Array.from({ length: 4 }, () =>
      createSqlStores({ dialect: 'postgres', connectionString: PG_URL, schema, poolSize: 2 }),
    );
    try {
      const results = await Promise.all(instances.map((s) => s.migrate()));
      expect(results.flatMap((r) => r.applied)).toEqual([...MIGRATION_NAMES]);
    } finally {
      await Promise.all(instances.map((s) => s.close()));
      await dropSchema(schema);
    }
  });
});

/** A database as the previous release left it: 0001 only, with a pending step and a lock. */
async function atVersion1(s: SqlStores, schema?: string): Promise<void> {
  const migrator = new Migrator({
    db: s.db,
    provider: new FactorkitMigrationProvider(s.dialect, schema),
    migrationTableName: 'factorkit_migration',
    migrationLockTableName: 'factorkit_migration_lock',
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
  const { error } = await migrator.migrateTo('0001_initial');
  expect(error).toBeUndefined();
  await s.db
    .insertInto('factorkit_pending')
    .values({
      id: 'written-by-0001',
      kind: 'challenge',
      user_id: 'u1',
      provider_id: 'p',
      enrollment_id: 'e1',
      payload: 'sealed',
      attempts: 2,
      created_at: NOW,
      expires_at: NOW + 300_000,
    })
    .execute();
  await s.db
    .insertInto('factorkit_throttle')
    .values({ key: 'user:u1', failures: 5, blocked_until: NOW + 60_000 })
    .execute();
}

/** What 0002..0005 must leave behind, whatever the engine: rows of 0001 still work. */
async function expectUpgraded(s: SqlStores): Promise<void> {
  expect(await s.migrate()).toEqual({ applied: MIGRATION_NAMES.slice(1) });
  expect(await s.stores.pending.take('written-by-0001', 'u1', 'challenge')).toEqual({
    id: 'written-by-0001',
    kind: 'challenge',
    userId: 'u1',
    providerId: 'p',
    enrollmentId: 'e1',
    payload: 'sealed',
    attempts: 2,
    createdAt: NOW,
    expiresAt: NOW + 300_000,
  });
  expect(await s.stores.throttle.inspect('user:u1')).toEqual({
    failures: 5,
    blockedUntil: NOW + 60_000,
  });
  expect(await s.stores.throttle.takeQuota('user:u1', NOW, 1, 1000)).toEqual({
    ok: true,
    used: 1,
  });
  // 0005 adds deadlines beside the old rows: the user written by 0001 starts with none.
  expect(await s.stores.enrollments.graceDeadline('u1', NOW, 1000)).toEqual({
    deadline: NOW + 1000,
    started: true,
  });
}

describe('the pending table is looked up by index, by id and by user', () => {
  it('SQLite: primary key on id, and an index on exactly (user_id, id) that deleteForUser uses', async () => {
    const filename = join(dir, 'indexes.db');
    const s = createSqlStores({ dialect: 'sqlite', filename });
    await s.migrate();
    await s.close();
    const raw = new BetterSqlite3(filename, { readonly: true });
    try {
      const indexes = raw.prepare("pragma index_list('factorkit_pending')").all() as {
        name: string;
        origin: string;
      }[];
      const columns = (name: string) =>
        (raw.prepare(`pragma index_info('${name}')`).all() as { name: string }[]).map(
          (c) => c.name,
        );
      const pk = indexes.filter((i) => i.origin === 'pk');
      expect(pk.map((i) => columns(i.name))).toEqual([['id']]);
      expect(indexes.map((i) => columns(i.name))).toContainEqual(['user_id', 'id']);
      // No index left that only repeats the new one's prefix.
      expect(indexes.map((i) => columns(i.name))).not.toContainEqual(['user_id']);
      const plan = raw
        .prepare("explain query plan delete from factorkit_pending where user_id = 'u1'")
        .all() as { detail: string }[];
      expect(plan.map((p) => p.detail).join(' ')).toMatch(
        /USING (COVERING )?INDEX factorkit_pending_user_id_idx/,
      );
    } finally {
      raw.close();
    }
  });

  it('SQLite: 0002 and 0003 upgrade a 0001 database in place; its pending steps and counters keep working', async () => {
    const s = createSqlStores({ dialect: 'sqlite', filename: join(dir, 'upgrade.db') });
    try {
      await atVersion1(s);
      await expectUpgraded(s);
    } finally {
      await s.close();
    }
  });
});

describe.skipIf(!server.ok)(`the pending table on PostgreSQL ${server.reason}`, () => {
  it('has a primary key on id and an index on exactly (user_id, id)', async () => {
    const schema = uniqueSchema('indexes');
    const s = createSqlStores({ dialect: 'postgres', connectionString: PG_URL, schema });
    try {
      await s.migrate();
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      try {
        const { rows } = await client.query<{ indexname: string; indexdef: string }>(
          'select indexname, indexdef from pg_indexes where schemaname = $1 and tablename = $2',
          [schema, 'factorkit_pending'],
        );
        const defs = rows.map((r) => r.indexdef.replace(/^.* USING btree /, ''));
        expect(defs).toContainEqual('(id)');
        expect(defs).toContainEqual('(user_id, id)');
        expect(defs).not.toContainEqual('(user_id)');
        const { rows: pk } = await client.query<{ def: string }>(
          `select pg_get_constraintdef(c.oid) as def from pg_constraint c
             join pg_namespace n on n.oid = c.connamespace
            where n.nspname = $1 and c.conrelid = $2::regclass and c.contype = 'p'`,
          [schema, `"${schema}".factorkit_pending`],
        );
        expect(pk).toEqual([{ def: 'PRIMARY KEY (id)' }]);
      } finally {
        await client.end();
      }
    } finally {
      await s.close();
      await dropSchema(schema);
    }
  });

  it('0002 and 0003 upgrade a 0001 schema in place; its pending steps and counters keep working', async () => {
    const schema = uniqueSchema('upgrade');
    const s = createSqlStores({ dialect: 'postgres', connectionString: PG_URL, schema });
    try {
      await atVersion1(s, schema);
      await expectUpgraded(s);
    } finally {
      await s.close();
      await dropSchema(schema);
    }
  });
});
