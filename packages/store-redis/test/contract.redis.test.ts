import { afterAll, describe, it } from 'vitest';
import { Redis } from 'ioredis';
import { MemoryEnrollmentStore, type FactorkitStores } from '@factorkit/core';
import { describeStoreContract } from '@factorkit/core/testing';
import { createRedisStores } from '../src/index.js';
import { REDIS_URL, deletePrefix, probeRedis, uniquePrefix } from './servers.js';

// The core store contract, unchanged. Redis holds pending state and throttles; enrollments come
// from core's memory store here (the PostgreSQL + Redis composition runs in test/multi-instance).
const server = await probeRedis();
const admin = server.ok ? new Redis(REDIS_URL) : undefined;
afterAll(async () => {
  await admin?.quit();
});
const prefixes = new Map<FactorkitStores, { prefix: string; close(): Promise<void> }>();

describe.skipIf(!server.ok)(`Redis ${server.reason}`, () => {
  describeStoreContract(
    'store-redis (pending + throttle) with memory enrollments',
    {
      async create() {
        const prefix = uniquePrefix('contract');
        const r = createRedisStores({ url: REDIS_URL, prefix });
        const stores: FactorkitStores = { enrollments: new MemoryEnrollmentStore(), ...r.stores };
        prefixes.set(stores, { prefix, close: () => r.close() });
        return stores;
      },
      async dispose(stores) {
        const p = prefixes.get(stores);
        prefixes.delete(stores);
        if (!p) return;
        await p.close();
        await deletePrefix(admin!, p.prefix);
      },
    },
    { describe, it },
  );
});
