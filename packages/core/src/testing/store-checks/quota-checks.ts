import assert from 'node:assert/strict';
import type { FactorkitStores, QuotaTakeResult } from '../../store/types.js';
import { NOW, SCHEDULE, storeCase, type StoreCase } from './fixtures.js';

const WINDOW = 900_000;

/** Takes `limit` units at `at`, asserting each is granted in order: the window is then full. */
async function useUp(s: FactorkitStores, key: string, at: number, limit: number): Promise<void> {
  for (let used = 1; used <= limit; used++) {
    assert.deepEqual(await s.throttle.takeQuota(key, at, limit, WINDOW), { ok: true, used });
  }
}

/**
 * The race the service's old inspect-then-reset-then-reserve sequence lost: a used-up window
 * has just ended and 50 sign-ins (on any number of instances) take at once. Exactly `limit` may
 * pass, numbered 1..limit, and every other one is refused until the new window's end.
 */
function raceAfterWindowEnd(limit: number): (s: FactorkitStores) => Promise<void> {
  return async (s) => {
    await useUp(s, 'push', NOW, limit);
    const end = NOW + WINDOW;
    const got = await Promise.all(
      Array.from({ length: 50 }, () => s.throttle.takeQuota('push', end, limit, WINDOW)),
    );
    const granted = got.filter((g): g is Extract<QuotaTakeResult, { ok: true }> => g.ok);
    assert.deepEqual(
      granted.map((g) => g.used).sort((a, b) => a - b),
      Array.from({ length: limit }, (_, i) => i + 1),
    );
    for (const g of got.filter((x) => !x.ok))
      assert.deepEqual(g, { ok: false, retryAt: end + WINDOW });
  };
}

/**
 * Per-user provider quotas (e.g. one outstanding Duo push, N pushes per window): push-bombing
 * limits (BF-05; NIST SP 800-63B-4 §3.1.3.2; ASVS 6.6.4) that must hold under
 * parallel sign-ins (CC-03; ASVS 15.4.2 check-and-act as one atomic operation, 2.3.4
 * no double-booking of a limited resource).
 */
