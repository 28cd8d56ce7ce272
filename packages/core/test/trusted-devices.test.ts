/**
 * "Remember this device" (SECURITY.md FL-09, FL-10): a device token lets a user skip the second
 * factor after the password, only for that user, only until its absolute expiry under the
 * audience's current setting, and only where the answer would otherwise be a challenge.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { FactorkitError, SecondFactorSuccess, TwoFactorUser } from '../src/index.js';
import { interceptStores, MemoryStore, testUser } from '../src/testing/index.js';
import { clockHarness, type ClockHarness } from './support/setup.js';

const DAY = 86_400_000;
const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';

async function signIn(h: ClockHarness, user: TwoFactorUser): Promise<SecondFactorSuccess> {
  const { challengeId } = await h.service.beginChallenge(user);
  const result = await h.service.completeChallenge(challengeId, user, h.code());
  if (result.ok !== true) throw new Error('sign-in did not complete');
  return result;
}

/** An enrolled user who just passed the second factor and remembered this device. */
async function remembered(h: ClockHarness, user = testUser()) {
  await h.enroll(user);
  const { at } = await signIn(h, user);
  const device = await h.service.rememberDevice(
    user,
    { secondFactorAt: at },
    { userAgent: FIREFOX },
  );
  return { user, device, token: device.token };
}

const skipFor = (deviceId: string) => ({ action: 'skip', reason: 'trusted-device', deviceId });

