import assert from 'node:assert/strict';
import { EnrollmentConflictError, type FactorkitStores } from '../../store/types.js';
import { NOW, enrollment, id, storeCase, type StoreCase } from './fixtures.js';

/** Activations fired at once; how many the store accepted and how many it refused as a conflict. */
async function activateAtOnce(
  s: FactorkitStores,
  count: number,
  maxPerProvider: number | undefined,
): Promise<{ stored: number; conflicts: number }> {
  const results = await Promise.allSettled(
    Array.from({ length: count }, (_, i) =>
      s.enrollments.activate({
        enrollment: enrollment({ createdAt: NOW + i }),
        ...(maxPerProvider === undefined ? {} : { maxPerProvider }),
      }),
    ),
  );
  const rejected = results.filter((r) => r.status === 'rejected');
  for (const r of rejected)
    assert.ok(r.reason instanceof EnrollmentConflictError, String(r.reason));
  return { stored: results.length - rejected.length, conflicts: rejected.length };
}

/** Several enrollments of one provider per user: the limit, renaming, removal one at a time. */
export function severalEnrollmentsChecks(): StoreCase[] {
  return [
    storeCase(
      'EN-07: 20 concurrent activations of one user and provider with maxPerProvider 3 store exactly 3',
      async (s) => {
        assert.deepEqual(await activateAtOnce(s, 20, 3), { stored: 3, conflicts: 17 });
        const listed = await s.enrollments.listByUser('u1');
        assert.equal(listed.length, 3);
        assert.ok(listed.every((e) => e.providerId === 'p'));
      },
    ),
    storeCase(
      'EN-07: without maxPerProvider a second enrollment of the provider is refused, as before',
      async (s) => {
        assert.deepEqual(await activateAtOnce(s, 10, undefined), { stored: 1, conflicts: 9 });
        await assert.rejects(
          s.enrollments.activate({ enrollment: enrollment() }),
          EnrollmentConflictError,
        );
      },
    ),
    storeCase('EN-07: the limit counts one user and one provider only', async (s) => {
      await s.enrollments.activate({ enrollment: enrollment(), maxPerProvider: 2 });
      await s.enrollments.activate({ enrollment: enrollment(), maxPerProvider: 2 });
      await assert.rejects(
        s.enrollments.activate({ enrollment: enrollment(), maxPerProvider: 2 }),
        EnrollmentConflictError,
      );
      // Another provider of the same user, the same provider of another user: not counted.
      await s.enrollments.activate({ enrollment: enrollment({ providerId: 'q' }) });
      await s.enrollments.activate({ enrollment: enrollment({ userId: 'u2' }), maxPerProvider: 1 });
      // A removal frees a place.
      const first = (await s.enrollments.listByUser('u1')).find((e) => e.providerId === 'p');
      assert.equal((await s.enrollments.remove('u1', first!.id)).removed, true);
      await s.enrollments.activate({ enrollment: enrollment(), maxPerProvider: 2 });
      assert.equal((await s.enrollments.listByUser('u1')).length, 3);
    }),
    storeCase(
      'rename: the owner renames an enrollment; a foreign or unknown id changes nothing',
      async (s) => {
        const mine = enrollment({ label: 'Phone' });
        const theirs = enrollment({ userId: 'u2', label: 'Theirs' });
        await s.enrollments.activate({ enrollment: mine });
        await s.enrollments.activate({ enrollment: theirs });
        assert.equal(await s.enrollments.rename('u1', mine.id, 'Work phone'), true);
        assert.equal((await s.enrollments.get(mine.id))?.label, 'Work phone');
        // u1 naming u2's enrollment: refused, u2's label untouched.
        assert.equal(await s.enrollments.rename('u1', theirs.id, 'Stolen'), false);
        assert.equal((await s.enrollments.get(theirs.id))?.label, 'Theirs');
        assert.equal(await s.enrollments.rename('u1', id(), 'Nothing'), false);
        // The rest of the record is what it was.
        assert.deepEqual(await s.enrollments.get(mine.id), { ...mine, label: 'Work phone' });
      },
    ),
    storeCase('rename: a removed enrollment cannot be renamed', async (s) => {
      const a = enrollment();
      const b = enrollment();
      await s.enrollments.activate({ enrollment: a, maxPerProvider: 2 });
      await s.enrollments.activate({ enrollment: b, maxPerProvider: 2 });
      await s.enrollments.remove('u1', a.id);
      assert.equal(await s.enrollments.rename('u1', a.id, 'Back'), false);
      assert.equal(await s.enrollments.get(a.id), null);
    }),
    storeCase(
      'EN-08: removing one of two enrollments of a provider keeps the other and the recovery codes',
      async (s) => {
        const a = enrollment({ createdAt: NOW });
        const b = enrollment({ createdAt: NOW + 1 });
        await s.enrollments.activate({
          enrollment: a,
          maxPerProvider: 2,
          recoveryCodeHashes: ['h1'],
        });
        await s.enrollments.activate({ enrollment: b, maxPerProvider: 2 });
        assert.deepEqual(await s.enrollments.remove('u1', a.id, ['p']), {
          removed: true,
          remaining: 1,
        });
        assert.deepEqual(
          (await s.enrollments.listByUser('u1')).map((e) => e.id),
          [b.id],
        );
        assert.equal(await s.enrollments.countRecoveryCodes('u1'), 1);
        // With keepOneOf, the last one of the provider stays.
        assert.deepEqual(await s.enrollments.remove('u1', b.id, ['p']), {
          removed: false,
          remaining: 1,
        });
      },
    ),
    storeCase(
      "EN-08: concurrent removals of each of a forced user's enrollments with keepOneOf leave exactly one",
      async (s) => {
        const all = Array.from({ length: 5 }, (_, i) => enrollment({ createdAt: NOW + i }));
        for (const e of all) await s.enrollments.activate({ enrollment: e, maxPerProvider: 5 });
        const results = await Promise.all(
          [...all, ...all].map((e) => s.enrollments.remove('u1', e.id, ['p'])),
        );
        assert.equal(results.filter((r) => r.removed).length, 4);
        const left = await s.enrollments.listByUser('u1');
        assert.equal(left.length, 1);
        assert.ok(all.some((e) => e.id === left[0]!.id));
      },
    ),
    storeCase(
      'EN-02: recovery codes are issued only with the first factor, never replaced by a second of the same provider',
      async (s) => {
        const first = await s.enrollments.activate({
          enrollment: enrollment(),
          maxPerProvider: 3,
          recoveryCodeHashes: ['first-1', 'first-2'],
        });
        const second = await s.enrollments.activate({
          enrollment: enrollment(),
          maxPerProvider: 3,
          recoveryCodeHashes: ['second-1'],
        });
        assert.deepEqual(
          [first, second],
          [{ recoveryCodesIssued: true }, { recoveryCodesIssued: false }],
        );
        assert.equal(await s.enrollments.countRecoveryCodes('u1'), 2);
        assert.equal(await s.enrollments.consumeRecoveryCode('u1', 'second-1', NOW), 'not_found');
        assert.equal(await s.enrollments.consumeRecoveryCode('u1', 'first-1', NOW), 'consumed');
      },
    ),
  ];
}
