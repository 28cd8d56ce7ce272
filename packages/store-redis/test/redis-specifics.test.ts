import fc from 'fast-check';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import {
  InvalidArgumentError,
  MemoryThrottleStore,
  type PendingRecord,
  type ThrottleSchedule,
  type ThrottleTicket,
} from '@factorkit/core';
import { createRedisStores, userHashTag } from '../src/index.js';
import { REDIS_URL, deletePrefix, probeRedis, uniquePrefix } from './servers.js';

const server = await probeRedis();
const admin = server.ok ? new Redis(REDIS_URL) : undefined;
const prefix = uniquePrefix('specific');
afterAll(async () => {
  if (admin) {
    await deletePrefix(admin, prefix);
    await admin.quit();
  }
});
const NOW = 1_800_000_000_000;

describe.skipIf(!server.ok)(`store-redis specifics ${server.reason}`, () => {
  it('reserve in Lua matches core applyReserve exactly on random schedules and histories (CC-03 parity)', async () => {
    const r = createRedisStores({ url: REDIS_URL, prefix });
    let run = 0;
    type Op = { op: 'reserve'; dt: number } | { op: 'refund'; pick: number } | { op: 'reset' };
    const schedule = fc
      .record({
        freeFailures: fc.integer({ min: 0, max: 6 }),
        baseDelayMs: fc.integer({ min: 0, max: 5000 }),
        maxDelayMs: fc.integer({ min: 0, max: 20_000 }),
        lockAfter: fc.integer({ min: 1, max: 10 }),
        lockMs: fc.integer({ min: 1, max: 900_000 }),
        permanentAfter: fc.integer({ min: 1, max: 14 }),
      })
      .map((s): ThrottleSchedule => s);
    const op: fc.Arbitrary<Op> = fc.oneof(
      {
        weight: 8,
        arbitrary: fc.record({
          op: fc.constant('reserve' as const),
          dt: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 1_000_000 })),
        }),
      },
      { weight: 2, arbitrary: fc.record({ op: fc.constant('refund' as const), pick: fc.nat(8) }) },
      { weight: 1, arbitrary: fc.constant({ op: 'reset' as const }) },
    );
    try {
      await fc.assert(
        fc.asyncProperty(
          schedule,
          fc.array(op, { minLength: 1, maxLength: 40 }),
          async (s, ops) => {
            const key = `parity-${++run}`;
            const memory = new MemoryThrottleStore();
            const tickets: ThrottleTicket[] = [];
            let now = NOW;
            for (const o of ops) {
              if (o.op === 'reserve') {
                now += o.dt;
                const got = await r.stores.throttle.reserve(key, now, s);
                expect(got).toEqual(await memory.reserve(key, now, s));
                if (got.ok) tickets.push(got);
              } else if (o.op === 'refund') {
                // the latest ticket (exact undo) or an older one (count only)
                const ticket = tickets[
                  tickets.length - 1 - (o.pick % Math.max(1, tickets.length))
                ] ?? {
                  failures: 0,
                  previousBlockedUntil: 0,
                };
                await Promise.all([
                  r.stores.throttle.refund(key, ticket),
                  memory.refund(key, ticket),
                ]);
              } else {
                await Promise.all([r.stores.throttle.reset(key), memory.reset(key)]);
              }
              expect(await r.stores.throttle.inspect(key)).toEqual(await memory.inspect(key));
            }
          },
        ),
        { numRuns: 60 },
      );
    } finally {
      await r.close();
    }
  });

  it('pending records carry a TTL (lifetime + grace); throttle state has none, so a lock outlives a quiet period', async () => {
    const r = createRedisStores({ url: REDIS_URL, prefix, pendingGraceMs: 30_000 });
    try {
      const rec: PendingRecord = {
        id: 'ttl-1',
        kind: 'challenge',
        userId: 'u',
        providerId: 'p',
        payload: 'x',
        attempts: 0,
        createdAt: NOW,
        expiresAt: NOW + 300_000,
      };
      await r.stores.pending.create(rec);
      const ttl = await admin!.pttl(`${prefix}pending-step:${userHashTag('u')}:ttl-1`);
      expect(ttl).toBeGreaterThan(300_000);
      expect(ttl).toBeLessThanOrEqual(330_000);
      expect(await admin!.pttl(`${prefix}pending-by-user:${userHashTag('u')}`)).toBeGreaterThan(
        300_000,
      );
      await r.stores.throttle.reserve('ttl-k', NOW, {
        freeFailures: 0,
        baseDelayMs: 1,
        maxDelayMs: 1,
        lockAfter: 1,
        lockMs: 60_000,
        permanentAfter: 5,
      });
      expect(await admin!.pttl(`${prefix}throttle:ttl-k`)).toBe(-1);
    } finally {
      await r.close();
    }
  });

  it('keeps epoch-ms and the permanent-lock sentinel exact through Lua doubles', async () => {
    const r = createRedisStores({ url: REDIS_URL, prefix });
    try {
      const s = {
        freeFailures: 0,
        baseDelayMs: 1,
        maxDelayMs: 1,
        lockAfter: 1,
        lockMs: 7,
        permanentAfter: 2,
      };
      const now = 2 ** 52 + 1;
      expect(await r.stores.throttle.reserve('big', now, s)).toEqual({
        ok: true,
        failures: 1,
        previousBlockedUntil: 0,
      });
      expect(await r.stores.throttle.inspect('big')).toEqual({
        failures: 1,
        blockedUntil: now + 7,
      });
      expect(await r.stores.throttle.reserve('big', now + 1, s)).toEqual({
        ok: false,
        failures: 1,
        locked: true,
        retryAt: now + 7,
      });
      expect(await r.stores.throttle.reserve('big', now + 7, s)).toEqual({
        ok: true,
        failures: 2,
        previousBlockedUntil: now + 7,
      });
      expect(await r.stores.throttle.inspect('big')).toEqual({
        failures: 2,
        blockedUntil: Number.MAX_SAFE_INTEGER,
      });
    } finally {
      await r.close();
    }
  });

  it('prefixes isolate deployments: one prefix cannot take or delete what another created', async () => {
    const other = uniquePrefix('other');
    const a = createRedisStores({ url: REDIS_URL, prefix });
    const b = createRedisStores({ client: a.client, prefix: other });
    try {
      const rec: PendingRecord = {
        id: 'iso-1',
        kind: 'activation',
        userId: 'u9',
        providerId: 'p',
        payload: 'x',
        attempts: 0,
        createdAt: NOW,
        expiresAt: NOW + 1000,
      };
      await a.stores.pending.create(rec);
      expect(await b.stores.pending.take('iso-1', 'u9', 'activation')).toBeNull();
      expect(await b.stores.pending.deleteForUser('u9')).toBe(0);
      expect(await a.stores.pending.take('iso-1', 'u9', 'activation')).toEqual(rec);
      expect(await admin!.exists(`${prefix}pending-step:${userHashTag('u9')}:iso-1`)).toBe(0);
    } finally {
      await b.close();
      await a.close();
      await deletePrefix(admin!, other);
    }
  });

  it('an id collision on create is refused, never overwriting the existing record', async () => {
    const r = createRedisStores({ url: REDIS_URL, prefix });
    try {
      const rec: PendingRecord = {
        id: 'dup-1',
        kind: 'challenge',
        userId: 'u1',
        providerId: 'p',
        payload: 'first',
        attempts: 0,
        createdAt: NOW,
        expiresAt: NOW + 1000,
      };
      await r.stores.pending.create(rec);
      await expect(
        r.stores.pending.create({ ...rec, userId: 'attacker', payload: 'second' }),
      ).rejects.toThrow(/COLLISION/);
      expect(await r.stores.pending.take('dup-1', 'u1', 'challenge')).toEqual(rec);
    } finally {
      await r.close();
    }
  });
});

describe('store-redis failure modes', () => {
  it('an unreachable Redis makes operations fail promptly (core reports STORE_UNAVAILABLE), never succeed', async () => {
    const r = createRedisStores({
      url: 'redis://127.0.0.1:1',
      redisOptions: { retryStrategy: (times) => (times > 2 ? null : 10) },
    });
    try {
      const started = Date.now();
      await expect(
        r.stores.throttle.reserve('k', NOW, {
          freeFailures: 1,
          baseDelayMs: 1,
          maxDelayMs: 1,
          lockAfter: 2,
          lockMs: 1,
          permanentAfter: 3,
        }),
      ).rejects.toThrow();
      await expect(r.stores.pending.take('x', 'u', 'challenge')).rejects.toThrow();
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      r.client.disconnect();
    }
  });

  it('rejects unusable options with a typed error', () => {
    expect(() => createRedisStores({})).toThrow(InvalidArgumentError);
    expect(() => createRedisStores({ url: REDIS_URL, prefix: '' })).toThrow(InvalidArgumentError);
    expect(() => createRedisStores({ url: REDIS_URL, pendingGraceMs: -1 })).toThrow(
      InvalidArgumentError,
    );
  });
});