describe('remembering a device', () => {
  it('FL-09: a remembered device skips the challenge for its user; only the hash is stored', async () => {
    const h = clockHarness();
    const { user, device, token } = await remembered(h);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(device).toEqual({
      token,
      deviceId: expect.any(String) as string,
      expiresAt: h.clock.now() + 30 * DAY,
      label: 'Firefox on Linux',
    });
    const stored = await h.stores.enrollments.listTrustedDevices(user.id);
    expect(stored).toHaveLength(1);
    expect(stored[0]!.tokenHash).toBe(createHash('sha256').update(token).digest('hex'));
    expect(JSON.stringify(stored)).not.toContain(token);
    expect(await h.service.requirement(user, { deviceToken: token })).toEqual(
      skipFor(device.deviceId),
    );
    expect(h.audit.ofType('device.remembered')).toEqual([
      expect.objectContaining({ userId: user.id, deviceId: device.deviceId }),
    ]);
    expect(h.audit.ofType('device.trusted')).toEqual([
      expect.objectContaining({ userId: user.id, deviceId: device.deviceId }),
    ]);
    // Without the token it is a normal sign-in, and the user's list shows no secret.
    expect(await h.service.requirement(user)).toMatchObject({ action: 'challenge' });
    const listed = await h.service.listTrustedDevices(user);
    expect(listed).toEqual([
      {
        id: device.deviceId,
        label: 'Firefox on Linux',
        createdAt: expect.any(Number) as number,
        lastUsedAt: expect.any(Number) as number,
        expiresAt: device.expiresAt,
      },
    ]);
  });

  it('FL-09: an unforced skip says `not-required`, so hosts can tell it from a trusted device', async () => {
    const h = clockHarness();
    expect(await h.service.requirement(testUser())).toEqual({
      action: 'skip',
      reason: 'not-required',
    });
  });

  it('FL-09: a forged token, or another user’s token, gets the normal challenge', async () => {
    const h = clockHarness();
    const a = await remembered(h);
    const b = testUser();
    await h.enroll(b);
    const forged = Buffer.alloc(32, 7).toString('base64url');
    expect(await h.service.requirement(a.user, { deviceToken: forged })).toMatchObject({
      action: 'challenge',
    });
    expect(await h.service.requirement(b, { deviceToken: a.token })).toMatchObject({
      action: 'challenge',
    });
    expect(h.audit.ofType('device.rejected')).toEqual([
      expect.objectContaining({ userId: a.user.id, why: 'unknown' }),
      expect.objectContaining({ userId: b.id, why: 'unknown' }),
    ]);
    // Trying it for B neither used nor harmed A's device.
    expect(await h.service.requirement(a.user, { deviceToken: a.token })).toEqual(
      skipFor(a.device.deviceId),
    );
  });

  it('FL-09: the expiry is absolute: use does not extend it, and at it the token is gone', async () => {
    const h = clockHarness();
    const { user, device, token } = await remembered(h);
    h.clock.set(device.expiresAt - 1);
    expect(await h.service.requirement(user, { deviceToken: token })).toEqual(
      skipFor(device.deviceId),
    );
    h.clock.set(device.expiresAt);
    expect(await h.service.requirement(user, { deviceToken: token })).toMatchObject({
      action: 'challenge',
    });
    expect(await h.service.listTrustedDevices(user)).toEqual([]);
  });

  it('FL-09: lowering rememberDeviceDays shortens tokens already issued; 0 ignores them', async () => {
    const h = clockHarness();
    const { user, token } = await remembered(h);
    const lowered = (days: number) =>
      clockHarness({
        stores: h.stores,
        clock: h.clock,
        policy: { audiences: { client: { rememberDeviceDays: days } } },
      });
    h.clock.advance(3 * DAY);
    const off = lowered(0);
    expect(await off.service.requirement(user, { deviceToken: token })).toMatchObject({
      action: 'challenge',
    });
    expect(off.audit.ofType('device.rejected')).toEqual([
      expect.objectContaining({ why: 'disabled' }),
    ]);
    const week = lowered(7);
    expect(await week.service.requirement(user, { deviceToken: token })).toMatchObject({
      action: 'skip',
    });
    h.clock.advance(4 * DAY);
    expect(await week.service.requirement(user, { deviceToken: token })).toMatchObject({
      action: 'challenge',
    });
    expect(week.audit.ofType('device.rejected')).toEqual([
      expect.objectContaining({ why: 'expired' }),
    ]);
    // Expired for good: raising the setting again does not bring it back.
    expect(await h.service.requirement(user, { deviceToken: token })).toMatchObject({
      action: 'challenge',
    });
  });

  it('FL-09: a malformed or huge token is not trusted, never an error, and never reaches the store', async () => {
    const calls: string[] = [];
    const base = new MemoryStore();
    const h = clockHarness({
      stores: interceptStores(base, (c) => void calls.push(c.method)),
    });
    const { user, token } = await remembered(h);
    calls.length = 0;
    const bad: unknown[] = [
      'x'.repeat(10_000_000),
      token.slice(0, 42),
      token + 'A',
      token.slice(0, 42) + '+',
      token.slice(0, 42) + '\u0000',
      '',
      42,
      { token },
      null,
    ];
    for (const deviceToken of bad) {
      const answer = await h.service.requirement(user, { deviceToken } as { deviceToken: string });
      expect(answer).toMatchObject({ action: 'challenge' });
    }
    expect(calls).not.toContain('useTrustedDevice');
    expect(h.audit.ofType('device.rejected')).toHaveLength(bad.length);
  });

  it('FL-09: never for enroll, grace or deny, nor for a user left with recovery codes only', async () => {
    for (const notEnrolled of ['enroll', 'grace', 'deny']) {
      const h = clockHarness({ policy: { audiences: { client: { force: true, notEnrolled } } } });
      const user = testUser();
      const answer = await h.service.requirement(user, { deviceToken: 'A'.repeat(43) });
      expect(answer.action).toBe(notEnrolled);
      expect(h.audit.ofType('device.rejected')).toEqual([]);
    }
    // A real token, but the user's factor is no longer offered to the audience.
    const h = clockHarness();
    const { user, token } = await remembered(h);
    const elsewhere = clockHarness({
      stores: h.stores,
      clock: h.clock,
      policy: { audiences: { client: { providers: [] } } },
    });
    expect(await elsewhere.service.requirement(user, { deviceToken: token })).toEqual({
      action: 'challenge',
      providers: [],
      factors: [],
      recoveryCodes: 10,
    });
  });
});

