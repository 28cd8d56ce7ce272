/**
 * store-redis on a private 3-master Redis Cluster: the core store contract through an ioredis
 * `Cluster`, every pending key of a user in one slot, users spread over the masters, and a slot
 * moved between masters while operations run on it (ASK while half moved, MOVED after): each
 * pending step is still taken exactly once and each failure counted exactly once (CC-07, CC-08).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryEnrollmentStore, type FactorkitStores, type PendingRecord } from '@factorkit/core';
import { describeStoreContract } from '@factorkit/core/testing';
import { createRedisStores, userHashTag, type RedisStores } from '../src/index.js';
import { clusterToolsAvailable, startRedisCluster, type TestCluster } from './cluster.js';

const tools = clusterToolsAvailable();
if (!tools && process.env['CI'] === 'true')
  throw new Error('CI=true requires redis-server and redis-cli');
const cluster: TestCluster | undefined = tools ? await startRedisCluster(3) : undefined;
afterAll(async () => {
  await cluster?.stop();
});

const NOW = 1_800_000_000_000;
let seq = 0;
const step = (userId: string, over: Partial<PendingRecord> = {}): PendingRecord => ({
  id: `cl-${++seq}`,
  kind: 'challenge',
  userId,
  providerId: 'p',
  payload: 'x',
  attempts: 0,
  createdAt: NOW,
  expiresAt: NOW + 300_000,
  ...over,
});
const SCHEDULE = {
  freeFailures: 1000,
  baseDelayMs: 1,
  maxDelayMs: 1,
  lockAfter: 1000,
  lockMs: 1,
  permanentAfter: 1000,
};

describe.skipIf(!cluster)(
  `store-redis on a 3-master Redis Cluster${tools ? '' : ' (redis-server not installed)'}`,
  () => {
    const open = new Map<FactorkitStores, RedisStores>();
    describeStoreContract(
      'store-redis on Redis Cluster (pending + throttle) with memory enrollments',
      {
        async create() {
          const r = createRedisStores({
            cluster: { nodes: cluster!.nodes },
            prefix: `contract${++seq}:`,
          });
          const stores: FactorkitStores = { enrollments: new MemoryEnrollmentStore(), ...r.stores };
          open.set(stores, r);
          return stores;
        },
        async dispose(stores) {
          await open.get(stores)?.close();
          open.delete(stores);
        },
      },
      { describe, it },
    );

    describe('slots', () => {
      let r: RedisStores;
      beforeAll(() => {
        r = createRedisStores({ cluster: { nodes: cluster!.nodes }, prefix: 'slots:' });
      });
      afterAll(() => r.close());

      it('every pending key of one user hashes to one slot, and users spread over all masters (CC-07)', async () => {
        const owners = new Set<string>();
        for (let u = 0; u < 40; u++) {
          const userId = `user-${u}@example.test`;
          const a = step(userId);
          const b = step(userId, { kind: 'activation' });
          await r.stores.pending.create(a);
          await r.stores.pending.create(b);
          const tag = userHashTag(userId);
          const slots = new Set([
            await cluster!.slotOf(`slots:pending-step:${tag}:${a.id}`),
            await cluster!.slotOf(`slots:pending-step:${tag}:${b.id}`),
            await cluster!.slotOf(`slots:pending-by-user:${tag}`),
          ]);
          expect(slots.size).toBe(1);
          owners.add((await cluster!.ownerOf([...slots][0]!)).id);
          expect(await r.stores.pending.take(a.id, userId, 'challenge')).toEqual(a);
          expect(await r.stores.pending.deleteForUser(userId)).toBe(1);
          expect(await r.stores.pending.peek(b.id)).toBeNull();
        }
        expect(owners.size).toBe(3);
      });

      it('a user id holding hash-tag characters still keeps its keys in one slot (CC-07)', async () => {
        const userId = '}{evil}{';
        const a = step(userId);
        await r.stores.pending.create(a);
        expect(await r.stores.pending.take(a.id, userId, 'challenge')).toEqual(a);
        await r.stores.pending.create(step(userId));
        expect(await r.stores.pending.deleteForUser(userId)).toBe(1);
      });
    });

    describe('a slot moved while operations run on it', () => {
      let r: RedisStores;
      beforeAll(() => {
        r = createRedisStores({ cluster: { nodes: cluster!.nodes }, prefix: 'reshard:' });
      });
      afterAll(() => r.close());

      it('20 pending steps raced 10 times each during the move are each taken exactly once, with no error (CC-08, DU-09)', async () => {
        const userId = 'moving-user';
        const steps = Array.from({ length: 20 }, () => step(userId));
        for (const s of steps) await r.stores.pending.create(s);
        const slot = await cluster!.slotOf(`reshard:pending-by-user:${userHashTag(userId)}`);
        const from = await cluster!.ownerOf(slot);
        const to = cluster!.masters.find((m) => m.id !== from.id)!;
        const move = await cluster!.beginSlotMove(slot, to);
        // Half the records on the target, the index still on the source: a take of those gets
        // TRYAGAIN, a read of one record ASK, until the move finishes.
        const half = steps
          .slice(0, 10)
          .map((s) => `reshard:pending-step:${userHashTag(userId)}:${s.id}`);
        expect(await move.migrateKeys(half)).toBe(10);
        expect(await r.stores.pending.peek(steps[0]!.id)).toMatchObject({ userId });
        expect(await r.stores.pending.peek(steps[15]!.id)).toMatchObject({ userId });
        const takes = steps.flatMap((s) =>
          Array.from({ length: 10 }, () => r.stores.pending.take(s.id, userId, 'challenge')),
        );
        const finished = new Promise((res) => setTimeout(res, 150)).then(() => move.finish());
        const got = await Promise.all(takes);
        await finished;
        for (const s of steps) {
          expect(got.filter((g) => g?.id === s.id)).toEqual([s]);
        }
        expect(got.filter((g) => g === null)).toHaveLength(steps.length * 9);
        expect((await cluster!.ownerOf(slot)).id).toBe(to.id);
        // After the move (MOVED for a client that still maps the old owner), all still works.
        const after = step(userId);
        await r.stores.pending.create(after);
        expect(await r.stores.pending.deleteForUser(userId)).toBe(1);
      });

      it("60 failures reserved during a move of the counter's slot are counted exactly 60 times (CC-08, CC-03)", async () => {
        const key = 'totp:moving-counter';
        await r.stores.throttle.reserve(key, NOW, SCHEDULE);
        const slot = await cluster!.slotOf(`reshard:throttle:${key}`);
        const from = await cluster!.ownerOf(slot);
        const to = cluster!.masters.find((m) => m.id !== from.id)!;
        const move = await cluster!.beginSlotMove(slot, to);
        const reserves = Array.from({ length: 60 }, () =>
          r.stores.throttle.reserve(key, NOW, SCHEDULE),
        );
        const moved = new Promise((res) => setTimeout(res, 20)).then(() => move.finish());
        const results = await Promise.all(reserves);
        await moved;
        expect(results.every((x) => x.ok)).toBe(true);
        expect(new Set(results.map((x) => x.failures)).size).toBe(60);
        expect(await r.stores.throttle.inspect(key)).toEqual({
          failures: 61,
          blockedUntil: 0,
        });
        expect((await cluster!.ownerOf(slot)).id).toBe(to.id);
      });
    });
  },
);
