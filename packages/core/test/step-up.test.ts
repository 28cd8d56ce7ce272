/**
 * Step-up (ASVS 7.5.1 re-authentication, SECURITY.md FL-06): every second-factor success says
 * when it happened, and factor management needs that time to be recent where policy says so.
 */
import { describe, expect, it } from 'vitest';
import type { SecondFactorSuccess, TwoFactorUser } from '../src/index.js';
import { testUser } from '../src/testing/index.js';
import { clockHarness, type ClockHarness } from './support/setup.js';

const STEP_UP = { audiences: { client: { requireStepUp: true, stepUpSeconds: 300 } } };

/** A full sign-in with the code valid now; the clock moves one step on so the next is fresh. */
async function signIn(h: ClockHarness, user: TwoFactorUser): Promise<SecondFactorSuccess> {
  const { challengeId } = await h.service.beginChallenge(user);
  const result = await h.service.completeChallenge(challengeId, user, h.code());
  if (result.ok !== true) throw new Error('sign-in did not complete');
  h.clock.advance(30_000);
  return result;
}

/** What a refused call must leave as it was: factors, codes and the audit trail's changes. */
async function snapshot(h: ClockHarness, user: TwoFactorUser) {
  return {
    enrollments: await h.service.listEnrollments(user),
    codes: await h.service.recoveryCodeStatus(user),
    changes: h.audit.events.filter((e) => ['deactivated', 'recovery.regenerated'].includes(e.type))
      .length,
  };
}

describe('the time of a success', () => {
  it('completeChallenge and useRecoveryCode report `at` from core clock', async () => {
    const h = clockHarness();
    const user = testUser();
    const codes = await h.enroll(user);
    const now = h.clock.now();
    expect((await signIn(h, user)).at).toBe(now);
    expect((await h.service.useRecoveryCode(user, codes[0])).at).toBe(h.clock.now());
  });
});

describe('isRecentSecondFactor', () => {
  it('is recent up to exactly stepUpSeconds, stale one millisecond later', async () => {
    const h = clockHarness({ policy: STEP_UP });
    const user = testUser();
    await h.enroll(user);
    const { at } = await signIn(h, user);
    h.clock.set(at + 300_000);
    expect(h.service.isRecentSecondFactor(user, at)).toEqual({
      recent: true,
      maxAgeSeconds: 300,
      age: 300,
    });
    h.clock.set(at + 300_001);
    expect(h.service.isRecentSecondFactor(user, at)).toMatchObject({ recent: false, age: 300 });
  });

  it('a missing, malformed or future time is not recent', () => {
    const h = clockHarness({ policy: STEP_UP });
    const user = testUser();
    const now = h.clock.now();
    expect(h.service.isRecentSecondFactor(user, undefined)).toEqual({
      recent: false,
      maxAgeSeconds: 300,
      age: null,
    });
    for (const bad of [Number.NaN, Infinity, now + 0.5, String(now)]) {
      expect(h.service.isRecentSecondFactor(user, bad as number).recent).toBe(false);
    }
    expect(h.service.isRecentSecondFactor(user, now + 1)).toMatchObject({ recent: false });
    expect(h.service.isRecentSecondFactor(user, now).recent).toBe(true);
  });

  it('uses the 600 s default window when the policy sets none', () => {
    const h = clockHarness();
    const user = testUser();
    expect(h.service.isRecentSecondFactor(user, h.clock.now() - 600_000)).toMatchObject({
      recent: true,
      maxAgeSeconds: 600,
    });
  });
});

