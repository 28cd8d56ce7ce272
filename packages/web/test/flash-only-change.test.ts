// The retry of a compare-and-set that lost only to a flash-message write, on SecondStep itself:
// it lands with the flash as the other request left it, and FL-15 still refuses any other loss.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { SecondFactorSuccess } from '@factorkit/core';
import { FakeClock, createHarness, testUser } from '@factorkit/core/testing';
import { TotpProvider } from '@factorkit/provider-totp';
import { MemorySecondStepStore, SecondStep, type SecondStepState } from '../src/index.js';

async function pendingSession() {
  const clock = new FakeClock(Date.now());
  const { service } = createHarness({
    providers: [TotpProvider],
    clock,
    policy: { audiences: { client: { force: true, notEnrolled: 'enroll' } } },
  });
  const store = new MemorySecondStepStore(() => clock.now());
  const steps = new SecondStep({ service, store, now: () => clock.now() });
  const session = { id: randomUUID(), rotateId: async () => undefined };
  await steps.beginSecondStep(session, testUser({ audience: 'client' }));
  const withFlash = (await steps.state(session))!;
  await steps.save(session, { ...withFlash, page: { flash: { code: 'INVALID_CODE' } } });
  return { steps, session, store };
}

const challenge = { id: 'ch-1', providerId: 'totp', enrollmentId: 'en-1', expiresAt: 9e15 };

describe('a write that lost only to a flash write', () => {
  it('FL-15: lands when the other request only cleared the flash, which stays cleared', async () => {
    const { steps, session } = await pendingSession();
    const read = (await steps.state(session))!;
    const { page: _page, ...cleared } = read;
    await steps.save(session, cleared); // a page view
    await steps.save(session, { ...read, challenge } as SecondStepState);
    const now = (await steps.state(session))!;
    expect(now).toMatchObject({ challenge });
    expect(now.page?.flash).toBeUndefined();
  });

  it('FL-15: a flash this request sets itself wins over the one it raced', async () => {
    const { steps, session } = await pendingSession();
    const read = (await steps.state(session))!;
    await steps.save(session, { ...read, page: {} });
    await steps.save(session, { ...read, page: { flash: { code: 'LOCKED', retryAfter: null } } });
    expect((await steps.state(session))?.page?.flash).toEqual({ code: 'LOCKED', retryAfter: null });
  });

  it('FL-15: is still refused when the other request changed anything else', async () => {
    const { steps, session } = await pendingSession();
    const read = (await steps.state(session))!;
    await steps.save(session, { ...read, challenge } as SecondStepState);
    await expect(steps.save(session, { ...read, csrfSecret: 'stale' })).rejects.toMatchObject({
      code: 'STATE_CHANGED',
      status: 409,
    });
    // Both a flash change and a real one since the read: refused too.
    const again = (await steps.state(session))!;
    await steps.save(session, {
      ...again,
      page: {},
      challenge: { ...challenge, id: 'ch-2' },
    } as SecondStepState);
    await expect(steps.save(session, { ...again, csrfSecret: 'x' })).rejects.toMatchObject({
      code: 'STATE_CHANGED',
    });
    expect(await steps.state(session)).toMatchObject({ challenge: { id: 'ch-2' } });
  });

  it('FL-15: a sign-in that lost to a flash clear completes; one that lost to a sign-in does not', async () => {
    const { steps, session } = await pendingSession();
    const read = (await steps.state(session))!;
    await steps.save(session, { ...read, page: {} });
    const success: SecondFactorSuccess = {
      ok: true,
      userId: read.user.id,
      providerId: 'totp',
      method: 'totp',
      failOpen: false,
      assurance: { phishingResistant: false, hardwareBound: false, aal: 2 },
      amr: ['otp'],
      at: 1,
    };
    const done = await steps.complete(session, read, success);
    expect(done.state.phase).toBe('authenticated');
    await expect(steps.complete(session, read, success)).rejects.toMatchObject({
      code: 'STATE_CHANGED',
    });
  });
});
