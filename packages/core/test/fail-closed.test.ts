/**
 * Fail closed by construction (catalog invariant 1, FL-03, OUT-05; GitLab CVE-2026-0723,
 * google2fa-laravel#180): only an explicit `{ ok: true }` from the provider grants anything.
 */
import { describe, expect, it } from 'vitest';
import {
  FactorkitError,
  MemoryStore,
  TwoFactorService,
  type EnrollmentStore,
} from '../src/index.js';
import { testUser } from '../src/testing/index.js';
import { clockHarness } from './support/setup.js';

describe('fail closed', () => {
  const bogus: [string, unknown][] = [
    ['undefined', undefined],
    ['null', null],
    ['an empty object', {}],
    ['ok as the string "true"', { ok: 'true', counter: 999999999 }],
    ['ok as 1', { ok: 1, counter: 999999999 }],
    ['an array', [{ ok: true }]],
    ['true', true],
    ['an unknown failure reason', { ok: false, reason: 'MAYBE' }],
    ['ok with a negative counter', { ok: true, counter: -1 }],
    ['ok with a fractional counter', { ok: true, counter: 1.5 }],
  ];
  for (const [what, value] of bogus) {
    it(`FL-03: a provider returning ${what} is PROVIDER_ERROR, never success`, async () => {
      const h = clockHarness();
      const user = testUser();
      await h.enroll(user);
      const ch = await h.service.beginChallenge(user);
      h.provider.behaviour = { kind: 'verify-returns', value };
      await expect(
        h.service.completeChallenge(ch.challengeId, user, h.code()),
      ).rejects.toMatchObject({ code: 'PROVIDER_ERROR' });
      expect(h.audit.ofType('verified')).toHaveLength(0);
    });
  }

  it('FL-03: ok without the counter a replay-counting provider must report is PROVIDER_ERROR', async () => {
    const h = clockHarness();
    const user = testUser();
    await h.enroll(user);
    const ch = await h.service.beginChallenge(user);
    h.provider.behaviour = { kind: 'verify-returns', value: { ok: true } };
    await expect(h.service.completeChallenge(ch.challengeId, user, h.code())).rejects.toMatchObject(
      { code: 'PROVIDER_ERROR' },
    );
  });

  for (const [what, error] of [
    ['an Error', new Error('boom')],
    ['a string', 'boom'],
    ['undefined', undefined],
  ] as [string, unknown][]) {
    it(`FL-03: a provider throwing ${what} is PROVIDER_ERROR and counted`, async () => {
      const h = clockHarness();
      const user = testUser();
      await h.enroll(user);
      const ch = await h.service.beginChallenge(user);
      h.provider.behaviour = { kind: 'verify-throws', error };
      await expect(
        h.service.completeChallenge(ch.challengeId, user, h.code()),
      ).rejects.toMatchObject({ code: 'PROVIDER_ERROR' });
      expect((await h.service.throttleStatus(user)).failures).toBe(1);
    });
  }

  it('OUT-05: a store failure is STORE_UNAVAILABLE, never a success and never a wrong-code answer', async () => {
    const base = new MemoryStore();
    let broken = false;
    const enrollments = new Proxy(base.enrollments, {
      get(target, prop, receiver) {
        const v = Reflect.get(target, prop, receiver) as unknown;
        if (prop === 'advanceCounter')
          return async (...args: unknown[]) => {
            if (broken) throw new Error('connection reset');
            return (v as (...a: unknown[]) => Promise<boolean>).apply(target, args);
          };
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    }) as EnrollmentStore;
    const h = clockHarness({
      stores: { enrollments, pending: base.pending, throttle: base.throttle },
    });
    const user = testUser();
    await h.enroll(user);
    const ch = await h.service.beginChallenge(user);
    broken = true;
    const err = await h.service
      .completeChallenge(ch.challengeId, user, h.code())
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FactorkitError);
    expect((err as FactorkitError).code).toBe('STORE_UNAVAILABLE');
    expect(h.audit.ofType('verified')).toHaveLength(0);
  });

  it('failing open: refused unless config allows it, core sees the outage, and no other factor exists', async () => {
    const h = clockHarness({ settings: { 'clock-code': { failOpenAudiences: ['client'] } } });
    const client = testUser();
    const admin = testUser({ audience: 'admin' });
    await h.enroll(client);
    await h.enroll(admin);
    // healthy: no fail-open
    await expect(h.service.failOpen(client, 'clock-code')).rejects.toMatchObject({
      code: 'POLICY_DENIED',
    });
    h.provider.healthy = false;
    h.provider.behaviour = { kind: 'unavailable' };
    const err = (await h.service.beginChallenge(client).catch((e: unknown) => e)) as FactorkitError;
    expect(err.code).toBe('PROVIDER_UNAVAILABLE');
    expect(err.details).toMatchObject({
      providerId: 'clock-code',
      alternatives: [],
      recoveryCodes: true,
      failOpenPossible: true,
    });
    // admins are not in failOpenAudiences: closed
    await expect(h.service.failOpen(admin, 'clock-code')).rejects.toMatchObject({
      code: 'POLICY_DENIED',
    });
    const granted = await h.service.failOpen(client, 'clock-code');
    expect(granted).toMatchObject({ ok: true, failOpen: true, method: 'clock-code-fail-open' });
    expect(h.audit.ofType('fail-open')).toEqual([
      expect.objectContaining({ userId: client.id, providerId: 'clock-code' }),
    ]);
  });

  it('a provider that fails to start a challenge surfaces a typed error, not a crash', async () => {
    const h = clockHarness();
    const user = testUser();
    await h.enroll(user);
    h.provider.beginChallenge = async () => ({ prompt: { kind: '<script>' } }) as never;
    await expect(h.service.beginChallenge(user)).rejects.toMatchObject({ code: 'PROVIDER_ERROR' });
    h.provider.beginChallenge = async () => {
      throw new TypeError('bug');
    };
    await expect(h.service.beginChallenge(user)).rejects.toMatchObject({ code: 'PROVIDER_ERROR' });
  });

  it('a service built without an audit sink still works; a throwing sink never breaks a flow', async () => {
    const h = clockHarness();
    const quiet = new TwoFactorService({
      registry: h.registry,
      config: h.config,
      stores: h.stores,
      audit: {
        emit: () => {
          throw new Error('sink down');
        },
      },
    });
    const user = testUser();
    const a = await quiet.beginActivation(user, 'clock-code');
    expect((await quiet.completeActivation(a.activationId, user, h.code())).ok).toBe(true);
  });
});
