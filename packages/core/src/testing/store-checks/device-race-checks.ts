import assert from 'node:assert/strict';
import { NOW, storeCase as check, type StoreCase } from './fixtures.js';
import { device, trusted, withFactor } from './device-checks.js';

/** Store contract, remembered devices under concurrency: many operations at once, winners counted. */
export function deviceRaceChecks(): StoreCase[] {
  return [
    check('FL-10 devices: 20 parallel trusts with limit 3 leave exactly 3', async (s) => {
      await withFactor(s, 'd1');
      const generation = await s.enrollments.generation('d1');
      const results = await Promise.all(
        Array.from({ length: 20 }, () => {
          const { token: _t, ...record } = device('d1');
          return s.enrollments.trustDevice({ device: record, limit: 3, generation });
        }),
      );
      assert.deepEqual(new Set(results), new Set(['trusted']));
      assert.equal((await s.enrollments.listTrustedDevices('d1')).length, 3);
    }),
    check(
      'FL-11 devices: uses racing a revoke-all: once it resolves no use succeeds',
      async (s) => {
        await withFactor(s, 'd1');
        const d = await trusted(s, 'd1');
        const uses = Array.from({ length: 20 }, (_, i) =>
          s.enrollments.useTrustedDevice('d1', d.tokenHash, NOW + 1 + i),
        );
        const revoked = await s.enrollments.revokeTrustedDevices('d1');
        // A use deletes nothing it does not own: the revocation found the device.
        assert.equal(revoked, 1);
        const after = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            s.enrollments.useTrustedDevice('d1', d.tokenHash, NOW + 100 + i),
          ),
        );
        assert.deepEqual(after, Array(20).fill(null));
        for (const u of await Promise.all(uses)) if (u) assert.equal(u.id, d.id);
        assert.deepEqual(await s.enrollments.listTrustedDevices('d1'), []);
      },
    ),
    check(
      'FL-11 devices: trusts racing a reset: nothing trusted with the old generation survives it',
      async (s) => {
        await withFactor(s, 'd1');
        const generation = await s.enrollments.generation('d1');
        const trusts = Array.from({ length: 20 }, () => {
          const { token: _t, ...record } = device('d1');
          return s.enrollments.trustDevice({ device: record, limit: 50, generation });
        });
        const reset = s.enrollments.removeAllForUser('d1');
        const results = await Promise.all(trusts);
        await reset;
        for (const r of results)
          assert.ok(['trusted', 'no-factor', 'generation-changed'].includes(r));
        assert.deepEqual(await s.enrollments.listTrustedDevices('d1'), []);
      },
    ),
  ];
}
