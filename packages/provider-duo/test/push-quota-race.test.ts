// Eight sign-ins at once, right after the user's push slot ended, send one Duo push (BF-05,
// CC-03). Through core's TwoFactorService against the emulator over HTTPS, on stores that answer
// late as a shared database under load does (every call waits a little, a delete waits longer):
// the quota take must be one atomic store operation. The previous inspect, reset, then reserve
// let each sign-in's late reset wipe the unit another had just taken: 8 pushes.
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryStore } from '@factorkit/core';
import { interceptStores } from '@factorkit/core/testing';
import {
  duoHarness,
  duoUser,
  legacySettings,
  pollUntilDone,
  startEmulator,
} from './support/duo-test-kit.js';

const emu = await startEmulator({ users: [{ username: 'quinn', devices: [{ name: 'Pixel' }] }] });
afterAll(() => emu.stop());

/** Memory stores whose throttle calls wait 0 to 3 ms first, like a round trip, and deletes 30 ms. */
const laggy = (inner: MemoryStore) =>
  interceptStores(inner, async ({ store, method }) => {
    if (store !== 'throttle') return;
    const slow = method === 'reset' || method === 'releaseQuota';
    await new Promise((r) => setTimeout(r, slow ? 30 : Math.random() * 3));
  });

describe('the push slot under parallel sign-ins', () => {
  it('BF-05, CC-03: 8 parallel sign-ins right after the slot ended send exactly one push', async () => {
    const h = duoHarness(legacySettings(emu, { factor: 'push' }), {
      stores: laggy(new MemoryStore()),
    });
    const user = duoUser('quinn');
    const act = await h.service.beginActivation(user, 'duo');
    for (const tx of emu.pushes.pending()) emu.pushes.answer(tx.txid, 'approve');
    const done = await pollUntilDone(() =>
      h.service.completeActivation(act.activationId, user, { poll: true }),
    );
    expect(done.ok).toBe(true);

    // A push goes out and is never answered: the slot is taken until it surely ended at Duo.
    await h.service.beginChallenge(user, 'duo');
    const before = emu.counters.count('/auth/v2/auth', 'quinn');
    h.clock.advance(150_000);
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, () => h.service.beginChallenge(user, 'duo')),
    );
    const sent = emu.counters.count('/auth/v2/auth', 'quinn') - before;
    expect(sent).toBe(1);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results.filter((x) => x.status === 'rejected'))
      expect(r.reason).toMatchObject({ code: 'PUSH_RATE_LIMITED' });
  });
});
