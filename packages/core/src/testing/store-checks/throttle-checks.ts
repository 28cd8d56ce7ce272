import assert from 'node:assert/strict';
import type { ThrottleSchedule } from '../../store/types.js';
import { NOW, SCHEDULE, storeCase, type StoreCase } from './fixtures.js';

/** Failure counters: the schedule, refunds and resets, and parallel reserves. */
export function throttleChecks(): StoreCase[] {
  return [
    storeCase(
      'throttle: reserve follows the schedule (delays, lock, permanent lock); refund and reset',
      async (s) => {
        const t = s.throttle;
        let now = NOW;
        const ok = (failures: number, previousBlockedUntil = 0) => ({
          ok: true,
          failures,
          previousBlockedUntil,
        });
        assert.deepEqual(await t.reserve('k', now, SCHEDULE), ok(1));
        assert.deepEqual(await t.reserve('k', now, SCHEDULE), ok(2));
        assert.deepEqual(await t.reserve('k', now, SCHEDULE), ok(3));
        // third failure is past the two free ones: blocked for baseDelay
        assert.deepEqual(await t.reserve('k', now + 999, SCHEDULE), {
          ok: false,
          failures: 3,
          locked: false,
          retryAt: now + 1000,
        });
        now += 1000;
        assert.deepEqual(await t.reserve('k', now, SCHEDULE), ok(4, now));
        now += 2000;
        const fifth = await t.reserve('k', now, SCHEDULE);
        assert.deepEqual(fifth, ok(5, now));
        assert.deepEqual(await t.reserve('k', now + 1, SCHEDULE), {
          ok: false,
          failures: 5,
          locked: true,
          retryAt: now + 60_000,
        });
        // A refund undoes its reservation exactly, the lock included (an outage is not a guess).
        assert.ok(fifth.ok);
        await t.refund('k', fifth);
        assert.deepEqual(await t.inspect('k'), { failures: 4, blockedUntil: now });
        assert.deepEqual(await t.reserve('k', now, SCHEDULE), ok(5, now));
        await t.reset('k');
        assert.deepEqual(await t.inspect('k'), { failures: 0, blockedUntil: 0 });
        for (let i = 0; i < 7; i++) {
          now += 10 * 60_000;
          assert.equal((await t.reserve('p', now, SCHEDULE)).ok, true);
        }
        now += 365 * 86_400_000;
        assert.deepEqual(await t.reserve('p', now, SCHEDULE), {
          ok: false,
          failures: 7,
          locked: true,
          retryAt: null,
        });
        assert.deepEqual(await t.inspect('other'), { failures: 0, blockedUntil: 0 });
      },
    ),
    storeCase(
      'throttle: 150 concurrent reserves against a budget of 100 admit exactly 100 (CC-03)',
      async (s) => {
        const wide: ThrottleSchedule = {
          freeFailures: 100,
          baseDelayMs: 1000,
          maxDelayMs: 1000,
          lockAfter: 100,
          lockMs: 60_000,
          permanentAfter: 100,
        };
        const got = await Promise.all(
          Array.from({ length: 150 }, () => s.throttle.reserve('k', NOW, wide)),
        );
        assert.equal(got.filter((g) => g.ok).length, 100);
        assert.equal((await s.throttle.inspect('k')).failures, 100);
      },
    ),
    storeCase('throttle: a refund after a newer reservation only lowers the count', async (s) => {
      const t = s.throttle;
      const a = await t.reserve('k', NOW, SCHEDULE);
      const b = await t.reserve('k', NOW, SCHEDULE);
      const c = await t.reserve('k', NOW, SCHEDULE); // third failure: blocked for 1 s
      assert.ok(a.ok && b.ok && c.ok);
      await t.refund('k', b);
      assert.deepEqual(await t.inspect('k'), { failures: 2, blockedUntil: NOW + 1000 });
      await t.refund('k', { failures: 99, previousBlockedUntil: 0 });
      await t.refund('k', { failures: 99, previousBlockedUntil: 0 });
      await t.refund('k', { failures: 99, previousBlockedUntil: 0 });
      assert.equal((await t.inspect('k')).failures, 0);
    }),
    storeCase('throttle: 120 reserves racing resets never fail', async (s) => {
      const wide: ThrottleSchedule = {
        freeFailures: 1000,
        baseDelayMs: 1,
        maxDelayMs: 1,
        lockAfter: 1000,
        lockMs: 1,
        permanentAfter: 1000,
      };
      const r = await Promise.allSettled(
        Array.from({ length: 120 }, (_, i) =>
          i % 3 === 2 ? s.throttle.reset('r') : s.throttle.reserve('r', NOW, wide),
        ),
      );
      assert.equal(r.filter((x) => x.status === 'rejected').length, 0);
    }),
  ];
}
