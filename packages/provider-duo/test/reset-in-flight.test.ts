// An admin reset ends a Duo enrollment push that is being polled at that moment (EN-05): the
// poll's step is put back after the reset ran, yet the push, approved later, binds nothing.
// Against the emulator over real HTTPS, through core's TwoFactorService.
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryStore, type FactorkitStores } from '@factorkit/core';
import { duoHarness, duoUser, legacySettings, startEmulator } from './support/duo-test-kit.js';

const emu = await startEmulator({ users: [{ username: 'rita', devices: [{ name: 'Pixel' }] }] });
afterAll(() => emu.stop());

/** Memory stores whose next `pending.restore` first runs `during` (the reset, "meanwhile"). */
function gatedRestore(inner: MemoryStore) {
  let during: (() => Promise<unknown>) | undefined;
  const pending = new Proxy(inner.pending, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (prop !== 'restore' || typeof v !== 'function') return v;
      return async (...args: unknown[]) => {
        const run = during;
        during = undefined;
        await run?.();
        return (v as (...a: unknown[]) => Promise<unknown>).apply(target, args);
      };
    },
  });
  const stores: FactorkitStores = {
    ...inner,
    enrollments: inner.enrollments,
    throttle: inner.throttle,
    pending,
  };
  return { stores, arm: (fn: () => Promise<unknown>) => (during = fn) };
}

describe('a reset during a polled Duo enrollment push', () => {
  it('EN-05: the push approved after the reset binds no factor', async () => {
    const gate = gatedRestore(new MemoryStore());
    const h = duoHarness(legacySettings(emu, { factor: 'push' }), { stores: gate.stores });
    const user = duoUser('rita');
    const started = await h.service.beginActivation(user, 'duo');
    expect(started.prompt.kind).toBe('push-wait');
    expect(emu.pushes.pending().filter((t) => t.username === 'rita')).toHaveLength(1);

    // The poll long-polls Duo; while it is out, an administrator resets the user.
    gate.arm(() => h.service.adminReset({ actorId: 'admin-1', reason: 'lost phone' }, user));
    await expect(
      h.service.completeActivation(started.activationId, user, { poll: true }),
    ).rejects.toMatchObject({ code: 'CHALLENGE_NOT_FOUND' });
    expect(h.audit.ofType('admin.reset')).toHaveLength(1);

    // The old push is approved on the phone afterwards: nothing may come of it.
    for (const tx of emu.pushes.pending())
      if (tx.username === 'rita') emu.pushes.answer(tx.txid, 'approve');
    await expect(
      h.service.completeActivation(started.activationId, user, { poll: true }),
    ).rejects.toMatchObject({ code: 'CHALLENGE_NOT_FOUND' });
    expect(await h.service.listEnrollments(user)).toHaveLength(0);
    expect(h.audit.ofType('activated')).toHaveLength(0);
  });
});