describe('what remembering needs', () => {
  it('FL-09: a recent second factor: none, a stale or future one, or a fail-open grant is refused', async () => {
    const h = clockHarness({ settings: { 'clock-code': { failOpenAudiences: ['client'] } } });
    const user = testUser();
    await h.enroll(user);
    const { at } = await signIn(h, user);
    const refused = async (secondFactorAt: number | undefined) =>
      (
        (await h.service
          .rememberDevice(user, { secondFactorAt })
          .catch((e: unknown) => e)) as FactorkitError
      ).code;
    expect(await refused(undefined)).toBe('STEP_UP_REQUIRED');
    expect(await refused(at + 60_000)).toBe('STEP_UP_REQUIRED');
    h.clock.advance(601_000);
    expect(await refused(at)).toBe('STEP_UP_REQUIRED');
    // During an outage the user is let in without a factor: that is no step-up.
    h.provider.healthy = false;
    h.provider.behaviour = { kind: 'unavailable' };
    const outage = (await h.service
      .beginChallenge(user)
      .catch((e: unknown) => e)) as FactorkitError;
    const granted = await h.service.failOpen(outage.details['challengeId'] as string, user);
    expect(await refused(granted.at)).toBe('STEP_UP_REQUIRED');
    expect(h.audit.ofType('step-up.refused').map((e) => e.action)).toEqual(
      Array(4).fill('trust-device'),
    );
    expect(await h.stores.enrollments.listTrustedDevices(user.id)).toEqual([]);
  });

  it('FL-09: off for the admin audience unless its config turns it on', async () => {
    const h = clockHarness();
    const admin = testUser({ audience: 'admin' });
    await h.enroll(admin);
    const { at } = await signIn(h, admin);
    await expect(h.service.rememberDevice(admin, { secondFactorAt: at })).rejects.toMatchObject({
      code: 'POLICY_DENIED',
    });
    expect(h.config.policy.audiences['admin']!.rememberDeviceDays).toBe(0);
    expect(h.config.policy.audiences['client']!.rememberDeviceDays).toBe(30);
    // An admin audience configured for other reasons still leaves it off.
    const forced = clockHarness({ policy: { audiences: { admin: { force: true } } } });
    expect(forced.config.policy.audiences['admin']!.rememberDeviceDays).toBe(0);
    const on = clockHarness({ policy: { audiences: { admin: { rememberDeviceDays: 1 } } } });
    const { device } = await remembered(on, testUser({ audience: 'admin' }));
    expect(device.expiresAt).toBe(on.clock.now() + DAY);
  });

  it('FL-09: the settings are checked: days 0..365, devices 1..50', () => {
    for (const bad of [
      { rememberDeviceDays: -1 },
      { rememberDeviceDays: 366 },
      { rememberDeviceDays: 1.5 },
      { maxRememberedDevices: 0 },
      { maxRememberedDevices: 51 },
    ]) {
      expect(() => clockHarness({ policy: { audiences: { client: bad } } })).toThrow(
        new RegExp(Object.keys(bad)[0]!),
      );
    }
  });

  it('FL-10: past maxRememberedDevices the least recently used device is forgotten', async () => {
    const h = clockHarness({ policy: { audiences: { client: { maxRememberedDevices: 2 } } } });
    const first = await remembered(h);
    const user = first.user;
    const at = h.clock.now();
    const second = await h.service.rememberDevice(user, { secondFactorAt: at });
    h.clock.advance(1000);
    expect(await h.service.requirement(user, { deviceToken: first.token })).toMatchObject({
      action: 'skip',
    });
    h.clock.advance(1000);
    const third = await h.service.rememberDevice(user, { secondFactorAt: at });
    for (const [token, action] of [
      [first.token, 'skip'],
      [second.token, 'challenge'],
      [third.token, 'skip'],
    ] as const) {
      expect((await h.service.requirement(user, { deviceToken: token })).action).toBe(action);
    }
  });

  it('FL-09: the label is short printable text, or null for an unknown agent', async () => {
    const h = clockHarness();
    const user = testUser();
    await h.enroll(user);
    const { at } = await signIn(h, user);
    const label = async (userAgent: string | undefined) =>
      (await h.service.rememberDevice(user, { secondFactorAt: at }, { userAgent })).label;
    expect(await label(undefined)).toBeNull();
    expect(await label('\u0000\u0007')).toBeNull();
    const odd = await label('Mozilla/5.0 (' + 'Z'.repeat(5000) + ') Chrome/130.0 Safari/537.36');
    // eslint-disable-next-line no-control-regex
    expect(odd === null || (odd.length <= 64 && !/[\u0000-\u001f]/.test(odd))).toBe(true);
  });
});
