/**
 * What a user's own security settings may offer (SECURITY.md EN-08, FL-06): providers to add
 * (below each provider's limit), removal where `allowUserDisable`, and turning two-factor
 * authentication off only where it is not forced; a forged turn-off is refused and removes nothing.
 */
import { describe, expect, it } from 'vitest';
import { FakeClock, testUser } from '../src/testing/index.js';
import type { TwoFactorUser } from '../src/index.js';
import { ClockCodeProvider } from './support/clock-code-provider.js';
import { SecondCodeProvider } from './support/second-code-provider.js';
import { clockHarness, type ClockHarness } from './support/setup.js';

const policyOf = (client: Record<string, unknown>) => ({ audiences: { client } });

describe('accountControls', () => {
  it('offers a provider until the user holds its maximum', async () => {
    const h = clockHarness({ maxEnrollments: { 'clock-code': 1 } });
    const user = testUser();
    expect((await h.service.accountControls(user)).enrollable).toEqual(['clock-code']);
    await h.enroll(user);
    expect((await h.service.accountControls(user)).enrollable).toEqual([]);
  });

  it('offers turning off only where users may disable and 2FA is not forced', async () => {
    const user = testUser();
    const open = clockHarness({ policy: policyOf({ force: false, allowUserDisable: true }) });
    expect(await open.service.accountControls(user)).toMatchObject({
      mayRemoveFactors: true,
      mayTurnOff: true,
    });
    const forced = clockHarness({ policy: policyOf({ force: true, allowUserDisable: true }) });
    expect(await forced.service.accountControls(user)).toMatchObject({
      mayRemoveFactors: true,
      mayTurnOff: false,
    });
    const locked = clockHarness({ policy: policyOf({ force: false, allowUserDisable: false }) });
    expect(await locked.service.accountControls(user)).toMatchObject({
      mayRemoveFactors: false,
      mayTurnOff: false,
    });
  });
});

/** A harness with two code providers, so a user can hold two factors. */
function twoProviders(client: Record<string, unknown>) {
  const clock = new FakeClock();
  return clockHarness({
    clock,
    providers: [ClockCodeProvider, new SecondCodeProvider(clock)],
    policy: policyOf(client),
  });
}

async function enrollBoth(h: ClockHarness, user: TwoFactorUser) {
  await h.enroll(user);
  const b = await h.service.beginActivation(user, 'clock-two');
  expect((await h.service.completeActivation(b.activationId, user, h.code())).ok).toBe(true);
  h.clock.advance(30_000);
}

describe('turnOffTwoFactor', () => {
  it('removes every factor and the recovery codes, each removal audited', async () => {
    const h = twoProviders({ force: false });
    const user = testUser();
    await enrollBoth(h, user);
    expect(await h.service.turnOffTwoFactor(user)).toBe(2);
    expect(await h.service.listEnrollments(user)).toEqual([]);
    expect((await h.service.recoveryCodeStatus(user)).remaining).toBe(0);
    expect(h.audit.events.filter((e) => e.type === 'deactivated')).toHaveLength(2);
  });

  it('while 2FA is forced, a forged turn-off is POLICY_DENIED and removes nothing', async () => {
    const h = twoProviders({ force: true });
    const user = testUser();
    await enrollBoth(h, user);
    await expect(h.service.turnOffTwoFactor(user)).rejects.toMatchObject({ code: 'POLICY_DENIED' });
    expect(await h.service.listEnrollments(user)).toHaveLength(2);
    expect(h.audit.events.some((e) => e.type === 'deactivated')).toBe(false);
  });

  it('without allowUserDisable it is POLICY_DENIED and removes nothing', async () => {
    const h = clockHarness({ policy: policyOf({ force: false, allowUserDisable: false }) });
    const user = testUser();
    await h.enroll(user);
    await expect(h.service.turnOffTwoFactor(user)).rejects.toMatchObject({ code: 'POLICY_DENIED' });
    expect(await h.service.listEnrollments(user)).toHaveLength(1);
  });

  it('with requireStepUp, a stale second factor is STEP_UP_REQUIRED before anything is removed', async () => {
    const h = clockHarness({
      policy: policyOf({ force: false, requireStepUp: true, stepUpSeconds: 60 }),
    });
    const user = testUser();
    await h.enroll(user);
    const stale = h.clock.now() - 120_000;
    await expect(h.service.turnOffTwoFactor(user, { secondFactorAt: stale })).rejects.toMatchObject(
      {
        code: 'STEP_UP_REQUIRED',
      },
    );
    expect(await h.service.listEnrollments(user)).toHaveLength(1);
    expect(await h.service.turnOffTwoFactor(user, { secondFactorAt: h.clock.now() })).toBe(1);
  });
});
