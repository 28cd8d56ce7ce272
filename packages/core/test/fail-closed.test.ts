/**
 * Fail closed by construction (invariant 1, FL-03, OUT-05; GitLab CVE-2026-0723,
 * google2fa-laravel#180): only an explicit `{ ok: true }` from the provider grants anything.
 */
import { describe, expect, it } from 'vitest';
import {
  FactorkitError,
  MemoryStore,
  ProviderUnavailableError,
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

  describe('failing open (OUT-02, invariant 7)', () => {
    const setup = async () => {
      const h = clockHarness({ settings: { 'clock-code': { failOpenAudiences: ['client'] } } });
      const client = testUser();
      const admin = testUser({ audience: 'admin' });
      await h.enroll(client);
      await h.enroll(admin);
      return { h, client, admin };
    };
    const outage = async (
      h: Awaited<ReturnType<typeof setup>>['h'],
      user: ReturnType<typeof testUser>,
    ) => {
      h.provider.healthy = false;
      h.provider.behaviour = { kind: 'unavailable' };
      const err = (await h.service.beginChallenge(user).catch((e: unknown) => e)) as FactorkitError;
      expect(err.code).toBe('PROVIDER_UNAVAILABLE');
      return err;
    };

    it('grants once, for an outage core observes, when config allows it; audited and marked', async () => {
      const { h, client } = await setup();
      const err = await outage(h, client);
      expect(err.details).toMatchObject({
        providerId: 'clock-code',
        alternatives: [],
        recoveryCodes: true,
        failOpenPossible: true,
      });
      const id = err.details['challengeId'] as string;
      const granted = await h.service.failOpen(id, client);
      expect(granted).toMatchObject({ ok: true, failOpen: true, method: 'clock-code-fail-open' });
      expect(h.audit.ofType('fail-open')).toEqual([
        expect.objectContaining({ userId: client.id, providerId: 'clock-code' }),
      ]);
      await expect(h.service.failOpen(id, client)).rejects.toMatchObject({
        code: 'CHALLENGE_NOT_FOUND',
      });
    });

    it('is refused without an outage-marked challenge, and while the provider is healthy', async () => {
      const { h, client } = await setup();
      const ch = await h.service.beginChallenge(client);
      await expect(h.service.failOpen(ch.challengeId, client)).rejects.toMatchObject({
        code: 'POLICY_DENIED',
      });
      const err = await outage(h, client);
      h.provider.healthy = true;
      await expect(
        h.service.failOpen(err.details['challengeId'] as string, client),
      ).rejects.toMatchObject({
        code: 'POLICY_DENIED',
      });
    });

    it("stays closed for admins (not in the provider's fail-open audiences)", async () => {
      const { h, admin } = await setup();
      const err = await outage(h, admin);
      expect(err.details['failOpenPossible']).toBe(false);
      await expect(
        h.service.failOpen(err.details['challengeId'] as string, admin),
      ).rejects.toMatchObject({
        code: 'POLICY_DENIED',
      });
    });

    for (const [what, health] of [
      [
        'a health check that throws a plain error (config, signature, TLS)',
        () => Promise.reject(new Error('401 invalid signature')),
      ],
      ['a health check answering healthy: "yes"', async () => ({ healthy: 'yes' })],
      ['a health check answering {}', async () => ({})],
    ] as [string, () => Promise<unknown>][]) {
      it(`is refused for ${what}`, async () => {
        const { h, client } = await setup();
        const err = await outage(h, client);
        h.provider.healthCheck = health as never;
        await expect(
          h.service.failOpen(err.details['challengeId'] as string, client),
        ).rejects.toMatchObject({
          code: 'POLICY_DENIED',
        });
        expect(h.audit.ofType('fail-open')).toHaveLength(0);
      });
    }

    it('is granted when the health check itself reports ProviderUnavailableError', async () => {
      const { h, client } = await setup();
      const err = await outage(h, client);
      h.provider.healthCheck = () => Promise.reject(new ProviderUnavailableError());
      expect(
        (await h.service.failOpen(err.details['challengeId'] as string, client)).failOpen,
      ).toBe(true);
    });

    it('is refused for a locked user', async () => {
      const { h, client } = await setup();
      for (let i = 0; i < 10; i++) {
        const ch = await h.service.beginChallenge(client);
        await h.service.completeChallenge(ch.challengeId, client, '000000').catch(() => undefined);
        h.clock.advance(61_000);
      }
      h.clock.advance(-61_000);
      const id = 'A'.repeat(43);
      await expect(h.service.failOpen(id, client)).rejects.toMatchObject({ code: 'LOCKED' });
    });

    it('a one-shot step that hit an outage cannot be answered later, only failed open', async () => {
      const { h, client } = await setup();
      const capabilities = { ...h.provider.capabilities, retryableChallenge: false };
      Object.defineProperty(h.provider, 'capabilities', { value: capabilities });
      const ch = await h.service.beginChallenge(client);
      h.provider.behaviour = { kind: 'unavailable' };
      await expect(
        h.service.completeChallenge(ch.challengeId, client, h.code()),
      ).rejects.toMatchObject({
        code: 'PROVIDER_UNAVAILABLE',
        details: { challengeId: ch.challengeId },
      });
      h.provider.behaviour = { kind: 'normal' };
      await expect(
        h.service.completeChallenge(ch.challengeId, client, h.code()),
      ).rejects.toMatchObject({
        code: 'CHALLENGE_NOT_FOUND',
      });
      h.provider.healthy = false;
      expect((await h.service.failOpen(ch.challengeId, client)).failOpen).toBe(true);
    });
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
