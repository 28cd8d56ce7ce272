import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { TrustedDeviceRecord } from '../../store/device-types.js';
import type { FactorkitStores } from '../../store/types.js';
import { NOW, enrollment, id, storeCase as check, type StoreCase } from './fixtures.js';

const DAY = 86_400_000;

/** A device of `userId` with a fresh token; its token's hash is what the store keeps. */
export function device(
  userId: string,
  overrides: Partial<TrustedDeviceRecord> = {},
): TrustedDeviceRecord & { token: string } {
  const token = id();
  return {
    id: id().slice(0, 22),
    userId,
    tokenHash: createHash('sha256').update(token).digest('hex'),
    label: 'Firefox on Linux',
    createdAt: NOW,
    lastUsedAt: null,
    expiresAt: NOW + 30 * DAY,
    generation: 0,
    token,
    ...overrides,
  };
}

/** Stores a device for a user who has a factor, at the user's current generation. */
export async function trusted(
  s: FactorkitStores,
  userId: string,
  overrides: Partial<TrustedDeviceRecord> = {},
  limit = 10,
): Promise<TrustedDeviceRecord> {
  const d = device(userId, overrides);
  const { token: _token, ...record } = d;
  const generation = await s.enrollments.generation(userId);
  assert.equal(await s.enrollments.trustDevice({ device: record, limit, generation }), 'trusted');
  return { ...record, generation };
}

export async function withFactor(s: FactorkitStores, userId: string, providerId = 'p') {
  const e = enrollment({ userId, providerId });
  await s.enrollments.activate({ enrollment: e });
  return e;
}

