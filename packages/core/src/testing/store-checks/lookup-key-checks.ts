import assert from 'node:assert/strict';
import { LookupKeyTakenError, type FactorkitStores } from '../../store/types.js';
import { NOW, enrollment, storeCase, type StoreCase } from './fixtures.js';

const KEY = 'sha256-of-a-credential-id';

/** Everything a user holds that an activation writes. */
async function holdings(s: FactorkitStores, userId: string) {
  return {
    enrollments: (await s.enrollments.listByUser(userId)).length,
    codes: await s.enrollments.countRecoveryCodes(userId),
  };
}

/**
 * Lookup keys (SECURITY.md WA-12): one enrollment per (provider, public key) across all users,
 * decided by the store in the activation itself, so two registrations of one authenticator on
 * any number of instances cannot both be stored.
 */
export function lookupKeyChecks(): StoreCase[] {
  return [
    storeCase(
      "WA-12: an activation with a lookup key another enrollment holds (any user's) is refused and writes nothing",
      async (s) => {
        const first = enrollment();
        await s.enrollments.activate({ enrollment: first, lookupKey: KEY, maxPerProvider: 5 });
        assert.deepEqual(await s.enrollments.findByLookupKey('p', KEY), first);
        // Another user, with recovery codes offered: refused, nothing stored for them.
        await assert.rejects(
          s.enrollments.activate({
            enrollment: enrollment({ userId: 'u2' }),
            lookupKey: KEY,
            recoveryCodeHashes: ['h1'],
          }),
          LookupKeyTakenError,
        );
        assert.deepEqual(await holdings(s, 'u2'), { enrollments: 0, codes: 0 });
        // The same user again, within the per-provider limit: refused too.
        await assert.rejects(
          s.enrollments.activate({ enrollment: enrollment(), lookupKey: KEY, maxPerProvider: 5 }),
          LookupKeyTakenError,
        );
        assert.equal((await s.enrollments.listByUser('u1')).length, 1);
        // The holder is untouched.
        assert.deepEqual(await s.enrollments.get(first.id), first);
        // Keys are per provider, and enrollments without a key are not affected.
        const other = enrollment({ userId: 'u2', providerId: 'q' });
        await s.enrollments.activate({ enrollment: other, lookupKey: KEY });
        await s.enrollments.activate({ enrollment: enrollment({ userId: 'u2' }) });
        await s.enrollments.activate({ enrollment: enrollment({ userId: 'u3' }) });
        assert.deepEqual(await s.enrollments.findByLookupKey('q', KEY), other);
        assert.equal(await s.enrollments.findByLookupKey('p', 'another-key'), null);
      },
    ),
    storeCase(
      'WA-12: removing the enrollment, or resetting its user, frees its lookup key',
      async (s) => {
        const first = enrollment();
        await s.enrollments.activate({ enrollment: first, lookupKey: KEY });
        assert.equal((await s.enrollments.remove('u1', first.id)).removed, true);
        assert.equal(await s.enrollments.findByLookupKey('p', KEY), null);
        const second = enrollment({ userId: 'u2' });
        await s.enrollments.activate({ enrollment: second, lookupKey: KEY });
        assert.deepEqual(await s.enrollments.findByLookupKey('p', KEY), second);
        assert.equal(await s.enrollments.removeAllForUser('u2'), 1);
        assert.equal(await s.enrollments.findByLookupKey('p', KEY), null);
        await s.enrollments.activate({ enrollment: enrollment({ userId: 'u3' }), lookupKey: KEY });
      },
    ),
    storeCase(
      'WA-12: 20 users registering one lookup key at once: exactly one enrollment is stored',
      async (s) => {
        const users = Array.from({ length: 20 }, (_, i) => `racer-${i}`);
        const results = await Promise.allSettled(
          users.map((userId, i) =>
            s.enrollments.activate({
              enrollment: enrollment({ userId, createdAt: NOW + i }),
              lookupKey: KEY,
              recoveryCodeHashes: [`code-${i}`],
            }),
          ),
        );
        const rejected = results.filter((r) => r.status === 'rejected');
        for (const r of rejected)
          assert.ok(r.reason instanceof LookupKeyTakenError, String(r.reason));
        assert.equal(rejected.length, 19);
        const winner = users[results.findIndex((r) => r.status === 'fulfilled')]!;
        assert.equal((await s.enrollments.findByLookupKey('p', KEY))?.userId, winner);
        for (const userId of users)
          assert.deepEqual(
            await holdings(s, userId),
            userId === winner ? { enrollments: 1, codes: 1 } : { enrollments: 0, codes: 0 },
          );
      },
    ),
  ];
}
