import assert from 'node:assert/strict';
import { EnrollmentConflictError, type EnrollmentRecord } from '../../store/types.js';
import { NOW, enrollment, storeCase, type StoreCase } from './fixtures.js';

/** Enrollments: one per user and provider, counters, removal, rotation support. */
export function enrollmentChecks(): StoreCase[] {
  return [
    storeCase(
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
    storeCase(
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
    storeCase('enrollments: advanceCounter only moves up', async (s) => {
      const e = enrollment();
      await s.enrollments.activate({ enrollment: e });
      assert.equal(await s.enrollments.advanceCounter(e.id, 5, NOW), true);
      assert.equal(await s.enrollments.advanceCounter(e.id, 5, NOW), false);
      assert.equal(await s.enrollments.advanceCounter(e.id, 4, NOW), false);
      assert.equal(await s.enrollments.advanceCounter(e.id, 2 ** 33, NOW), true);
      assert.equal((await s.enrollments.get(e.id))?.counter, 2 ** 33);
      assert.equal(await s.enrollments.advanceCounter('missing', 10, NOW), false);
    }),
    storeCase(
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
    storeCase(
      'removal: the last enrollment takes the recovery codes with it (EN-03)',
      async (s) => {
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
      },
    ),
    storeCase(
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
    storeCase(
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
    storeCase('touch reports whether the enrollment still exists', async (s) => {
      const e = enrollment();
      await s.enrollments.activate({ enrollment: e });
      assert.equal(await s.enrollments.touch(e.id, NOW + 5), true);
      assert.equal((await s.enrollments.get(e.id))?.lastUsedAt, NOW + 5);
      await s.enrollments.removeAllForUser('u1');
      assert.equal(await s.enrollments.touch(e.id, NOW + 6), false);
    }),
  ];
}
