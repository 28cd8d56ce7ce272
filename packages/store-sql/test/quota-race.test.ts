/**
 * Quota takes from several instances sharing one PostgreSQL schema (a pool each), with the gap
 * between reading the row and writing it widened by a test hook: the overbooking the service's
 * old inspect-then-reset-then-reserve sequence allowed (CC-03, BF-05; ASVS 15.4.2,
 * 2.3.4; NIST SP 800-63B-4 §3.1.3.2).
 *
 * PostgreSQL only: better-sqlite3 waits for another connection's lock by blocking its thread,
 * so two SQLite instances in one process would stall each other. SQLite (and PostgreSQL and
 * Redis) across separate processes: test/multi-instance/quota-race.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { QuotaTakeResult } from '@factorkit/core';
import type { SqlStores, SqlTestHooks } from '../src/index.js';
import { targets } from './targets.js';

const NOW = 1_800_000_000_000;
const WINDOW = 60_000;
const INSTANCES = 4;
const TAKES_PER_INSTANCE = 12;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Counts how many takes are between reading and writing their row at once: per key, and in all. */
function overlapProbe(delayMs: number) {
  const inside = new Map<string, number>();
  const max = new Map<string, number>();
  let insideAll = 0;
  let maxAll = 0;
  const hooks: SqlTestHooks = {
    async insideQuotaTake(key) {
      inside.set(key, (inside.get(key) ?? 0) + 1);
      max.set(key, Math.max(max.get(key) ?? 0, inside.get(key)!));
      maxAll = Math.max(maxAll, ++insideAll);
      await pause(delayMs);
      inside.set(key, inside.get(key)! - 1);
      insideAll--;
    },
  };
  return { hooks, maxInside: (key: string) => max.get(key) ?? 0, maxInsideAll: () => maxAll };
}

async function takeEverywhere(instances: SqlStores[], key: string, now: number, limit: number) {
  return Promise.all(
    instances.flatMap((i) =>
      Array.from({ length: TAKES_PER_INSTANCE }, () =>
        i.stores.throttle.takeQuota(key, now, limit, WINDOW),
      ),
    ),
  );
}

for (const t of targets.filter((x) => x.name.startsWith('PostgreSQL'))) {
  describe.skipIf(t.skip)(`quota takes across instances on ${t.name}`, () => {
    for (const limit of [1, 3]) {
      it(`${INSTANCES} instances x ${TAKES_PER_INSTANCE} takes right after a used-up window ended grant exactly ${limit} (CC-03, BF-05)`, async () => {
        const db = await t.database();
        try {
          const probe = overlapProbe(3);
          const instances: SqlStores[] = [];
          for (let i = 0; i < INSTANCES; i++)
            instances.push(await db.instance({ testHooks: probe.hooks }));
          const first = instances[0]!.stores.throttle;
          for (let used = 1; used <= limit; used++)
            expect(await first.takeQuota('push', NOW, limit, WINDOW)).toEqual({ ok: true, used });

          const got = await takeEverywhere(instances, 'push', NOW + WINDOW, limit);
          const granted = got.filter((g): g is Extract<QuotaTakeResult, { ok: true }> => g.ok);
          expect(granted.map((g) => g.used).sort()).toEqual(
            Array.from({ length: limit }, (_, i) => i + 1),
          );
          expect(got.filter((g) => !g.ok)).toEqual(
            Array.from({ length: got.length - limit }, () => ({
              ok: false,
              retryAt: NOW + 2 * WINDOW,
            })),
          );
          // The row lock kept every take of this key on its own, widened gap and all.
          expect(probe.maxInside('push')).toBe(1);
        } finally {
          await db.cleanup();
        }
      });
    }

    it('the rig is really concurrent: takes of distinct keys overlap, takes of one key never do', async () => {
      const db = await t.database();
      try {
        const probe = overlapProbe(20);
        const a = await db.instance({ testHooks: probe.hooks });
        const b = await db.instance({ testHooks: probe.hooks });
        const keys = ['k1', 'k2', 'k3', 'k4'];
        await Promise.all(
          keys.flatMap((key) => [
            a.stores.throttle.takeQuota(key, NOW, 5, WINDOW),
            b.stores.throttle.takeQuota(key, NOW, 5, WINDOW),
          ]),
        );
        expect(probe.maxInsideAll()).toBeGreaterThan(1);
        for (const key of keys) expect(probe.maxInside(key)).toBe(1);
      } finally {
        await db.cleanup();
      }
    });
  });
}