/** Store contract, remembered devices (SECURITY.md FL-09, FL-10, FL-11): the plain cases. */
export function deviceChecks(): StoreCase[] {
  return [
    check(
      'FL-09 devices: a token hash is used only for its own user, and a use is recorded',
      async (s) => {
        await withFactor(s, 'd1');
        await withFactor(s, 'd2');
        const mine = await trusted(s, 'd1');
        assert.equal(await s.enrollments.useTrustedDevice('d2', mine.tokenHash, NOW + 1), null);
        assert.equal(await s.enrollments.useTrustedDevice('d1', 'f'.repeat(64), NOW + 1), null);
        assert.deepEqual(await s.enrollments.listTrustedDevices('d2'), []);
        const used = await s.enrollments.useTrustedDevice('d1', mine.tokenHash, NOW + 5);
        assert.deepEqual(used, { ...mine, lastUsedAt: NOW + 5 });
        assert.deepEqual(await s.enrollments.listTrustedDevices('d1'), [
          { ...mine, lastUsedAt: NOW + 5 },
        ]);
      },
    ),
    check('FL-09 devices: at its expiry a device is not used and is deleted', async (s) => {
      await withFactor(s, 'd1');
      const d = await trusted(s, 'd1', { expiresAt: NOW + 1000 });
      assert.ok(await s.enrollments.useTrustedDevice('d1', d.tokenHash, NOW + 999));
      assert.equal(await s.enrollments.useTrustedDevice('d1', d.tokenHash, NOW + 1000), null);
      assert.deepEqual(await s.enrollments.listTrustedDevices('d1'), []);
      // Deleted, not only refused: an earlier clock cannot bring it back.
      assert.equal(await s.enrollments.useTrustedDevice('d1', d.tokenHash, NOW), null);
    }),
    check('FL-09 devices: refused without a factor, and when the generation moved', async (s) => {
      const { token: _t, ...lone } = device('d1');
      assert.equal(
        await s.enrollments.trustDevice({ device: lone, limit: 3, generation: 0 }),
        'no-factor',
      );
      const a = await withFactor(s, 'd1', 'a');
      await withFactor(s, 'd1', 'b');
      const began = await s.enrollments.generation('d1');
      assert.equal((await s.enrollments.remove('d1', a.id)).removed, true);
      const { token: _u, ...late } = device('d1');
      assert.equal(
        await s.enrollments.trustDevice({ device: late, limit: 3, generation: began }),
        'generation-changed',
      );
      assert.deepEqual(await s.enrollments.listTrustedDevices('d1'), []);
    }),
    check(
      'FL-10 devices: past the limit the least recently used goes; the list is newest first',
      async (s) => {
        await withFactor(s, 'd1');
        const first = await trusted(s, 'd1', { createdAt: NOW }, 3);
        const second = await trusted(s, 'd1', { createdAt: NOW + 1 }, 3);
        const third = await trusted(s, 'd1', { createdAt: NOW + 2 }, 3);
        assert.ok(await s.enrollments.useTrustedDevice('d1', first.tokenHash, NOW + 10));
        const fourth = await trusted(s, 'd1', { createdAt: NOW + 20 }, 3);
        assert.deepEqual(
          (await s.enrollments.listTrustedDevices('d1')).map((d) => d.id),
          [fourth.id, third.id, first.id],
        );
        assert.equal(await s.enrollments.useTrustedDevice('d1', second.tokenHash, NOW + 21), null);
      },
    ),
    check(
      'FL-11 devices: one is revoked only by its own user; all at once returns the count',
      async (s) => {
        await withFactor(s, 'd1');
        await withFactor(s, 'd2');
        const a = await trusted(s, 'd1');
        const b = await trusted(s, 'd1', { createdAt: NOW + 1 });
        const other = await trusted(s, 'd2');
        assert.equal(await s.enrollments.revokeTrustedDevice('d2', a.id), false);
        assert.equal(await s.enrollments.revokeTrustedDevice('d1', a.id), true);
        assert.equal(await s.enrollments.revokeTrustedDevice('d1', a.id), false);
        assert.equal(await s.enrollments.useTrustedDevice('d1', a.tokenHash, NOW + 1), null);
        assert.ok(await s.enrollments.useTrustedDevice('d1', b.tokenHash, NOW + 1));
        await trusted(s, 'd1', { createdAt: NOW + 2 });
        assert.equal(await s.enrollments.revokeTrustedDevices('d1'), 2);
        assert.equal(await s.enrollments.revokeTrustedDevices('d1'), 0);
        assert.deepEqual(
          (await s.enrollments.listTrustedDevices('d2')).map((d) => d.id),
          [other.id],
        );
      },
    ),
    check(
      'FL-11 devices: a factor removal and a reset revoke in their own step; a refused removal keeps them',
      async (s) => {
        const a = await withFactor(s, 'd1', 'a');
        await withFactor(s, 'd1', 'b');
        const d = await trusted(s, 'd1');
        assert.equal((await s.enrollments.remove('d1', a.id, ['z'])).removed, false);
        assert.equal((await s.enrollments.listTrustedDevices('d1')).length, 1);
        assert.equal((await s.enrollments.remove('d2', a.id)).removed, false, 'foreign user');
        assert.equal((await s.enrollments.listTrustedDevices('d1')).length, 1);
        assert.equal((await s.enrollments.remove('d1', a.id)).removed, true);
        assert.equal(await s.enrollments.useTrustedDevice('d1', d.tokenHash, NOW + 1), null);
        await trusted(s, 'd1');
        await withFactor(s, 'd2');
        await trusted(s, 'd2');
        await s.enrollments.removeAllForUser('d1');
        assert.deepEqual(await s.enrollments.listTrustedDevices('d1'), []);
        assert.equal((await s.enrollments.listTrustedDevices('d2')).length, 1, 'per user');
      },
    ),
    check(
      'FL-11 devices: revoking all raises the generation, so a trust begun before it is refused',
      async (s) => {
        await withFactor(s, 'd1');
        const d = await trusted(s, 'd1');
        const began = await s.enrollments.generation('d1');
        assert.equal(d.generation, began, 'a device keeps the generation it was trusted in');
        assert.equal(await s.enrollments.revokeTrustedDevices('d1'), 1);
        assert.ok((await s.enrollments.generation('d1')) > began);
        const { token: _t, generation: _g, ...late } = device('d1');
        assert.equal(
          await s.enrollments.trustDevice({ device: late, limit: 3, generation: began }),
          'generation-changed',
        );
        assert.deepEqual(await s.enrollments.listTrustedDevices('d1'), []);
      },
    ),
  ];
}
