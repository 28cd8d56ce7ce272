// A TOTP activation whose right code is being committed on one instance while an administrator
// resets the user on another binds nothing (EN-05): nothing begun before a reset completes after it.
import { describe, expect, it } from 'vitest';
import { onceBefore, testUser } from '@factorkit/core/testing';
import { appCode, enrollmentOf, instance, shared } from './helpers.js';

describe('an admin reset during a TOTP activation', () => {
  it('EN-05: the authenticator app code confirmed across the reset binds no factor and no codes', async () => {
    const s = shared();
    const admin = instance(s);
    // The user's instance: its store runs the other instance's reset right before the commit.
    const gate = onceBefore(s.stores, 'enrollments', 'activate');
    const userSide = instance({ ...s, stores: gate.stores as typeof s.stores });
    const user = testUser();
    const started = await userSide.service.beginActivation(user, 'totp');
    const code = appCode(enrollmentOf(started.prompt), s.clock.now());
    gate.arm(() => admin.service.adminReset({ actorId: 'admin-1', reason: 'lost phone' }, user));
    await expect(
      userSide.service.completeActivation(started.activationId, user, code),
    ).rejects.toMatchObject({ code: 'CHALLENGE_NOT_FOUND' });
    expect(await admin.service.listEnrollments(user)).toHaveLength(0);
    expect((await admin.service.recoveryCodeStatus(user)).remaining).toBe(0);
    expect(await admin.service.requirement(user)).toEqual({
      action: 'skip',
      reason: 'not-required',
    });
  });
});
