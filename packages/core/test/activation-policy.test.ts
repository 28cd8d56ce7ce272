/**
 * `beginActivation` obeys the same decision as `requirement`: a user it denies cannot bind a new
 * factor, even when the host forgets to check the requirement first (SECURITY.md EN-04).
 */
import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../src/index.js';
import { FakeClock, testUser } from '../src/testing/index.js';
import { ClockCodeProvider } from './support/clock-code-provider.js';
import { SecondCodeProvider as SecondCode } from './support/second-code-provider.js';
import { clockHarness } from './support/setup.js';

describe('activation follows the requirement', () => {
  it('EN-04: a forced user whose policy denies the unenrolled cannot start an activation', async () => {
    const h = clockHarness({
      policy: { audiences: { client: { force: true, notEnrolled: 'deny' } } },
    });
    const user = testUser();
    expect(await h.service.requirement(user)).toEqual({ action: 'deny', reason: 'not-enrolled' });
    await expect(h.service.beginActivation(user, 'clock-code')).rejects.toMatchObject({
      code: 'POLICY_DENIED',
      details: { requirement: 'deny', reason: 'not-enrolled' },
    });
    expect(h.audit.ofType('activation.started')).toHaveLength(0);
  });

  it('EN-04: a user whose only factor is no longer offered, without recovery codes, cannot bind another', async () => {
    const clock = new FakeClock();
    const stores = new MemoryStore();
    const both = { audiences: { client: { force: true, notEnrolled: 'enroll' } } };
    const a = clockHarness({
      clock,
      stores,
      providers: [ClockCodeProvider, new SecondCode(clock)],
      policy: both,
    });
    const user = testUser();
    await a.enroll(user);
    for (const code of await a.service.regenerateRecoveryCodes(user))
      await a.service.useRecoveryCode(user, code);
    // The deployment now offers only the other provider to clients.
    const b = clockHarness({
      clock,
      stores,
      providers: [ClockCodeProvider, new SecondCode(clock)],
      policy: {
        audiences: { client: { force: true, notEnrolled: 'enroll', providers: ['clock-two'] } },
      },
    });
    expect(await b.service.requirement(user)).toEqual({
      action: 'deny',
      reason: 'no-provider-available',
    });
    await expect(b.service.beginActivation(user, 'clock-two')).rejects.toMatchObject({
      code: 'POLICY_DENIED',
    });
  });

  it('EN-04: an unenrolled user the policy sends to enrollment may start one', async () => {
    const h = clockHarness({
      policy: { audiences: { client: { force: true, notEnrolled: 'enroll' } } },
    });
    const user = testUser();
    expect((await h.service.requirement(user)).action).toBe('enroll');
    const a = await h.service.beginActivation(user, 'clock-code');
    expect(a.prompt.kind).toBe('code-entry');
  });

  it('EN-04: a recovery code does not sign in a user the requirement denies', async () => {
    const clock = new FakeClock();
    const stores = new MemoryStore();
    const a = clockHarness({ clock, stores });
    const user = testUser();
    const [code] = await a.enroll(user);
    // The deployment no longer has a policy for the user's audience.
    const b = clockHarness({
      clock,
      stores,
      policy: { audiences: { admin: { force: true, notEnrolled: 'deny' } } },
    });
    expect((await b.service.requirement(user)).action).toBe('deny');
    await expect(b.service.useRecoveryCode(user, code)).rejects.toMatchObject({
      code: 'POLICY_DENIED',
    });
    expect((await b.service.recoveryCodeStatus(user)).remaining).toBe(10);
  });
});
