import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  EnrollmentConflictError,
  type EnrollmentRecord,
  type FactorkitStores,
  type PendingRecord,
  type ThrottleSchedule,
} from '../store/types.js';
import { describeChecks, type Check, type TestApi } from './conformance.js';
import { generationChecks } from './generation-checks.js';

export interface StoreContractOptions {
  /** Fresh stores on empty data (a new database, schema or key prefix per call). */
  create(): Promise<FactorkitStores>;
  /** Called after each check with the stores it created. */
  dispose?(stores: FactorkitStores): Promise<void>;
}

const id = (): string => randomBytes(32).toString('base64url');
const NOW = 1_800_000_000_000;

function pending(overrides: Partial<PendingRecord> = {}): PendingRecord {
  return {
    id: id(),
    kind: 'challenge',
    userId: 'u1',
    providerId: 'p',
    enrollmentId: 'e1',
    payload: 'sealed',
    attempts: 0,
    createdAt: NOW,
    expiresAt: NOW + 300_000,
    ...overrides,
  };
}

function enrollment(overrides: Partial<EnrollmentRecord> = {}): EnrollmentRecord {
  return {
    id: id(),
    userId: 'u1',
    providerId: 'p',
    label: 'P',
    secret: 'sealed-' + id(),
    counter: null,
    createdAt: NOW,
    lastUsedAt: null,
    ...overrides,
  };
}

const SCHEDULE: ThrottleSchedule = {
  freeFailures: 2,
  baseDelayMs: 1000,
  maxDelayMs: 8000,
  lockAfter: 5,
  lockMs: 60_000,
  permanentAfter: 7,
};

/**
 * The behaviour every store adapter must have. The concurrency checks fire many operations at
 * once and count winners: an adapter that reads, then checks, then writes fails them.
 */
