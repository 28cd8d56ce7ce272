import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createSqlStores, MIGRATION_NAMES } from '../src/index.js';
import { PG_URL, dropSchema, probePostgres, uniqueSchema } from './servers.js';

const TABLES = [
  'factorkit_enrollments',
  'factorkit_pending',
  'factorkit_recovery_codes',
  'factorkit_throttle',
  'factorkit_user_generations',
];
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
