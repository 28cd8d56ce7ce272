import assert from 'node:assert/strict';
import type { FactorkitStores } from '../../store/types.js';
import { NOW, enrollment, pending, storeCase as check, type StoreCase } from './fixtures.js';

/** The store's joined take, when it has one and reads from these very stores' enrollments. */
function joinedTake(s: FactorkitStores) {
  const p = s.pending;
  return p.takeWithEnrollment && p.joinedEnrollments === s.enrollments
    ? p.takeWithEnrollment.bind(p)
    : null;
}

/**
 * Store contract, the optional shortcuts a store may offer so a sign-in needs fewer round trips
 * (issue 17): each must answer exactly what the calls it stands for would, and keep their
 * atomicity (DU-09, CC-01, EN-05). A store without a shortcut passes these trivially.
 */
export function signInShortcutChecks(): StoreCase[] {
  return [
    check('takeWithEnrollment: the take, and the enrollment the record names', async (s) => {
      const take = joinedTake(s);
      if (!take) return;
      const e = enrollment({ userId: 'u1' });
      await s.enrollments.activate({ enrollment: e });
      const r = pending({ userId: 'u1', enrollmentId: e.id });
      await s.pending.create(r);
      assert.equal(await take(r.id, 'u2', 'challenge'), null, 'a foreign user takes nothing');
      assert.equal(await take(r.id, 'u1', 'activation'), null, 'nor does another kind');
      assert.deepEqual(await take(r.id, 'u1', 'challenge'), {
        record: r,
        enrollment: await s.enrollments.get(e.id),
      });
      assert.equal(await take(r.id, 'u1', 'challenge'), null, 'single use');
      const gone = pending({ userId: 'u1', enrollmentId: 'no-such-enrollment' });
      await s.pending.create(gone);
      assert.deepEqual(await take(gone.id, 'u1', 'challenge'), { record: gone, enrollment: null });
      const bare = pending({ userId: 'u1', kind: 'activation' });
      delete (bare as { enrollmentId?: string }).enrollmentId;
      await s.pending.create(bare);
      assert.deepEqual(await take(bare.id, 'u1', 'activation'), { record: bare, enrollment: null });
    }),
    check(
      'takeWithEnrollment: of 30 racing takes of one step exactly one gets it (DU-09)',
      async (s) => {
        const take = joinedTake(s);
        if (!take) return;
        const e = enrollment({ userId: 'u1' });
        await s.enrollments.activate({ enrollment: e });
        const r = pending({ userId: 'u1', enrollmentId: e.id });
        await s.pending.create(r);
        const got = await Promise.all(
          Array.from({ length: 30 }, () => take(r.id, 'u1', 'challenge')),
        );
        assert.equal(got.filter((g) => g !== null).length, 1);
      },
    ),
    check('advanceCounterReadingGeneration: the compare-and-set, and the generation', async (s) => {
      const advance = s.enrollments.advanceCounterReadingGeneration?.bind(s.enrollments);
      if (!advance) return;
      const e = enrollment({ userId: 'u1', counter: 5 });
      await s.enrollments.activate({ enrollment: e });
      assert.deepEqual(await advance(e.id, 'u1', 5, NOW), { advanced: false, generation: 0 });
      assert.deepEqual(await advance(e.id, 'u1', 6, NOW + 1), { advanced: true, generation: 0 });
      assert.equal((await s.enrollments.get(e.id))?.counter, 6);
      assert.equal((await s.enrollments.get(e.id))?.lastUsedAt, NOW + 1);
      const other = enrollment({ userId: 'u1', providerId: 'q' });
      await s.enrollments.activate({ enrollment: other });
      await s.enrollments.remove('u1', other.id);
      assert.deepEqual(await advance(e.id, 'u1', 7, NOW), { advanced: true, generation: 1 });
      await s.enrollments.removeAllForUser('u1');
      assert.deepEqual(await advance(e.id, 'u1', 8, NOW), { advanced: false, generation: 2 });
    }),
    check(
      'advanceCounterReadingGeneration: of 20 racing advances to one counter exactly one wins (CC-01)',
      async (s) => {
        const advance = s.enrollments.advanceCounterReadingGeneration?.bind(s.enrollments);
        if (!advance) return;
        const e = enrollment({ userId: 'u1', counter: 1 });
        await s.enrollments.activate({ enrollment: e });
        const got = await Promise.all(
          Array.from({ length: 20 }, () => advance(e.id, 'u1', 2, NOW)),
        );
        assert.equal(got.filter((g) => g.advanced).length, 1);
      },
    ),
    check('signInState: what listByUser, countRecoveryCodes and generation say', async (s) => {
      const read = s.enrollments.signInState?.bind(s.enrollments);
      if (!read) return;
      assert.deepEqual(await read('u1', true), {
        enrollments: [],
        recoveryCodes: 0,
        generation: 0,
      });
      await s.enrollments.removeAllForUser('u1');
      assert.deepEqual(await read('u1', true), {
        enrollments: [],
        recoveryCodes: 0,
        generation: 1,
      });
      const a = enrollment({ userId: 'u1', providerId: 'a', createdAt: NOW });
      const b = enrollment({ userId: 'u1', providerId: 'b', createdAt: NOW + 1 });
      await s.enrollments.activate({ enrollment: a, recoveryCodeHashes: ['h1', 'h2', 'h3'] });
      await s.enrollments.activate({ enrollment: b });
      await s.enrollments.consumeRecoveryCode('u1', 'h2', NOW);
      await s.enrollments.activate({ enrollment: enrollment({ userId: 'u2' }) });
      const listed = await s.enrollments.listByUser('u1');
      assert.deepEqual(await read('u1', true), {
        enrollments: listed,
        recoveryCodes: 2,
        generation: 1,
      });
      assert.deepEqual(await read('u1', false), {
        enrollments: listed,
        recoveryCodes: 0,
        generation: 1,
      });
    }),
  ];
}
