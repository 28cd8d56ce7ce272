// An admin reset ends a Duo enrollment push that is being polled at that moment (EN-05): the
// poll's step is put back after the reset ran, yet the push, approved later, binds nothing.
// Against the emulator over real HTTPS, through core's TwoFactorService.
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryStore } from '@factorkit/core';
import { onceBefore } from '@factorkit/core/testing';
import { duoHarness, duoUser, legacySettings, startEmulator } from './support/duo-test-kit.js';

const emu = await startEmulator({ users: [{ username: 'rita', devices: [{ name: 'Pixel' }] }] });
afterAll(() => emu.stop());

describe('a reset during a polled Duo enrollment push', () => {
  it('EN-05: the push approved after the reset binds no factor', async () => {
    const gate = onceBefore(new MemoryStore(), 'pending', 'restore');
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
