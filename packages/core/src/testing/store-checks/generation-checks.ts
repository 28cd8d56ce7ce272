import assert from 'node:assert/strict';
import { GenerationChangedError, type EnrollmentRecord } from '../../store/types.js';
import { enrollment, storeCase as check, type StoreCase } from './fixtures.js';

const factor = (userId: string, providerId: string): EnrollmentRecord =>
  enrollment({ userId, providerId });

/**
 * Store contract, per-user generations (SECURITY.md EN-05): a reset or a removal raises the
 * user's generation in its own transaction, and an activation carrying an older generation writes
 * nothing.
 */
export function generationChecks(): StoreCase[] {
  return [
    check('generation: starts at 0; a reset raises it, even with nothing to remove', async (s) => {
      assert.equal(await s.enrollments.generation('g1'), 0);
      await s.enrollments.removeAllForUser('g1');
      assert.equal(await s.enrollments.generation('g1'), 1);
      await s.enrollments.removeAllForUser('g1');
      assert.equal(await s.enrollments.generation('g1'), 2);
      assert.equal(await s.enrollments.generation('g2'), 0, 'generations are per user');
    }),
    check('generation: a removal raises it; a refused removal does not', async (s) => {
      const a = factor('g1', 'a');
      await s.enrollments.activate({ enrollment: a });
      assert.equal(await s.enrollments.generation('g1'), 0, 'activating changes nothing');
      assert.equal((await s.enrollments.remove('g1', a.id, ['b'])).removed, false);
      assert.equal(await s.enrollments.generation('g1'), 0);
      assert.equal((await s.enrollments.remove('g1', a.id)).removed, true);
      assert.equal(await s.enrollments.generation('g1'), 1);
    }),
    check('generation: an activation that began before a reset writes nothing', async (s) => {
      const began = await s.enrollments.generation('g1');
      await s.enrollments.removeAllForUser('g1');
      await assert.rejects(
        s.enrollments.activate({
          enrollment: factor('g1', 'a'),
          recoveryCodeHashes: ['h1', 'h2'],
          generation: began,
        }),
        GenerationChangedError,
      );
      assert.deepEqual(await s.enrollments.listByUser('g1'), []);
      assert.equal(await s.enrollments.countRecoveryCodes('g1'), 0);
      const now = await s.enrollments.generation('g1');
      const r = await s.enrollments.activate({
        enrollment: factor('g1', 'a'),
        recoveryCodeHashes: ['h1'],
        generation: now,
      });
      assert.equal(r.recoveryCodesIssued, true);
    }),
    check(
      'generation: of 20 activations racing a reset, none carrying the old generation lands after it',
      async (s) => {
        const began = await s.enrollments.generation('g1');
        const attempts = Array.from({ length: 20 }, (_, i) =>
          s.enrollments.activate({ enrollment: factor('g1', `p${i}`), generation: began }).then(
            () => 'ok',
            (err: unknown) => (err instanceof GenerationChangedError ? 'stale' : 'error'),
          ),
        );
        const reset = s.enrollments.removeAllForUser('g1');
        const results = await Promise.all(attempts);
        await reset;
        assert.ok(!results.includes('error'));
        // Whatever landed before the reset was removed by it; nothing landed after it.
        assert.deepEqual(await s.enrollments.listByUser('g1'), []);
      },
    ),
  ];
}
