import assert from 'node:assert/strict';
import { DEFAULT_PENDING_GRACE_MS } from '../../store/types.js';
import { NOW, pending, storeCase, type StoreCase } from './fixtures.js';

const HOUR = 3_600_000;
/** Long enough past any expiry plus the default grace that every adapter must have dropped it. */
const LONG_AFTER = HOUR + DEFAULT_PENDING_GRACE_MS;

/**
 * Expired pending steps do not linger (EN-01: an abandoned activation's pending record
 * expires; FL-08: an expired challenge is refused), and the store cleans them up by itself on
 * the next create, so no host-side job is needed for them to go.
 */
export function pendingExpiryChecks(): StoreCase[] {
  return [
    storeCase(
      "pending: create drops the same user's long-expired steps and keeps the live ones, restored ones included (EN-01)",
      async (s) => {
        const expired = pending({ expiresAt: NOW + 1000 });
        const live = pending({ expiresAt: NOW + 10 * HOUR });
        const expiredActivation = pending({ kind: 'activation', expiresAt: NOW + 2000 });
        await s.pending.create(expired);
        await s.pending.create(live);
        await s.pending.create(expiredActivation);
        const taken = await s.pending.take(live.id, 'u1', 'challenge');
        assert.ok(taken);
        await s.pending.restore({ ...taken, attempts: 1 });
        const at = NOW + 2000 + LONG_AFTER;
        await s.pending.create(pending({ createdAt: at, expiresAt: at + 300_000 }));
        assert.equal(await s.pending.peek(expired.id), null);
        assert.equal(await s.pending.take(expired.id, 'u1', 'challenge'), null);
        assert.equal(await s.pending.peek(expiredActivation.id), null);
        assert.deepEqual(await s.pending.take(live.id, 'u1', 'challenge'), {
          ...live,
          attempts: 1,
        });
      },
    ),
    storeCase(
      'pending: a user who keeps starting steps and abandoning them keeps only the live one (EN-01)',
      async (s) => {
        let at = NOW;
        let last = pending();
        for (let i = 0; i < 40; i++) {
          last = pending({ createdAt: at, expiresAt: at + 300_000 });
          await s.pending.create(last);
          at += 300_000 + LONG_AFTER;
        }
        // Each step had expired long before the next was created: only the last one is left.
        assert.equal(await s.pending.deleteForUser('u1'), 1);
        assert.equal(await s.pending.peek(last.id), null);
      },
    ),
  ];
}
