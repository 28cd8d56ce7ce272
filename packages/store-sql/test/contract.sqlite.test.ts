import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, it } from 'vitest';
import type { FactorkitStores } from '@factorkit/core';
import { describeStoreContract } from '@factorkit/core/testing';
import { openSqlStores, type SqlStores } from '../src/index.js';

// The core store contract, unchanged, against SQLite in a temp file (a fresh file per check).
const dir = mkdtempSync(join(tmpdir(), 'factorkit-sqlite-contract-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const open = new Map<FactorkitStores, SqlStores>();
let n = 0;

describeStoreContract(
  'store-sql on SQLite (better-sqlite3, WAL, temp file)',
  {
    async create() {
      const s = await openSqlStores({ dialect: 'sqlite', filename: join(dir, `check-${++n}.db`) });
      open.set(s.stores, s);
      return s.stores;
    },
    async dispose(stores) {
      await open.get(stores)?.close();
      open.delete(stores);
    },
  },
  { describe, it },
);
