import assert from 'node:assert/strict';
import { pending, storeCase, type StoreCase } from './fixtures.js';

/** Pending steps: single take, binding to user and kind, restore, per-user delete. */
export function pendingChecks(): StoreCase[] {
  return [
    storeCase('pending: take returns the record once, then null', async (s) => {
      const r = pending();
      await s.pending.create(r);
      assert.deepEqual(await s.pending.take(r.id, r.userId, r.kind), r);
      assert.equal(await s.pending.take(r.id, r.userId, r.kind), null);
    }),
    storeCase('pending: a wrong user or kind takes nothing and leaves the record', async (s) => {
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
    storeCase(
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
    storeCase('pending: 50 concurrent takes of one record yield exactly one (DU-09)', async (s) => {
      const r = pending();
      await s.pending.create(r);
      const got = await Promise.all(
        Array.from({ length: 50 }, () => s.pending.take(r.id, r.userId, r.kind)),
      );
      assert.equal(got.filter((x) => x !== null).length, 1);
    }),
  ];
}