export function storeContractChecks(options: StoreContractOptions): Check[] {
  const check = (name: string, body: (s: FactorkitStores) => Promise<void>): Check => ({
    name,
    async run() {
      const s = await options.create();
      try {
        await body(s);
      } finally {
        await options.dispose?.(s);
      }
    },
  });
  return [
    check('pending: take returns the record once, then null', async (s) => {
      const r = pending();
      await s.pending.create(r);
      assert.deepEqual(await s.pending.take(r.id, r.userId, r.kind), r);
      assert.equal(await s.pending.take(r.id, r.userId, r.kind), null);
    }),
    check('pending: a wrong user or kind takes nothing and leaves the record', async (s) => {
      const r = pending();
      await s.pending.create(r);
      assert.equal(await s.pending.take(r.id, 'someone-else', r.kind), null);
      assert.equal(await s.pending.take(r.id, r.userId, 'activation'), null);
      assert.deepEqual(await s.pending.peek(r.id), {
        userId: r.userId,
        kind: r.kind,
        expiresAt: r.expiresAt,
      });
      assert.deepEqual(await s.pending.take(r.id, r.userId, r.kind), r);
    }),
    check(
      'pending: restore puts a taken record back; deleteForUser removes only that user',
      async (s) => {
        const a = pending({ userId: 'u1' });
        const b = pending({ userId: 'u2', kind: 'activation' });
        delete (b as { enrollmentId?: string }).enrollmentId;
        await s.pending.create(a);
        await s.pending.create(b);
        const taken = await s.pending.take(a.id, 'u1', 'challenge');
        assert.ok(taken);
        await s.pending.restore({ ...taken, attempts: 1 });
        assert.equal((await s.pending.take(a.id, 'u1', 'challenge'))?.attempts, 1);
        await s.pending.create(pending({ userId: 'u1' }));
        assert.equal(await s.pending.deleteForUser('u1'), 1);
        assert.deepEqual(await s.pending.take(b.id, 'u2', 'activation'), b);
      },
    ),
    check('pending: 50 concurrent takes of one record yield exactly one (DU-09)', async (s) => {
      const r = pending();
      await s.pending.create(r);
      const got = await Promise.all(
        Array.from({ length: 50 }, () => s.pending.take(r.id, r.userId, r.kind)),
      );
      assert.equal(got.filter((x) => x !== null).length, 1);
    }),
    check(
      'enrollments: activate inserts once per user and provider; codes only when none exist',
      async (s) => {
        const e = enrollment();
        assert.deepEqual(
          await s.enrollments.activate({ enrollment: e, recoveryCodeHashes: ['h1', 'h2'] }),
          { recoveryCodesIssued: true },
        );
        assert.deepEqual(await s.enrollments.get(e.id), e);
        await assert.rejects(
          s.enrollments.activate({ enrollment: enrollment() }),
          EnrollmentConflictError,
        );
        const other = enrollment({ providerId: 'q' });
        assert.deepEqual(
          await s.enrollments.activate({ enrollment: other, recoveryCodeHashes: ['h3'] }),
          { recoveryCodesIssued: false },
        );
        assert.equal(await s.enrollments.countRecoveryCodes('u1'), 2);
        assert.deepEqual(
          (await s.enrollments.listByUser('u1')).map((x) => x.id).sort(),
          [e.id, other.id].sort(),
        );
      },
    ),
    check(
      'enrollments: 20 concurrent activations for one user and provider leave exactly one (CC-04)',
      async (s) => {
        const results = await Promise.allSettled(
          Array.from({ length: 20 }, () => s.enrollments.activate({ enrollment: enrollment() })),
        );
        assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
        for (const r of results)
          if (r.status === 'rejected') assert.ok(r.reason instanceof EnrollmentConflictError);
        assert.equal((await s.enrollments.listByUser('u1')).length, 1);
      },
    ),
    check('enrollments: advanceCounter only moves up', async (s) => {
      const e = enrollment();
      await s.enrollments.activate({ enrollment: e });
      assert.equal(await s.enrollments.advanceCounter(e.id, 5, NOW), true);
      assert.equal(await s.enrollments.advanceCounter(e.id, 5, NOW), false);
      assert.equal(await s.enrollments.advanceCounter(e.id, 4, NOW), false);
      assert.equal(await s.enrollments.advanceCounter(e.id, 2 ** 33, NOW), true);
      assert.equal((await s.enrollments.get(e.id))?.counter, 2 ** 33);
      assert.equal(await s.enrollments.advanceCounter('missing', 10, NOW), false);
    }),
    check(
      'enrollments: 50 concurrent compare-and-sets of one counter value succeed once (CC-01)',
      async (s) => {
        const e = enrollment({ counter: 100 });
        await s.enrollments.activate({ enrollment: e });
        const got = await Promise.all(
          Array.from({ length: 50 }, () => s.enrollments.advanceCounter(e.id, 101, NOW)),
        );
        assert.equal(got.filter(Boolean).length, 1);
      },
    ),
    check('recovery codes: consumed once, then already_used; unknown is not_found', async (s) => {
      await s.enrollments.activate({
        enrollment: enrollment(),
        recoveryCodeHashes: ['a', 'b', 'c'],
      });
      assert.equal(await s.enrollments.consumeRecoveryCode('u1', 'a', NOW), 'consumed');
      assert.equal(await s.enrollments.consumeRecoveryCode('u1', 'a', NOW), 'already_used');
      assert.equal(await s.enrollments.consumeRecoveryCode('u1', 'zzz', NOW), 'not_found');
      assert.equal(await s.enrollments.consumeRecoveryCode('u2', 'b', NOW), 'not_found');
      assert.equal(await s.enrollments.countRecoveryCodes('u1'), 2);
    }),
    check('recovery codes: 30 concurrent uses of one code consume it once (CC-02)', async (s) => {
      await s.enrollments.activate({ enrollment: enrollment(), recoveryCodeHashes: ['a', 'b'] });
      const got = await Promise.all(
        Array.from({ length: 30 }, () => s.enrollments.consumeRecoveryCode('u1', 'a', NOW)),
      );
      assert.equal(got.filter((g) => g === 'consumed').length, 1);
      assert.equal(await s.enrollments.countRecoveryCodes('u1'), 1);
    }),
    check('recovery codes: replacing revokes the old set at once', async (s) => {
      await s.enrollments.activate({
        enrollment: enrollment(),
        recoveryCodeHashes: ['old1', 'old2'],
      });
      await s.enrollments.replaceRecoveryCodes('u1', ['new1', 'new2', 'new3'], NOW);
      assert.equal(await s.enrollments.consumeRecoveryCode('u1', 'old1', NOW), 'not_found');
      assert.equal(await s.enrollments.countRecoveryCodes('u1'), 3);
    }),
    check('removal: the last enrollment takes the recovery codes with it (EN-03)', async (s) => {
      const a = enrollment();
      const b = enrollment({ providerId: 'q' });
      await s.enrollments.activate({ enrollment: a, recoveryCodeHashes: ['x'] });
      await s.enrollments.activate({ enrollment: b });
      assert.deepEqual(await s.enrollments.remove('u1', a.id), { removed: true, remaining: 1 });
      assert.equal(await s.enrollments.countRecoveryCodes('u1'), 1);
      assert.deepEqual(await s.enrollments.remove('u2', b.id), { removed: false, remaining: 0 });
      assert.deepEqual(await s.enrollments.remove('u1', b.id), { removed: true, remaining: 0 });
      assert.equal(await s.enrollments.countRecoveryCodes('u1'), 0);
      await s.enrollments.activate({ enrollment: enrollment(), recoveryCodeHashes: ['y'] });
      await s.enrollments.activate({ enrollment: enrollment({ userId: 'u2' }) });
      assert.equal(await s.enrollments.removeAllForUser('u1'), 1);
      assert.equal(await s.enrollments.countRecoveryCodes('u1'), 0);
      assert.equal((await s.enrollments.listByUser('u2')).length, 1);
    }),
    check(
      'rotation support: replaceSecret is a compare-and-set; listAll pages in id order',
      async (s) => {
        const rows = Array.from({ length: 5 }, (_, i) => enrollment({ userId: `u${i}` }));
        for (const r of rows) await s.enrollments.activate({ enrollment: r });
        const first = rows[0]!;
        assert.equal(await s.enrollments.replaceSecret(first.id, 'not-the-current', 'next'), false);
        assert.equal(await s.enrollments.replaceSecret(first.id, first.secret, 'next'), true);
        assert.equal((await s.enrollments.get(first.id))?.secret, 'next');
        const seen: string[] = [];
        let after: string | null = null;
        for (;;) {
          const page: EnrollmentRecord[] = await s.enrollments.listAll(after, 2);
          if (page.length === 0) break;
          seen.push(...page.map((p) => p.id));
          after = page[page.length - 1]!.id;
        }
        assert.deepEqual(seen, rows.map((r) => r.id).sort());
      },
    ),
    check(
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
    check(
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
    check('throttle: a refund after a newer reservation only lowers the count', async (s) => {
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
    check('throttle: 120 reserves racing resets never fail', async (s) => {
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
    check(
      'recovery codes: no set can be written for a user without an enrollment (EN-03, CC-05)',
      async (s) => {
        assert.equal(await s.enrollments.replaceRecoveryCodes('nobody', ['h'], NOW), false);
        assert.equal(await s.enrollments.countRecoveryCodes('nobody'), 0);
        const e = enrollment();
        await s.enrollments.activate({ enrollment: e, recoveryCodeHashes: ['a'] });
        assert.equal(await s.enrollments.replaceRecoveryCodes('u1', ['b', 'c'], NOW), true);
        await s.enrollments.remove('u1', e.id);
        assert.equal(await s.enrollments.replaceRecoveryCodes('u1', ['d'], NOW), false);
        assert.equal(await s.enrollments.countRecoveryCodes('u1'), 0);
      },
    ),
    check('recovery codes: a first factor always starts with a fresh set', async (s) => {
      const first = enrollment();
      await s.enrollments.activate({ enrollment: first, recoveryCodeHashes: ['old'] });
      await s.enrollments.removeAllForUser('u1');
      // even if stale codes were somehow left, the next first factor replaces them
      const again = enrollment();
      assert.deepEqual(
        await s.enrollments.activate({ enrollment: again, recoveryCodeHashes: ['n1', 'n2'] }),
        {
          recoveryCodesIssued: true,
        },
      );
      assert.equal(await s.enrollments.consumeRecoveryCode('u1', 'old', NOW), 'not_found');
      assert.equal(await s.enrollments.countRecoveryCodes('u1'), 2);
    }),
    check(
      'removal: with keepOneOf, parallel removals never take the last kept factor',
      async (s) => {
        const a = enrollment({ providerId: 'a' });
        const b = enrollment({ providerId: 'b' });
        await s.enrollments.activate({ enrollment: a });
        await s.enrollments.activate({ enrollment: b });
        const [ra, rb] = await Promise.all([
          s.enrollments.remove('u1', a.id, ['a', 'b']),
          s.enrollments.remove('u1', b.id, ['a', 'b']),
        ]);
        assert.equal([ra, rb].filter((r) => r.removed).length, 1);
        assert.equal((await s.enrollments.listByUser('u1')).length, 1);
        const last = (await s.enrollments.listByUser('u1'))[0]!;
        assert.deepEqual(await s.enrollments.remove('u1', last.id, ['a', 'b']), {
          removed: false,
          remaining: 1,
        });
      },
    ),
    check('touch reports whether the enrollment still exists', async (s) => {
      const e = enrollment();
      await s.enrollments.activate({ enrollment: e });
      assert.equal(await s.enrollments.touch(e.id, NOW + 5), true);
      assert.equal((await s.enrollments.get(e.id))?.lastUsedAt, NOW + 5);
      await s.enrollments.removeAllForUser('u1');
      assert.equal(await s.enrollments.touch(e.id, NOW + 6), false);
    }),
    ...generationChecks(check),
  ];
}

export function describeStoreContract(
  name: string,
  options: StoreContractOptions,
  api: TestApi,
): void {
  describeChecks(`store contract: ${name}`, storeContractChecks(options), api);
}
