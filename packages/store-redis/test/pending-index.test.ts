/**
 * The per-user index of pending records (a sorted set of record keys, scored by when each is
 * due to go) lists the user's records and nothing stale: after takes, restores, expiry and
 * deletes, and however many steps a user abandons (EN-01).
 */
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import type { PendingRecord } from '@factorkit/core';
import { createRedisStores, userHashTag } from '../src/index.js';
import { REDIS_URL, deletePrefix, probeRedis, uniquePrefix } from './servers.js';

const server = await probeRedis();
const admin = server.ok ? new Redis(REDIS_URL) : undefined;
const prefix = uniquePrefix('index');
afterAll(async () => {
  if (admin) {
    await deletePrefix(admin, prefix);
    await admin.quit();
  }
});
const NOW = 1_800_000_000_000;
const LIFETIME = 300_000;
const GRACE = 1000;
let n = 0;

const step = (userId: string, createdAt: number): PendingRecord => ({
  id: `idx-${++n}`,
  kind: 'challenge',
  userId,
  providerId: 'p',
  payload: 'x',
  attempts: 0,
  createdAt,
  expiresAt: createdAt + LIFETIME,
});

describe.skipIf(!server.ok)(`store-redis pending index ${server.reason}`, () => {
  const r = createRedisStores({ url: REDIS_URL, prefix, pendingGraceMs: GRACE });
  afterAll(() => r.close());
  const index = (userId: string) => `${prefix}pending-by-user:${userHashTag(userId)}`;
  const record = (userId: string, id: string) =>
    `${prefix}pending-step:${userHashTag(userId)}:${id}`;
  const members = async (userId: string) => {
    const flat = await admin!.zrange(index(userId), 0, -1, 'WITHSCORES');
    const out: [string, number][] = [];
    for (let i = 0; i < flat.length; i += 2) out.push([flat[i]!, Number(flat[i + 1])]);
    return out;
  };

  it('a user abandoning 100 steps in a row leaves one record and one index entry, not 100', async () => {
    let at = NOW;
    let last = step('serial', at);
    for (let i = 0; i < 100; i++) {
      last = step('serial', at);
      await r.stores.pending.create(last);
      // Each next step starts once the previous one is past its expiry plus the grace.
      at += LIFETIME + GRACE;
    }
    expect(await members('serial')).toEqual([[record('serial', last.id), last.expiresAt + GRACE]]);
    let records = 0;
    for await (const keys of admin!.scanStream({
      match: `${prefix}pending-step:*:idx-*`,
    }) as AsyncIterable<string[]>) {
      for (const k of keys) if ((await admin!.hget(k, 'u')) === 'serial') records++;
    }
    expect(records).toBe(1);
  });

  it('the index follows take, restore and deleteForUser, and keeps records still within the grace', async () => {
    const a = step('life', NOW);
    await r.stores.pending.create(a);
    const taken = await r.stores.pending.take(a.id, 'life', 'challenge');
    expect(taken).toEqual(a);
    // The last entry gone, the index key goes with it.
    expect(await admin!.exists(index('life'))).toBe(0);
    await r.stores.pending.restore({ ...taken!, attempts: 1 });
    expect(await members('life')).toEqual([[record('life', a.id), a.expiresAt + GRACE]]);

    // One ms short of "expired plus grace": still there (core reports it as expired).
    const b = step('life', a.expiresAt + GRACE - 1);
    await r.stores.pending.create(b);
    expect((await members('life')).map(([k]) => k).sort()).toEqual(
      [record('life', a.id), record('life', b.id)].sort(),
    );
    const c = step('life', a.expiresAt + GRACE);
    await r.stores.pending.create(c);
    expect(await admin!.exists(record('life', a.id))).toBe(0);
    expect((await members('life')).map(([k]) => k).sort()).toEqual(
      [record('life', b.id), record('life', c.id)].sort(),
    );
    // The index lives as long as its longest-lived record, not longer.
    const ttl = await admin!.pttl(index('life'));
    expect(ttl).toBeGreaterThan(LIFETIME);
    expect(ttl).toBeLessThanOrEqual(LIFETIME + GRACE);

    // Records the layouts before Redis Cluster support indexed (a sorted set, and before it a
    // plain set, both keyed by the raw user id) still go with deleteForUser on standalone Redis.
    const legacyRecord = (id: string) => `${prefix}pending:${id}`;
    await admin!.hset(legacyRecord('legacy-1'), 'u', 'life', 'k', 'challenge', 'r', '{}');
    await admin!.sadd(`${prefix}pending-user:life`, legacyRecord('legacy-1'));
    await admin!.hset(legacyRecord('legacy-2'), 'u', 'life', 'k', 'challenge', 'r', '{}');
    await admin!.zadd(`${prefix}pending-index:life`, NOW, legacyRecord('legacy-2'));
    expect(await r.stores.pending.deleteForUser('life')).toBe(4);
    expect(
      await admin!.exists(
        index('life'),
        `${prefix}pending-user:life`,
        `${prefix}pending-index:life`,
      ),
    ).toBe(0);
    expect(
      await admin!.exists(
        record('life', b.id),
        record('life', c.id),
        legacyRecord('legacy-1'),
        legacyRecord('legacy-2'),
      ),
    ).toBe(0);
  });

  it("sweeping one user's index never touches another user's records", async () => {
    const mine = step('sweeper', NOW);
    const theirs = step('bystander', NOW);
    await r.stores.pending.create(mine);
    await r.stores.pending.create(theirs);
    await r.stores.pending.create(step('sweeper', NOW + LIFETIME + GRACE));
    expect(await admin!.exists(record('sweeper', mine.id))).toBe(0);
    expect(await r.stores.pending.take(theirs.id, 'bystander', 'challenge')).toEqual(theirs);
  });
});
