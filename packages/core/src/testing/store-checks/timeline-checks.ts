import assert from 'node:assert/strict';
import { InvalidArgumentError } from '../../errors.js';
import type { SecurityEventRecord } from '../../store/timeline-types.js';
import type { FactorkitStores } from '../../store/types.js';
import { NOW, id, storeCase, type StoreCase } from './fixtures.js';

function entry(overrides: Partial<SecurityEventRecord> = {}): SecurityEventRecord {
  return {
    id: id(),
    userId: 'u1',
    type: 'activated',
    at: NOW,
    detail: { providerId: 'p', enrollmentId: 'e1', ip: '192.0.2.1', userAgent: 'UA/1' },
    ...overrides,
  };
}

/** Every entry of a user, page by page, following `next`. */
async function allPages(s: FactorkitStores, userId: string, limit: number) {
  const seen: SecurityEventRecord[] = [];
  let before: { at: number; id: string } | undefined;
  for (let pages = 0; pages < 1000; pages++) {
    const page = await s.enrollments.listSecurityEvents(userId, {
      limit,
      ...(before ? { before } : {}),
    });
    assert.ok(page.events.length <= limit);
    seen.push(...page.events);
    if (!page.next) return seen;
    before = page.next;
  }
  throw new Error('paging did not end');
}

const byNewest = (a: SecurityEventRecord, b: SecurityEventRecord) =>
  b.at - a.at || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

/** The security timeline (LG-05): ordered, paged, bounded per user, own-user only, purgeable. */
export function timelineChecks(): StoreCase[] {
  return [
    storeCase('LG-05: timeline entries come back whole, newest first', async (s) => {
      const old = entry({ at: NOW - 1000, type: 'locked', detail: {} });
      const fresh = entry({ at: NOW, detail: { actor: 'admin-1', deviceId: 'd1' } });
      await s.enrollments.appendSecurityEvent(old, 10);
      await s.enrollments.appendSecurityEvent(fresh, 10);
      const page = await s.enrollments.listSecurityEvents('u1', { limit: 10 });
      assert.deepEqual(page, { events: [fresh, old], next: null });
    }),
    storeCase(
      'LG-05: paging with the cursor visits every entry once in (at desc, id desc) order, across equal timestamps',
      async (s) => {
        const written: SecurityEventRecord[] = [];
        // 23 entries on 4 distinct times: most pages cut through a run of equal timestamps.
        for (let i = 0; i < 23; i++) written.push(entry({ at: NOW + (i % 4) * 1000 }));
        for (const e of written) await s.enrollments.appendSecurityEvent(e, 100);
        const expected = [...written].sort(byNewest);
        for (const limit of [1, 3, 5, 23, 100]) {
          assert.deepEqual(
            (await allPages(s, 'u1', limit)).map((e) => e.id),
            expected.map((e) => e.id),
            `limit ${limit}`,
          );
        }
        const first = await s.enrollments.listSecurityEvents('u1', { limit: 23 });
        assert.equal(first.next, null, 'a page that holds the oldest entry has no next');
      },
    ),
    storeCase(
      'LG-05: 50 parallel appends for one user keep exactly the newest keepPerUser entries',
      async (s) => {
        const written = Array.from({ length: 50 }, (_, i) => entry({ at: NOW + i }));
        await Promise.all(written.map((e) => s.enrollments.appendSecurityEvent(e, 10)));
        const kept = await allPages(s, 'u1', 100);
        assert.deepEqual(
          kept.map((e) => e.at),
          Array.from({ length: 10 }, (_, i) => NOW + 49 - i),
        );
      },
    ),
    storeCase("LG-05: users' timelines are apart: listing, trimming and cursors", async (s) => {
      const mine = entry({ userId: 'u1', at: NOW });
      const theirs = Array.from({ length: 5 }, (_, i) => entry({ userId: 'u2', at: NOW - i }));
      await s.enrollments.appendSecurityEvent(mine, 2);
      for (const e of theirs) await s.enrollments.appendSecurityEvent(e, 2);
      // u2's trim at 2 entries never touched u1's entry.
      assert.deepEqual(
        (await allPages(s, 'u1', 10)).map((e) => e.id),
        [mine.id],
      );
      assert.equal((await allPages(s, 'u2', 10)).length, 2);
      // A cursor taken from u2's page reads only u1's entries older than that point.
      const foreign = await s.enrollments.listSecurityEvents('u2', { limit: 1 });
      assert.ok(foreign.next);
      const read = await s.enrollments.listSecurityEvents('u1', {
        limit: 10,
        before: foreign.next,
      });
      assert.ok(read.events.every((e) => e.userId === 'u1'));
      assert.deepEqual(await s.enrollments.listSecurityEvents('u3', { limit: 5 }), {
        events: [],
        next: null,
      });
    }),
    storeCase('LG-05: purge deletes only entries older than the cut, of every user', async (s) => {
      for (const [userId, at] of [
        ['u1', NOW - 3000],
        ['u1', NOW - 1],
        ['u1', NOW],
        ['u2', NOW - 2000],
        ['u2', NOW + 5],
      ] as const)
        await s.enrollments.appendSecurityEvent(entry({ userId, at }), 10);
      assert.equal(await s.enrollments.purgeSecurityEvents(NOW), 3);
      assert.equal(await s.enrollments.purgeSecurityEvents(NOW), 0);
      assert.deepEqual(
        (await allPages(s, 'u1', 10)).map((e) => e.at),
        [NOW],
      );
      assert.deepEqual(
        (await allPages(s, 'u2', 10)).map((e) => e.at),
        [NOW + 5],
      );
    }),
    storeCase(
      'LG-05: a bad limit, cursor, bound or purge time is InvalidArgumentError',
      async (s) => {
        const list = (q: unknown) => s.enrollments.listSecurityEvents('u1', q as { limit: number });
        for (const limit of [0, 101, 1.5, -1, Number.NaN, '5'])
          await assert.rejects(list({ limit }), InvalidArgumentError);
        await assert.rejects(
          list({ limit: 5, before: { at: 'x', id: 'y' } }),
          InvalidArgumentError,
        );
        for (const keep of [0, 1.5, 100_001])
          await assert.rejects(
            s.enrollments.appendSecurityEvent(entry(), keep),
            InvalidArgumentError,
          );
        await assert.rejects(s.enrollments.purgeSecurityEvents(Number.NaN), InvalidArgumentError);
        assert.deepEqual((await list({ limit: 100 })).events, []);
      },
    ),
  ];
}
