/**
 * Revoking remembered devices (SECURITY.md FL-09, FL-11): one by one and all at once by the user,
 * on a password change by the host, by an admin reset and by any factor removal, each audited;
 * a reset or a removal landing while a device is being remembered leaves nothing behind.
 */
import { describe, expect, it } from 'vitest';
import type { TwoFactorUser } from '../src/index.js';
import { FakeClock, MemoryStore, onceBefore, testUser } from '../src/testing/index.js';
import { ClockCodeProvider } from './support/clock-code-provider.js';
import { SecondCodeProvider } from './support/second-code-provider.js';
import { clockHarness, type ClockHarness } from './support/setup.js';

const ADMIN = { actorId: 'admin-1', reason: 'Lost phone; identity checked' };

async function rememberNow(h: ClockHarness, user: TwoFactorUser) {
  const { challengeId } = await h.service.beginChallenge(user);
  const done = await h.service.completeChallenge(challengeId, user, h.code());
  if (done.ok !== true) throw new Error('sign-in did not complete');
  h.clock.advance(30_000);
  return h.service.rememberDevice(user, { secondFactorAt: done.at });
}

async function trustedUser(h: ClockHarness) {
  const user = testUser();
  await h.enroll(user);
  const device = await rememberNow(h, user);
  return { user, device };
}

const action = async (h: ClockHarness, user: TwoFactorUser, deviceToken: string) =>
  (await h.service.requirement(user, { deviceToken })).action;

