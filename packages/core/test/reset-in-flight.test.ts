/**
 * An admin reset or a removal ends every step of the user in flight (SECURITY.md EN-05): nothing
 * begun before it completes after it. The store is gated so the reset lands exactly between the
 * moment a step is taken and the moment its result is committed.
 */
import { describe, expect, it } from 'vitest';
import { MemoryStore, type TwoFactorUser } from '../src/index.js';
import { FakeClock, onceBefore, testUser } from '../src/testing/index.js';
import { ClockCodeProvider } from './support/clock-code-provider.js';
import { SecondCodeProvider } from './support/second-code-provider.js';
import { clockHarness, type ClockHarness } from './support/setup.js';

const gated = (inner: MemoryStore, on: 'activate' | 'restore') =>
  onceBefore(inner, on === 'activate' ? 'enrollments' : 'pending', on);

const reset = (h: ClockHarness, user: TwoFactorUser) =>
  h.service.adminReset({ actorId: 'admin-1', reason: 'lost device' }, user);

describe('a reset ends every step in flight', () => {
  it('EN-05: an activation whose right answer is being checked when the admin resets binds nothing', async () => {
    const gate = gated(new MemoryStore(), 'activate');
    const h = clockHarness({ stores: gate.stores });
    const user = testUser();
    const a = await h.service.beginActivation(user, 'clock-code');
    gate.arm(() => reset(h, user));
    await expect(
      h.service.completeActivation(a.activationId, user, h.code()),
    ).rejects.toMatchObject({ code: 'CHALLENGE_NOT_FOUND' });
    expect(await h.service.listEnrollments(user)).toHaveLength(0);
    expect((await h.service.recoveryCodeStatus(user)).remaining).toBe(0);
    expect(h.audit.ofType('activated')).toHaveLength(0);
    expect(h.audit.ofType('activation.failed').at(-1)?.reason).toBe('RESET');
  });

  it('EN-05: a user removing one factor ends their activation of another in flight', async () => {
    const clock = new FakeClock();
    const gate = gated(new MemoryStore(), 'activate');
    const h = clockHarness({
      clock,
      stores: gate.stores,
      providers: [ClockCodeProvider, new SecondCodeProvider(clock)],
      policy: { audiences: { client: { force: false, allowUserDisable: true } } },
    });
    const user = testUser();
    await h.enroll(user);
    const a = await h.service.beginActivation(user, 'clock-two');
    gate.arm(() => h.service.disable(user, 'clock-code'));
    await expect(
      h.service.completeActivation(a.activationId, user, h.code()),
    ).rejects.toMatchObject({ code: 'CHALLENGE_NOT_FOUND' });
    expect(await h.service.listEnrollments(user)).toHaveLength(0);
  });

  it('EN-05: a waiting activation put back while the reset ran is gone afterwards', async () => {
    const gate = gated(new MemoryStore(), 'restore');
    const h = clockHarness({ stores: gate.stores });
    const user = testUser();
    const a = await h.service.beginActivation(user, 'clock-code');
    h.provider.behaviour = { kind: 'activation-returns', value: { ok: false, reason: 'WAITING' } };
    gate.arm(() => reset(h, user));
    await expect(
      h.service.completeActivation(a.activationId, user, { poll: true }),
    ).rejects.toMatchObject({ code: 'CHALLENGE_NOT_FOUND' });
    // The answer arrives later: the step begun before the reset cannot bind a factor.
    h.provider.behaviour = { kind: 'normal' };
    await expect(
      h.service.completeActivation(a.activationId, user, h.code()),
    ).rejects.toMatchObject({ code: 'CHALLENGE_NOT_FOUND' });
    expect(await h.service.listEnrollments(user)).toHaveLength(0);
  });

  it('EN-05: an activation begun after the reset completes normally', async () => {
    const h = clockHarness();
    const user = testUser();
    await reset(h, user);
    const a = await h.service.beginActivation(user, 'clock-code');
    expect((await h.service.completeActivation(a.activationId, user, h.code())).ok).toBe(true);
  });
});
