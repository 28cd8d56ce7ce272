import assert from 'node:assert/strict';
import { NOW, enrollment, storeCase, type StoreCase } from './fixtures.js';

/** Recovery codes: single use, replacement, never without a factor. */
export function recoveryCodeChecks(): StoreCase[] {
  return [
    storeCase(
      'recovery codes: consumed once, then already_used; unknown is not_found',
      async (s) => {
        await s.enrollments.activate({
          enrollment: enrollment(),
          recoveryCodeHashes: ['a', 'b', 'c'],
        });
        assert.equal(await s.enrollments.consumeRecoveryCode('u1', 'a', NOW), 'consumed');
        assert.equal(await s.enrollments.consumeRecoveryCode('u1', 'a', NOW), 'already_used');
        assert.equal(await s.enrollments.consumeRecoveryCode('u1', 'zzz', NOW), 'not_found');
        assert.equal(await s.enrollments.consumeRecoveryCode('u2', 'b', NOW), 'not_found');
        assert.equal(await s.enrollments.countRecoveryCodes('u1'), 2);
      },
    ),
    storeCase(
      'recovery codes: 30 concurrent uses of one code consume it once (CC-02)',
      async (s) => {
        await s.enrollments.activate({ enrollment: enrollment(), recoveryCodeHashes: ['a', 'b'] });
        const got = await Promise.all(
          Array.from({ length: 30 }, () => s.enrollments.consumeRecoveryCode('u1', 'a', NOW)),
        );
        assert.equal(got.filter((g) => g === 'consumed').length, 1);
        assert.equal(await s.enrollments.countRecoveryCodes('u1'), 1);
      },
    ),
    storeCase('recovery codes: replacing revokes the old set at once', async (s) => {
      await s.enrollments.activate({
        enrollment: enrollment(),
        recoveryCodeHashes: ['old1', 'old2'],
      });
      await s.enrollments.replaceRecoveryCodes('u1', ['new1', 'new2', 'new3'], NOW);
      assert.equal(await s.enrollments.consumeRecoveryCode('u1', 'old1', NOW), 'not_found');
      assert.equal(await s.enrollments.countRecoveryCodes('u1'), 3);
    }),
    storeCase(
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
    storeCase('recovery codes: a first factor always starts with a fresh set', async (s) => {
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
  ];
}
