import { describe, it } from 'vitest';
import type { FactorkitStores } from '@factorkit/core';
import { describeStoreContract } from '@factorkit/core/testing';
import { openSqlStores, type SqlStores } from '../src/index.js';
import { PG_URL, dropSchema, probePostgres, uniqueSchema } from './servers.js';

// The core store contract, unchanged, against PostgreSQL: a new schema per check, dropped after.
const server = await probePostgres();
const open = new Map<FactorkitStores, { s: SqlStores; schema: string }>();

describe.skipIf(!server.ok)(`PostgreSQL ${server.reason}`, () => {
  describeStoreContract(
    'store-sql on PostgreSQL',
    {
      async create() {
        const schema = uniqueSchema('contract');
        const s = await openSqlStores({ dialect: 'postgres', connectionString: PG_URL, schema });
        open.set(s.stores, { s, schema });
        return s.stores;
      },
      async dispose(stores) {
        const o = open.get(stores);
        open.delete(stores);
        if (!o) return;
        await o.s.close();
        await dropSchema(o.schema);
      },
    },
    { describe, it },
  );
});
