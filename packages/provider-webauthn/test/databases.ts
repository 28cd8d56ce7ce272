/**
 * The stores the multi-instance WebAuthn tests run on: core's memory store, SQLite in a temp file
 * and PostgreSQL in a schema of its own on the test server (`FACTORKIT_TEST_PG_URL`, default
 * `postgres://postgres@127.0.0.1:5432/test`). Outside CI an unreachable PostgreSQL skips its
 * cases with the reason printed; under CI=true it fails them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryStore, type FactorkitStores } from '@factorkit/core';
import { openSqlStores } from '@factorkit/store-sql';
import { afterAll } from 'vitest';

export const PG_URL =
  process.env['FACTORKIT_TEST_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface Database {
  readonly stores: FactorkitStores;
  close(): Promise<void>;
}

export interface DatabaseTarget {
  readonly name: string;
  readonly skip: boolean;
  open(): Promise<Database>;
}

const dir = mkdtempSync(join(tmpdir(), 'fk-webauthn-db-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

const schemaName = () =>
  `fk_webauthn_${process.pid}_${Math.random().toString(36).slice(2, 10)}_${++n}`;

async function openPostgres(): Promise<Database> {
  const schema = schemaName();
  const s = await openSqlStores({
    dialect: 'postgres',
    connectionString: PG_URL,
    schema,
    poolSize: 4,
  });
  return {
    stores: s.stores,
    async close() {
      try {
        await s.db.schema.dropSchema(schema).ifExists().cascade().execute();
      } finally {
        await s.close();
      }
    },
  };
}

/** Whether the PostgreSQL test server answers; the reason when it does not. */
async function probePostgres(): Promise<{ ok: boolean; reason: string }> {
  try {
    const db = await openPostgres();
    await db.close();
    return { ok: true, reason: '' };
  } catch (err) {
    const reason = `PostgreSQL not reachable: ${(err as Error).message}`;
    if (process.env['CI'] === 'true')
      throw new Error(`CI=true requires PostgreSQL. ${reason}`, { cause: err });
    console.warn(`SKIPPED (not CI): ${reason}`);
    return { ok: false, reason };
  }
}

const postgres = await probePostgres();

export const DATABASES: readonly DatabaseTarget[] = [
  {
    name: 'memory',
    skip: false,
    async open() {
      return { stores: new MemoryStore(), close: async () => undefined };
    },
  },
  {
    name: 'SQLite',
    skip: false,
    async open() {
      // One connection shared by every instance: two connections to one SQLite file queue on its
      // write lock (busy timeout), which would test SQLite, not the store's atomic decisions.
      const s = await openSqlStores({ dialect: 'sqlite', filename: join(dir, `db${++n}.sqlite`) });
      return { stores: s.stores, close: () => s.close() };
    },
  },
  {
    name: `PostgreSQL${postgres.ok ? '' : ` (${postgres.reason})`}`,
    skip: !postgres.ok,
    open: openPostgres,
  },
];
