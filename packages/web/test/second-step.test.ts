import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { FakeClock, createHarness, testUser } from '@factorkit/core/testing';
import { TotpProvider } from '@factorkit/provider-totp';
import {
  MemorySecondStepStore,
  SecondStep,
  createTwoFactorHandler,
  type HostSession,
} from '../src/index.js';

function session(): HostSession & { rotations: number } {
  return {
    id: randomUUID(),
    rotations: 0,
    async rotateId() {
      this.rotations++;
      (this as { id: string }).id = randomUUID();
    },
  };
}

function service(policy: Record<string, unknown> = {}) {
  const clock = new FakeClock(Date.now());
  return { ...createHarness({ providers: [TotpProvider], clock, policy }), clock };
}

describe('SecondStep', () => {
  it('RP-06: beginSecondStep rotates the id before recording the pending step', async () => {
    const { service: svc } = service({
      audiences: { client: { force: true, notEnrolled: 'enroll' } },
    });
    const steps = new SecondStep({ service: svc });
    const s = session();
    const before = s.id;
    const started = await steps.beginSecondStep(s, testUser());
    expect(started).toEqual({
      requirement: { action: 'enroll', providers: ['totp'] },
      authenticated: false,
    });
    expect(s.rotations).toBe(1);
    expect(s.id).not.toBe(before);
    expect(await steps.state({ id: before, rotateId: async () => undefined })).toBeUndefined();
    expect(await steps.isFullyAuthenticated(s)).toBe(false);
  });

  it('a user who needs no second factor is signed in at once, with no outcome', async () => {
    const { service: svc } = service();
    const steps = new SecondStep({ service: svc });
    const s = session();
    const started = await steps.beginSecondStep(s, testUser());
    expect(started).toEqual({
      requirement: { action: 'skip', reason: 'not-required' },
      authenticated: true,
    });
    expect(await steps.isFullyAuthenticated(s)).toBe(true);
    expect(await steps.outcome(s)).toBeNull();
    await steps.endSecondStep(s);
    expect(await steps.isFullyAuthenticated(s)).toBe(false);
  });

  it('a pending step expires after pendingSeconds', async () => {
    const { service: svc, clock } = service({
      audiences: { client: { force: true, notEnrolled: 'enroll' } },
    });
    const steps = new SecondStep({ service: svc, pendingSeconds: 60, now: () => clock.now() });
    const s = session();
    await steps.beginSecondStep(s, testUser());
    expect(await steps.state(s)).toBeDefined();
    clock.advance(60_001);
    expect(await steps.state(s)).toBeUndefined();
  });

  it('the memory store drops abandoned states once they expire', async () => {
    let now = 1_000;
    const store = new MemorySecondStepStore(() => now);
    const state = { phase: 'pending' as const, user: testUser(), csrfSecret: 's' };
    for (let i = 0; i < 255; i++) await store.put(`old-${i}`, state, 10);
    expect(store.size).toBe(255);
    now += 11;
    await store.put('fresh', state, 10);
    expect(store.size).toBe(1);
    expect(await store.get('fresh')).toMatchObject(state);
  });

  it('FL-15: a write based on a state read before another save is refused and changes nothing', async () => {
    const store = new MemorySecondStepStore();
    const state = { phase: 'pending' as const, user: testUser(), csrfSecret: 's' };
    await store.put('sid', state, 60_000);
    const read = (await store.get('sid'))!;
    expect(
      await store.replace('sid', read.revision!, { ...read, csrfSecret: 'first' }, 60_000),
    ).toBe(true);
    expect(
      await store.replace('sid', read.revision!, { ...read, csrfSecret: 'stale' }, 60_000),
    ).toBe(false);
    expect(await store.replace('sid', read.revision!, null, 60_000)).toBe(false);
    expect((await store.get('sid'))?.csrfSecret).toBe('first');
    await store.delete('sid');
    await store.put('sid', state, 60_000);
    // Removed and written again: the old revision still does not match.
    expect(await store.replace('sid', read.revision!, null, 60_000)).toBe(false);
  });

  it('FL-06: lastSecondFactorAt is the last step-up, else the sign-in, and nothing for a pending or unknown session', async () => {
    const { service: svc } = service();
    const store = new MemorySecondStepStore();
    const steps = new SecondStep({ service: svc, store });
    const s = session();
    const user = testUser();
    const outcome = {
      ok: true as const,
      userId: user.id,
      providerId: 'totp',
      method: 'totp',
      assurance: { aal: 2 as const, phishingResistant: false, hardwareBound: false },
      amr: ['otp' as const],
      at: 1_000,
    };
    expect(await steps.lastSecondFactorAt(s)).toBeUndefined();
    await store.put(s.id, { phase: 'pending', user, csrfSecret: 'x' }, 60_000);
    expect(await steps.lastSecondFactorAt(s)).toBeUndefined();
    await store.put(s.id, { phase: 'authenticated', user, csrfSecret: 'x', outcome }, 60_000);
    expect(await steps.lastSecondFactorAt(s)).toBe(1_000);
    await store.put(
      s.id,
      { phase: 'authenticated', user, csrfSecret: 'x', outcome, stepUpAt: 5_000 },
      60_000,
    );
    // A step-up made on the account pages is what counts, not the older sign-in.
    expect(await steps.lastSecondFactorAt(s)).toBe(5_000);
    expect((await steps.outcome(s))?.at).toBe(1_000);
    await store.put(s.id, { phase: 'authenticated', user, csrfSecret: 'x', outcome: null }, 60_000);
    expect(await steps.lastSecondFactorAt(s)).toBeUndefined();
  });

  it('refuses bad options with a message saying what is allowed', () => {
    const { service: svc } = service();
    expect(() => new SecondStep({ service: svc, pendingSeconds: 0 })).toThrow(
      /pendingSeconds must be a whole number of seconds from 1 to 3600; got 0/,
    );
    expect(() => new SecondStep({ service: svc, authenticatedSeconds: 1.5 })).toThrow(
      /authenticatedSeconds/,
    );
    const steps = new SecondStep({ service: svc, store: new MemorySecondStepStore() });
    expect(() => createTwoFactorHandler({ secondStep: steps, prefix: '2fa' })).toThrow(
      /prefix must start with "\/"/,
    );
    expect(() => createTwoFactorHandler({ secondStep: steps, prefix: '/2fa/' })).toThrow(/prefix/);
    expect(() => createTwoFactorHandler({ secondStep: steps, bodyLimitBytes: 0 })).toThrow(
      /bodyLimitBytes must be a whole number from 1 to 1048576/,
    );
    expect(() =>
      createTwoFactorHandler({ secondStep: steps, ipRateLimit: { points: -1 } }),
    ).toThrow(/ipRateLimit.points must be a whole number from 1 to 100000/);
  });

  it('routes outside the prefix are 404, a wrong method 405 with Allow', async () => {
    const { service: svc } = service();
    const handler = createTwoFactorHandler({ secondStep: new SecondStep({ service: svc }) });
    const ctx = { session: session(), peerAddress: '127.0.0.1' };
    const outside = await handler(new Request('http://localhost/account'), ctx);
    expect(outside.status).toBe(404);
    const wrong = await handler(
      new Request('http://localhost/2fa/challenge', { method: 'GET' }),
      ctx,
    );
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST');
    expect(handler.prefix).toBe('/2fa');
  });
});