describe('revoking remembered devices', () => {
  it('FL-11: the user revokes one device; another user’s device id is simply not found', async () => {
    const h = clockHarness();
    const a = await trustedUser(h);
    const second = await rememberNow(h, a.user);
    const b = await trustedUser(h);
    expect(await h.service.revokeTrustedDevice(b.user, a.device.deviceId)).toBe(false);
    expect(await action(h, a.user, a.device.token)).toBe('skip');
    expect(await h.service.revokeTrustedDevice(a.user, a.device.deviceId)).toBe(true);
    expect(await action(h, a.user, a.device.token)).toBe('challenge');
    expect(await action(h, a.user, second.token)).toBe('skip');
    expect(h.audit.ofType('device.revoked')).toEqual([
      expect.objectContaining({ userId: a.user.id, deviceId: a.device.deviceId, by: 'user' }),
    ]);
    await expect(h.service.revokeTrustedDevice(a.user, 'x'.repeat(65))).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });

  it('FL-11: the user revokes all devices at once', async () => {
    const h = clockHarness();
    const { user, device } = await trustedUser(h);
    const other = await rememberNow(h, user);
    expect(await h.service.revokeTrustedDevices(user)).toBe(2);
    for (const token of [device.token, other.token])
      expect(await action(h, user, token)).toBe('challenge');
    expect(h.audit.ofType('device.revoked')).toEqual([
      expect.objectContaining({ count: 2, by: 'user' }),
    ]);
  });

  it('FL-11: a password change the host reports revokes every device of that user only', async () => {
    const h = clockHarness();
    const a = await trustedUser(h);
    const b = await trustedUser(h);
    expect(await h.service.passwordChanged(a.user)).toBe(1);
    expect(await action(h, a.user, a.device.token)).toBe('challenge');
    expect(await action(h, b.user, b.device.token)).toBe('skip');
    expect(h.audit.ofType('device.revoked')).toEqual([
      expect.objectContaining({ userId: a.user.id, count: 1, by: 'password-change' }),
    ]);
  });

  it('FL-11: an admin reset revokes them, and says how many; re-enrolling does not revive them', async () => {
    const h = clockHarness();
    const { user, device } = await trustedUser(h);
    expect(await h.service.adminReset(ADMIN, user)).toEqual({
      enrollmentsRemoved: 1,
      devicesRevoked: 1,
    });
    expect(h.audit.ofType('admin.reset')).toEqual([expect.objectContaining({ devicesRevoked: 1 })]);
    expect(h.audit.ofType('device.revoked')).toEqual([
      expect.objectContaining({ count: 1, by: 'admin' }),
    ]);
    await h.enroll(user);
    expect(await action(h, user, device.token)).toBe('challenge');
  });

  it('FL-11: removing a factor revokes every remembered device of the user', async () => {
    const clock = new FakeClock();
    const h = clockHarness({
      clock,
      providers: [ClockCodeProvider, new SecondCodeProvider(clock)],
    });
    const { user, device } = await trustedUser(h);
    const two = await h.service.beginActivation(user, 'clock-two');
    await h.service.completeActivation(two.activationId, user, h.code());
    h.clock.advance(30_000);
    await h.service.disable(user, 'clock-two');
    expect(await action(h, user, device.token)).toBe('challenge');
    expect(h.audit.ofType('device.revoked')).toEqual([
      expect.objectContaining({ count: 1, by: 'factor-removed' }),
    ]);
  });

  it('FL-11: a reset landing between the step-up and the store leaves no device behind', async () => {
    const base = new MemoryStore();
    const seam = onceBefore(base, 'enrollments', 'trustDevice');
    const h = clockHarness({ stores: seam.stores });
    const user = testUser();
    await h.enroll(user);
    const { challengeId } = await h.service.beginChallenge(user);
    const done = await h.service.completeChallenge(challengeId, user, h.code());
    if (done.ok !== true) throw new Error('sign-in did not complete');
    // The administrator resets the account and the user enrolls again meanwhile: a factor
    // exists when the device is stored, but the generation the remembering began with is gone.
    seam.arm(async () => {
      await h.service.adminReset(ADMIN, user);
      await h.enroll(user);
    });
    await expect(h.service.rememberDevice(user, { secondFactorAt: done.at })).rejects.toMatchObject(
      { code: 'POLICY_DENIED' },
    );
    expect(await base.enrollments.listTrustedDevices(user.id)).toEqual([]);
    expect(h.audit.ofType('device.remembered')).toEqual([]);
  });

  it('FL-11: a password change landing between the step-up and the store leaves no device behind', async () => {
    const base = new MemoryStore();
    const seam = onceBefore(base, 'enrollments', 'trustDevice');
    const h = clockHarness({ stores: seam.stores });
    const user = testUser();
    await h.enroll(user);
    const { challengeId } = await h.service.beginChallenge(user);
    const done = await h.service.completeChallenge(challengeId, user, h.code());
    if (done.ok !== true) throw new Error('sign-in did not complete');
    seam.arm(() => h.service.passwordChanged(user));
    await expect(h.service.rememberDevice(user, { secondFactorAt: done.at })).rejects.toMatchObject(
      { code: 'POLICY_DENIED' },
    );
    expect(await base.enrollments.listTrustedDevices(user.id)).toEqual([]);
  });

  it('BF-01: a locked account is not let in by a remembered device; after the unlock it is', async () => {
    const h = clockHarness({ policy: { throttle: { maxFailures: 3, freeFailures: 3 } } });
    const { user, device } = await trustedUser(h);
    for (let i = 0; i < 3; i++) {
      const { challengeId } = await h.service.beginChallenge(user);
      await h.service.completeChallenge(challengeId, user, '000000').catch(() => undefined);
    }
    expect((await h.service.throttleStatus(user)).locked).toBe(true);
    expect(await action(h, user, device.token)).toBe('challenge');
    expect(h.audit.ofType('device.rejected').at(-1)).toMatchObject({ why: 'locked' });
    await h.service.adminUnlock(ADMIN, user);
    expect(await action(h, user, device.token)).toBe('skip');
  });

  it('FL-09: the device label is held to the rules of a factor name (no bidi override)', async () => {
    const h = clockHarness();
    const user = testUser();
    await h.enroll(user);
    const { challengeId } = await h.service.beginChallenge(user);
    const done = await h.service.completeChallenge(challengeId, user, h.code());
    if (done.ok !== true) throw new Error('sign-in did not complete');
    const ua = 'Evil\u202ExoferiF/1.0 (X11; Linux x86_64)';
    const remembered = await h.service.rememberDevice(
      user,
      { secondFactorAt: done.at },
      { userAgent: ua },
    );
    expect(remembered.label ?? '').not.toMatch(/[\u202A-\u202E\u2066-\u2069]/u);
  });

  it('FL-09: a device is never remembered for a user without a factor', async () => {
    const h = clockHarness();
    const user = testUser();
    await expect(
      h.service.rememberDevice(user, { secondFactorAt: h.clock.now() }),
    ).rejects.toMatchObject({ code: 'NOT_ENROLLED' });
    expect(await h.service.listTrustedDevices(user)).toEqual([]);
  });
});
