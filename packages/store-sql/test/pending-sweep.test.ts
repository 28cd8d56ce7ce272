/**
 * The pending table cleans itself: each create sweeps expired records (all of the same user's,
 * a bounded batch of others'), after the grace period, so no host job has to remember to purge
 * (EN-01: an abandoned step's record expires and goes).
 */
import { describe, expect, it } from 'vitest';
import type { PendingRecord } from '@factorkit/core';
import type { SqlStores } from '../src/index.js';
import { openFresh, targets } from './targets.js';

const NOW = 1_800_000_000_000;
const GRACE = 1000;
const EXPIRED_AT = NOW + 10;
let n = 0;

const step = (userId: string, createdAt: number, expiresAt: number): PendingRecord => ({
  id: `p${++n}`,
  kind: 'challenge',
  userId,
  providerId: 'p',
  payload: 'sealed',
  attempts: 0,
  createdAt,
  expiresAt,
});

/** Rows as an earlier version (or a burst before a quiet hour) left them, in one insert. */
async function insertExpired(s: SqlStores, users: string[]): Promise<void> {
  const rows = users.map((u) => step(u, NOW, EXPIRED_AT));
  await s.db
    .insertInto('factorkit_pending')
    .values(
      rows.map((r) => ({
        id: r.id,
        kind: r.kind,
        user_id: r.userId,
        provider_id: r.providerId,
        enrollment_id: null,
        payload: r.payload,
        attempts: r.attempts,
        created_at: r.createdAt,
        expires_at: r.expiresAt,
      })),
    )
    .execute();
}

async function countExpired(s: SqlStores): Promise<number> {
  const { n } = await s.db
    .selectFrom('factorkit_pending')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('expires_at', '<=', EXPIRED_AT)
    .executeTakeFirstOrThrow();
  return Number(n);
}

for (const t of targets) {
  describe.skipIf(t.skip)(`pending sweep on create, ${t.name}`, () => {
    it('removes every expired step of the creating user and at most 100 of others per create, after the grace, never a live one', async () => {
      const { s, cleanup } = await openFresh(t, { pendingGraceMs: GRACE });
      try {
        const p = s.stores.pending;
        await insertExpired(s, [
          ...Array.from({ length: 150 }, () => 'me'),
          ...Array.from({ length: 250 }, (_, i) => `other${i}`),
        ]);
        const live = step('other-live', NOW, NOW + 10 * 3_600_000);
        await p.create(live);
        // Within the grace: a late answer must still be told "expired", so nothing goes yet.
        const justAfter = EXPIRED_AT + GRACE - 1;
        await p.create(step('me', justAfter, justAfter + 300_000));
        expect(await countExpired(s)).toBe(400);

        const later = EXPIRED_AT + GRACE;
        await p.create(step('me', later, later + 300_000));
        // All 150 of "me" (more than one batch) and one batch of 100 others.
        expect(await countExpired(s)).toBe(150);
        await p.create(step('someone', later, later + 300_000));
        expect(await countExpired(s)).toBe(50);
        await p.create(step('someone', later, later + 300_000));
        expect(await countExpired(s)).toBe(0);
        expect(await p.peek(live.id)).toEqual({
          userId: 'other-live',
          kind: 'challenge',
          expiresAt: live.expiresAt,
        });
        expect(await p.deleteForUser('me')).toBe(2);
      } finally {
        await cleanup();
      }
    });
  });
}
