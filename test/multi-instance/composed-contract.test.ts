/**
 * The core store contract, unchanged, against the composition a multi-instance host runs:
 * enrollments and recovery codes in PostgreSQL, pending state and throttles in Redis.
 */
import { describe, it } from 'vitest';
import type { FactorkitStores } from '@factorkit/core';
import { describeStoreContract } from '@factorkit/core/testing';
import { createRedisStores } from '@factorkit/store-redis';
import { openSqlStores } from '@factorkit/store-sql';
import {
  PG_URL,
  REDIS_URL,
  deleteRedisPrefix,
  dropSchema,
  probeServers,
  uniqueName,
} from './rig.js';

const server = await probeServers(true);
const cleanups = new Map<FactorkitStores, () => Promise<void>>();

describe.skipIf(!server.ok)(`composed stores ${server.reason}`, () => {
  describeStoreContract(
    'PostgreSQL enrollments + Redis pending and throttle (built packages)',
    {
      async create() {
        const schema = uniqueName('composed');
        const prefix = `factorkit-test:${schema}:`;
        const sql = await openSqlStores({
          dialect: 'postgres',
          connectionString: PG_URL,
          schema,
          poolSize: 4,
        });
        const redis = createRedisStores({ url: REDIS_URL, prefix });
        const stores: FactorkitStores = { enrollments: sql.stores.enrollments, ...redis.stores };
        cleanups.set(stores, async () => {
          await redis.close();
          await sql.close();
          await dropSchema(schema);
          await deleteRedisPrefix(prefix);
        });
        return stores;
      },
      async dispose(stores) {
        await cleanups.get(stores)?.();
        cleanups.delete(stores);
      },
    },
    { describe, it },
  );
});
