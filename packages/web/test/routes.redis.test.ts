// The whole route suite on the fetch handler with the second-step states in Redis
// (RedisSecondStepStore, a fresh key prefix per rig, removed afterwards).
import { randomBytes } from 'node:crypto';
import { afterAll, describe } from 'vitest';
import { Redis } from 'ioredis';
import { RedisSecondStepStore } from '../src/redis/index.js';
import { directRig } from './direct-rig.js';
import type { MakeRig } from './rig.js';
import { routeSuite } from './route-suite.js';

const REDIS_URL = process.env['FACTORKIT_TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const client = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
const prefixes: string[] = [];

afterAll(async () => {
  for (const prefix of prefixes)
    for await (const batch of client.scanStream({ match: `${prefix}*` }) as AsyncIterable<string[]>)
      if (batch.length > 0) await client.del(...batch);
  await client.quit();
});

const redisRig: MakeRig = (options = {}) => {
  const prefix = `factorkit-test:web-routes:${randomBytes(6).toString('hex')}:`;
  prefixes.push(prefix);
  return directRig({ ...options, store: () => new RedisSecondStepStore({ client, prefix }) });
};

describe('the fetch handler with states in Redis', () => routeSuite(redisRig));
