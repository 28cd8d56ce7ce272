/**
 * The quota script is core's applyQuotaTake in Lua: same answers as the memory store on random
 * histories, exact with epoch-ms beyond 2^52, and a window's key lasts only as long as the
 * window (plus a clock-drift margin). Catalog CC-03, BF-05.
 */
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryThrottleStore } from '@factorkit/core';
import { createRedisStores } from '../src/index.js';
import { REDIS_URL, deletePrefix, probeRedis, uniquePrefix } from './servers.js';

const server = await probeRedis();
const admin = server.ok ? new Redis(REDIS_URL) : undefined;
const prefix = uniquePrefix('quota');
afterAll(async () => {
  if (admin) {
    await deletePrefix(admin, prefix);
    await admin.quit();
  }
});
const NOW = 1_800_000_000_000;

describe.skipIf(!server.ok)(`store-redis quotas ${server.reason}`, () => {
  const r = createRedisStores({ url: REDIS_URL, prefix });
  afterAll(() => r.close());

  it('takeQuota in Lua matches core applyQuotaTake on random limits, windows and histories (CC-03 parity)', async () => {
    let run = 0;
    type Op = { op: 'take'; dt: number } | { op: 'release' };
    const op: fc.Arbitrary<Op> = fc.oneof(
      {
        weight: 8,
        arbitrary: fc.record({
          op: fc.constant('take' as const),
          dt: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 120_000 })),
        }),
      },
      { weight: 1, arbitrary: fc.constant({ op: 'release' as const }) },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 100_000 }),
        fc.array(op, { minLength: 1, maxLength: 40 }),
        async (limit, windowMs, ops) => {
          const key = `parity-${++run}`;
          const memory = new MemoryThrottleStore();
          let now = NOW;
          for (const o of ops) {
            if (o.op === 'take') {
              now += o.dt;
              expect(await r.stores.throttle.takeQuota(key, now, limit, windowMs)).toEqual(
                await memory.takeQuota(key, now, limit, windowMs),
              );
            } else {
              await Promise.all([r.stores.throttle.releaseQuota(key), memory.releaseQuota(key)]);
            }
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('keeps epoch-ms past 2^52 exact through Lua doubles', async () => {
    const now = 2 ** 52 + 1;
    expect(await r.stores.throttle.takeQuota('big', now, 1, 7)).toEqual({ ok: true, used: 1 });
    expect(await r.stores.throttle.takeQuota('big', now + 6, 1, 7)).toEqual({
      ok: false,
      retryAt: now + 7,
    });
    expect(await r.stores.throttle.takeQuota('big', now + 7, 1, 7)).toEqual({ ok: true, used: 1 });
  });

  it('a window key expires after its window plus a one-minute margin, apart from the failure counter; release deletes it', async () => {
    await r.stores.throttle.takeQuota('ttl', NOW, 2, 900_000);
    const ttl = await admin!.pttl(`${prefix}quota:ttl`);
    expect(ttl).toBeGreaterThan(900_000);
    expect(ttl).toBeLessThanOrEqual(960_000);
    // A second take in the same window leaves the expiry where the window put it.
    await r.stores.throttle.takeQuota('ttl', NOW + 1, 2, 900_000);
    expect(await admin!.pttl(`${prefix}quota:ttl`)).toBeLessThanOrEqual(ttl);
    expect(await admin!.exists(`${prefix}throttle:ttl`)).toBe(0);
    await r.stores.throttle.releaseQuota('ttl');
    expect(await admin!.exists(`${prefix}quota:ttl`)).toBe(0);
  });
});
