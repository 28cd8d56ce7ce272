/**
 * `migrate()` on PostgreSQL looks only at factorkit's own schema, so that an instance can always
 * start beside other schemas and other processes: another schema's tables never pass for ours.
 * Reading only that schema is also what keeps schemas other processes drop meanwhile from
 * failing it (Kysely's own introspector reads them all, with name-based functions per row).
 */
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createSqlStores, MIGRATION_NAMES } from '../src/index.js';
import { PG_URL, dropSchema, probePostgres, uniqueSchema } from './servers.js';

const server = await probePostgres();
const made: string[] = [];
afterAll(async () => {
  for (const s of made) await dropSchema(s);
});

async function query(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

describe.skipIf(!server.ok)(`migrate() sees only its own schema ${server.reason}`, () => {
  it("with the default schema, another schema's factorkit_migration table is not taken for ours", async () => {
    const mine = uniqueSchema('own');
    const other = uniqueSchema('other');
    made.push(mine, other);
    await query(`create schema "${mine}"; create schema "${other}"`);
    await query(
      `create table "${other}".factorkit_migration (name varchar(255) primary key, timestamp varchar(255) not null)`,
    );
    // No `schema` option: the connection's search path names the default schema.
    const pool = new pg.Pool({ connectionString: PG_URL, options: `-c search_path=${mine}` });
    const s = createSqlStores({ dialect: 'postgres', pool });
    try {
      expect(await s.migrate()).toEqual({ applied: [...MIGRATION_NAMES] });
      expect(await s.migrate()).toEqual({ applied: [] });
      const tables = await pool.query<{ table_name: string }>(
        `select table_name from information_schema.tables where table_schema = $1 and table_name = 'factorkit_migration'`,
        [mine],
      );
      expect(tables.rows).toHaveLength(1);
    } finally {
      await s.close();
      await pool.end();
    }
  });
});
