/**
 * The databases the store-sql tests run on: SQLite in a temp file and PostgreSQL in a schema of
 * its own. A database can have several instances open at once, as app processes sharing it do.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { openSqlStores, type SqlStores, type SqlTestHooks } from '../src/index.js';
import { PG_URL, dropSchema, probePostgres, uniqueSchema } from './servers.js';

export interface InstanceOptions {
  testHooks?: SqlTestHooks;
  pendingGraceMs?: number;
}

export interface SqlDatabase {
  /** Opens (and migrates) one more instance on this database. */
  instance(options?: InstanceOptions): Promise<SqlStores>;
  /** Closes every instance it opened and removes the database. */
  cleanup(): Promise<void>;
}

export interface SqlTarget {
  readonly name: string;
  readonly skip: boolean;
  database(): Promise<SqlDatabase>;
}

const dir = mkdtempSync(join(tmpdir(), 'factorkit-sqlite-target-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const server = await probePostgres();
let n = 0;

function database(
  open: (options: InstanceOptions) => Promise<SqlStores>,
  remove: () => Promise<void>,
): SqlDatabase {
  const opened: SqlStores[] = [];
  return {
    async instance(options = {}) {
      const s = await open(options);
      opened.push(s);
      return s;
    },
    async cleanup() {
      await Promise.all(opened.map((s) => s.close()));
      await remove();
    },
  };
}

export const targets: SqlTarget[] = [
  {
    name: 'SQLite',
    skip: false,
    async database() {
      const filename = join(dir, `t${++n}.db`);
      return database(
        (o) => openSqlStores({ dialect: 'sqlite', filename, ...o }),
        async () => rmSync(filename, { force: true }),
      );
    },
  },
  {
    name: `PostgreSQL ${server.reason}`,
    skip: !server.ok,
    async database() {
      const schema = uniqueSchema('target');
      return database(
        (o) =>
          openSqlStores({
            dialect: 'postgres',
            connectionString: PG_URL,
            schema,
            poolSize: 4,
            ...o,
          }),
        () => dropSchema(schema),
      );
    },
  },
];

/** One instance on a fresh database, for tests that need no second one. */
export async function openFresh(
  target: SqlTarget,
  options?: InstanceOptions,
): Promise<{ s: SqlStores; cleanup: () => Promise<void> }> {
  const db = await target.database();
  return { s: await db.instance(options), cleanup: () => db.cleanup() };
}