describe('factor management with requireStepUp', () => {
  const refusals: [string, (h: ClockHarness) => number | undefined, string][] = [
    ['a missing time', () => undefined, 'missing'],
    ['a stale time', (h) => h.clock.now() - 300_001, 'stale'],
    ['a future time', (h) => h.clock.now() + 60_000, 'future'],
  ];

  it.each(refusals)(
    'disable with %s is STEP_UP_REQUIRED, audited, and changes nothing',
    async (_, when, refusal) => {
      const h = clockHarness({ policy: STEP_UP });
      const user = testUser();
      await h.enroll(user);
      const before = await snapshot(h, user);
      const secondFactorAt = when(h);
      await expect(h.service.disable(user, 'clock-code', { secondFactorAt })).rejects.toMatchObject(
        {
          name: 'StepUpRequiredError',
          code: 'STEP_UP_REQUIRED',
          details: { maxAgeSeconds: 300, refusal },
        },
      );
      await expect(h.service.disable(user, 'clock-code')).rejects.toMatchObject({
        code: 'STEP_UP_REQUIRED',
      });
      expect(await snapshot(h, user)).toEqual(before);
      expect(h.audit.ofType('step-up.refused')[0]).toMatchObject({
        userId: user.id,
        action: 'disable',
        refusal,
        maxAgeSeconds: 300,
      });
    },
  );

  it.each(refusals)(
    'regenerateRecoveryCodes with %s is refused and the old codes still work',
    async (_, when, refusal) => {
      const h = clockHarness({ policy: STEP_UP });
      const user = testUser();
      const codes = await h.enroll(user);
      const before = await snapshot(h, user);
      await expect(
        h.service.regenerateRecoveryCodes(user, { secondFactorAt: when(h) }),
      ).rejects.toMatchObject({ code: 'STEP_UP_REQUIRED', details: { refusal } });
      expect(await snapshot(h, user)).toEqual(before);
      expect(h.audit.ofType('step-up.refused')).toHaveLength(1);
      expect((await h.service.useRecoveryCode(user, codes[0])).ok).toBe(true);
    },
  );

  it('a time exactly at the limit is accepted; the factor is removed', async () => {
    const h = clockHarness({ policy: STEP_UP });
    const user = testUser();
    await h.enroll(user);
    const { at } = await signIn(h, user);
    h.clock.set(at + 300_000);
    await h.service.disable(user, 'clock-code', { secondFactorAt: at });
    expect(await h.service.listEnrollments(user)).toEqual([]);
    expect(h.audit.ofType('step-up.refused')).toEqual([]);
  });

  it('a recent time lets regenerateRecoveryCodes issue a new set', async () => {
    const h = clockHarness({ policy: STEP_UP });
    const user = testUser();
    const old = await h.enroll(user);
    const { at } = await signIn(h, user);
    const fresh = await h.service.regenerateRecoveryCodes(user, { secondFactorAt: at });
    expect(fresh).toHaveLength(10);
    await expect(h.service.useRecoveryCode(user, old[0])).rejects.toMatchObject({
      code: 'INVALID_CODE',
    });
  });

  it("another user's fresh success does not stand in for this user's stale session", async () => {
    const h = clockHarness({ policy: STEP_UP });
    const alice = testUser();
    const bob = testUser();
    await h.enroll(alice);
    await h.enroll(bob);
    const bobs = await signIn(h, bob);
    h.clock.advance(301_000);
    await signIn(h, alice); // alice passes her factor now; bob's session time is what counts
    await expect(
      h.service.disable(bob, 'clock-code', { secondFactorAt: bobs.at }),
    ).rejects.toMatchObject({ code: 'STEP_UP_REQUIRED', details: { refusal: 'stale' } });
    await expect(h.service.disable(bob, 'clock-code')).rejects.toMatchObject({
      code: 'STEP_UP_REQUIRED',
    });
    expect(await h.service.listEnrollments(bob)).toHaveLength(1);
  });

  it('without requireStepUp the existing calls work with no time at all', async () => {
    const h = clockHarness();
    const user = testUser();
    await h.enroll(user);
    expect(await h.service.regenerateRecoveryCodes(user)).toHaveLength(10);
    await h.service.disable(user, 'clock-code', { secondFactorAt: h.clock.now() - 86_400_000 });
    expect(await h.service.listEnrollments(user)).toEqual([]);
  });
});

describe('requireRecentSecondFactor (trusting a device, host actions)', () => {
  it('enforces the window even where requireStepUp is off, and audits the refusal', async () => {
    const h = clockHarness();
    const user = testUser();
    await h.enroll(user);
    await expect(
      h.service.requireRecentSecondFactor(
        user,
        { secondFactorAt: h.clock.now() - 600_001 },
        'trust-device',
      ),
    ).rejects.toMatchObject({ code: 'STEP_UP_REQUIRED', details: { maxAgeSeconds: 600 } });
    expect(h.audit.ofType('step-up.refused')[0]).toMatchObject({
      action: 'trust-device',
      refusal: 'stale',
    });
    const { at } = await signIn(h, user);
    await expect(
      h.service.requireRecentSecondFactor(user, { secondFactorAt: at }, 'trust-device'),
    ).resolves.toBeUndefined();
  });
});

describe('requireRecentSecondFactor arguments', () => {
  it('refuses an action that is not one of its own names (it goes into the audit event)', async () => {
    const h = clockHarness();
    const user = testUser();
    await expect(
      h.service.requireRecentSecondFactor(
        user,
        { secondFactorAt: h.clock.now() },
        'x\nforged' as 'host-action',
      ),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(h.audit.events).toEqual([]);
  });
});

describe('policy validation', () => {
  it.each([
    [{ stepUpSeconds: 29 }],
    [{ stepUpSeconds: 3601 }],
    [{ stepUpSeconds: 1.5 }],
    [{ requireStepUp: 'yes' }],
  ])('refuses %o', (bad) => {
    expect(() => clockHarness({ policy: { audiences: { client: bad } } })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    );
  });
});
