/**
 * The answer names a rejected remembered-device token (SECURITY.md FL-09, FL-11): a host keeps
 * the token in a cookie, and must learn that the cookie is dead (tampered, another user's,
 * revoked, expired, turned off) to drop it, while the answer stays the normal challenge and the
 * rejection is audited. A valid token, or none, carries no such mark.
 */
import { describe, expect, it } from 'vitest';
import type { Requirement, TwoFactorUser } from '../src/index.js';
import { testUser } from '../src/testing/index.js';
import { clockHarness, type ClockHarness } from './support/setup.js';

const DAY = 86_400_000;

async function trusted(h: ClockHarness, user: TwoFactorUser = testUser()) {
  await h.enroll(user);
  const { challengeId } = await h.service.beginChallenge(user);
  const done = await h.service.completeChallenge(challengeId, user, h.code());
  if (done.ok !== true) throw new Error('sign-in did not complete');
  const device = await h.service.rememberDevice(user, { secondFactorAt: done.at });
  return { user, token: device.token, deviceId: device.deviceId };
}

function rejection(answer: Requirement): string | undefined {
  return answer.action === 'challenge'
    ? answer.deviceRejected
    : `not a challenge: ${answer.action}`;
}

describe('a rejected device token is named in the answer', () => {
  it('FL-09: a tampered token and another user’s token are rejected as unknown, audited', async () => {
    const h = clockHarness();
    const a = await trusted(h);
    const b = await trusted(h);
    const flipped = (a.token[0] === 'A' ? 'B' : 'A') + a.token.slice(1);
    expect(rejection(await h.service.requirement(a.user, { deviceToken: flipped }))).toBe(
      'unknown',
    );
    expect(rejection(await h.service.requirement(a.user, { deviceToken: b.token }))).toBe(
      'unknown',
    );
    expect(h.audit.ofType('device.rejected')).toEqual([
      expect.objectContaining({ userId: a.user.id, why: 'unknown' }),
      expect.objectContaining({ userId: a.user.id, why: 'unknown' }),
    ]);
    // Neither attempt harmed the owners' devices.
    expect(await h.service.requirement(b.user, { deviceToken: b.token })).toEqual({
      action: 'skip',
      reason: 'trusted-device',
      deviceId: b.deviceId,
    });
  });

  it('FL-11: a revoked token and one from before a password change are rejected', async () => {
    const h = clockHarness();
    const one = await trusted(h);
    await h.service.revokeTrustedDevice(one.user, one.deviceId);
    expect(rejection(await h.service.requirement(one.user, { deviceToken: one.token }))).toBe(
      'unknown',
    );
    const two = await trusted(h);
    await h.service.passwordChanged(two.user);
    expect(rejection(await h.service.requirement(two.user, { deviceToken: two.token }))).toBe(
      'unknown',
    );
  });

  it('FL-09: a turned-off setting and a token expired by a shorter one say so', async () => {
    const h = clockHarness();
    const { user, token } = await trusted(h);
    const withDays = (days: number) =>
      clockHarness({
        stores: h.stores,
        clock: h.clock,
        policy: { audiences: { client: { rememberDeviceDays: days } } },
      });
    expect(rejection(await withDays(0).service.requirement(user, { deviceToken: token }))).toBe(
      'disabled',
    );
    h.clock.advance(8 * DAY);
    expect(rejection(await withDays(7).service.requirement(user, { deviceToken: token }))).toBe(
      'expired',
    );
    // Past its own absolute expiry the store no longer finds it.
    h.clock.advance(30 * DAY);
    expect(rejection(await h.service.requirement(user, { deviceToken: token }))).toBe('unknown');
  });

  it('FL-09: no token and a good token carry no rejection', async () => {
    const h = clockHarness();
    const { user, token } = await trusted(h);
    const plain = await h.service.requirement(user);
    expect(plain.action).toBe('challenge');
    expect(Object.hasOwn(plain, 'deviceRejected')).toBe(false);
    expect((await h.service.requirement(user, { deviceToken: token })).action).toBe('skip');
    expect(h.audit.ofType('device.rejected')).toEqual([]);
  });
});

describe('whether remembering is offered', () => {
  it('FL-09: rememberDeviceDays is the audience setting, 0 where it is off', () => {
    const on = clockHarness();
    expect(on.service.rememberDeviceDays(testUser())).toBe(30);
    const off = clockHarness({ policy: { audiences: { client: { rememberDeviceDays: 0 } } } });
    expect(off.service.rememberDeviceDays(testUser())).toBe(0);
  });
});