export function quotaChecks(): StoreCase[] {
  return [
    storeCase(
      'quota: 50 parallel takes right after a used-up window ended grant exactly 1 at limit 1 (CC-03, BF-05: one outstanding push)',
      raceAfterWindowEnd(1),
    ),
    storeCase(
      'quota: 50 parallel takes right after a used-up window ended grant exactly the limit of 7 (CC-03, BF-05)',
      raceAfterWindowEnd(7),
    ),
    storeCase(
      'quota: takes within a full window are refused with its end as retryAt, and a refusal moves nothing (BF-05)',
      async (s) => {
        const t = s.throttle;
        assert.deepEqual(await t.takeQuota('k', NOW, 3, WINDOW), { ok: true, used: 1 });
        assert.deepEqual(await t.takeQuota('k', NOW + 1000, 3, WINDOW), { ok: true, used: 2 });
        assert.deepEqual(await t.takeQuota('k', NOW + 2000, 3, WINDOW), { ok: true, used: 3 });
        // The window is fixed from its first take: later takes and refusals do not extend it.
        for (const at of [NOW + 3000, NOW + 3000, NOW + WINDOW - 1]) {
          assert.deepEqual(await t.takeQuota('k', at, 3, WINDOW), {
            ok: false,
            retryAt: NOW + WINDOW,
          });
        }
      },
    ),
    storeCase(
      'quota: a window that ended (at or before now) starts afresh, used up or not (BF-05)',
      async (s) => {
        const t = s.throttle;
        await useUp(s, 'full', NOW, 2);
        assert.deepEqual(await t.takeQuota('full', NOW + WINDOW, 2, WINDOW), { ok: true, used: 1 });
        assert.deepEqual(await t.takeQuota('full', NOW + WINDOW + 5, 2, WINDOW), {
          ok: true,
          used: 2,
        });
        assert.deepEqual(await t.takeQuota('full', NOW + 2 * WINDOW - 1, 2, WINDOW), {
          ok: false,
          retryAt: NOW + 2 * WINDOW,
        });
        // A window with units left also ends: its count does not carry into the next one.
        assert.deepEqual(await t.takeQuota('part', NOW, 3, WINDOW), { ok: true, used: 1 });
        assert.deepEqual(await t.takeQuota('part', NOW + WINDOW + 1, 3, WINDOW), {
          ok: true,
          used: 1,
        });
      },
    ),
    storeCase(
      'quota: release gives every unit back; the next take starts a new window',
      async (s) => {
        const t = s.throttle;
        await useUp(s, 'k', NOW, 2);
        await t.releaseQuota('k');
        assert.deepEqual(await t.takeQuota('k', NOW + 10, 2, WINDOW), { ok: true, used: 1 });
        assert.deepEqual(await t.takeQuota('k', NOW + 20, 2, WINDOW), { ok: true, used: 2 });
        assert.deepEqual(await t.takeQuota('k', NOW + 30, 2, WINDOW), {
          ok: false,
          retryAt: NOW + 10 + WINDOW,
        });
        await t.releaseQuota('never-taken');
        assert.deepEqual(await t.takeQuota('never-taken', NOW, 1, WINDOW), { ok: true, used: 1 });
      },
    ),
    storeCase(
      'quota: keys are independent, and quota state never touches the failure counter of the same key',
      async (s) => {
        const t = s.throttle;
        await useUp(s, 'a', NOW, 1);
        assert.deepEqual(await t.takeQuota('b', NOW, 1, WINDOW), { ok: true, used: 1 });
        assert.deepEqual(await t.inspect('a'), { failures: 0, blockedUntil: 0 });
        assert.equal((await t.reserve('a', NOW, SCHEDULE)).ok, true);
        // Resetting failures does not release the quota, releasing the quota keeps the failures.
        await t.releaseQuota('a');
        assert.deepEqual(await t.inspect('a'), { failures: 1, blockedUntil: 0 });
        await useUp(s, 'a', NOW, 1);
        await t.reset('a');
        assert.deepEqual(await t.takeQuota('a', NOW + 1, 1, WINDOW), {
          ok: false,
          retryAt: NOW + WINDOW,
        });
        assert.deepEqual(await t.takeQuota('b', NOW + 1, 1, WINDOW), {
          ok: false,
          retryAt: NOW + WINDOW,
        });
      },
    ),
    storeCase(
      'quota: 60 takes racing releases never fail, and each release frees at most one more unit (CC-03)',
      async (s) => {
        const ops = await Promise.allSettled(
          Array.from({ length: 60 }, (_, i) =>
            i % 4 === 3
              ? s.throttle.releaseQuota('r').then(() => 'released' as const)
              : s.throttle.takeQuota('r', NOW, 1, WINDOW),
          ),
        );
        assert.deepEqual(
          ops.filter((o) => o.status === 'rejected'),
          [],
        );
        const values = ops.map((o) => (o.status === 'fulfilled' ? o.value : null));
        const granted = values.filter((v) => typeof v === 'object' && v !== null && v.ok).length;
        assert.ok(granted >= 1 && granted <= 15 + 1, `granted ${granted} with 15 releases`);
      },
    ),
    storeCase(
      'quota: arguments a store cannot honour exactly are refused with INVALID_ARGUMENT',
      async (s) => {
        const bad: [number, number, number][] = [
          [NOW, 0, WINDOW],
          [NOW, 1.5, WINDOW],
          [NOW, 1, 0],
          [NOW, 1, Number.NaN],
          [Number.NaN, 1, WINDOW],
          [Number.MAX_SAFE_INTEGER, 1, WINDOW],
        ];
        for (const [now, limit, windowMs] of bad) {
          await assert.rejects(s.throttle.takeQuota('k', now, limit, windowMs), {
            code: 'INVALID_ARGUMENT',
          });
        }
        assert.deepEqual(await s.throttle.takeQuota('k', NOW, 1, WINDOW), { ok: true, used: 1 });
      },
    ),
  ];
}
