// Failmode and outages for both transports against the emulator over real HTTPS.
// Requirements (docs/SECURITY.md): OUT-01, OUT-02 (incl. the Auth API health check), OUT-03
// (timeouts), CF-01 (admins closed), DA-02 (clock skew never fails open).
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { TwoFactorUser } from '@factorkit/core';
import {
  codeOf,
  duoHarness,
  duoUser,
  enrollLegacy,
  enrollUniversal,
  legacySettings,
  startEmulator,
  universalSettings,
  type DuoHarness,
} from './support/duo-test-kit.js';

const emu = await startEmulator({
  users: [
    { username: 'alice', devices: [{ name: 'iPhone' }], pushAnswer: 'approve' },
    { username: 'root', devices: [{ name: 'iPhone' }], pushAnswer: 'approve' },
  ],
});
afterAll(() => emu.stop());
afterEach(async () => {
  await emu.faults.reset();
});

type Transport = 'universal' | 'legacy';
const settingsFor = (t: Transport, extra: Record<string, unknown> = {}) =>
  t === 'universal'
    ? universalSettings(emu, extra)
    : legacySettings(emu, { factor: 'push', ...extra });

async function enrolled(t: Transport, extra: Record<string, unknown> = {}, audience = 'client') {
  const h = duoHarness(settingsFor(t, extra));
  const user = duoUser(audience === 'admin' ? 'root' : 'alice', { audience });
  const done =
    t === 'universal' ? await enrollUniversal(h, emu, user) : await enrollLegacy(h, user);
  expect(done.ok).toBe(true);
  return { h, user };
}

/** The provider's own health check, called directly with this deployment's settings. */
function providerHealth(h: DuoHarness) {
  const config = h.config.providers['duo']!.settings as never;
  return h.provider.healthCheck({ providerId: 'duo', config, audience: 'client', constants: {} });
}

async function unavailableDetails(h: DuoHarness, user: TwoFactorUser) {
  try {
    await h.service.beginChallenge(user, 'duo');
  } catch (err) {
    const e = err as { code: string; details: Record<string, unknown> };
    expect(e.code).toBe('PROVIDER_UNAVAILABLE');
    return e.details as Record<string, unknown> & { challengeId: string };
  }
  throw new Error('expected PROVIDER_UNAVAILABLE');
}

const OUTAGES = {
  'connection refused': { outage: 'refuse' },
  'HTTP 5xx': { outage: '5xx' },
  'health check stat FAIL': { healthCheckFail: true },
  'timeout (no answer within our deadline)': { latencyMs: 2500 },
  '429 beyond the budget': { rateLimit: { retryAfterSec: 30 } },
} as const;

for (const t of ['universal', 'legacy'] as const) {
  describe(`${t}: outages (OUT-01, OUT-02 first group, OUT-03)`, () => {
    it('OUT-01 Duo unreachable with failmode closed (the default): PROVIDER_UNAVAILABLE, not counted, no fail-open', async () => {
      const { h, user } = await enrolled(t);
      await emu.faults.set({ outage: 'refuse' });
      const details = await unavailableDetails(h, user);
      expect(details).toMatchObject({
        providerId: 'duo',
        alternatives: [],
        failOpenPossible: false,
      });
      expect((await h.service.throttleStatus(user)).failures).toBe(0);
      expect(await codeOf(h.service.failOpen(details.challengeId, user))).toBe('POLICY_DENIED');
      expect(h.audit.ofType('fail-open')).toHaveLength(0);
      const health = await h.service.health();
      expect(health['duo']?.healthy).toBe(false);
      expect(h.audit.ofType('provider.unhealthy').length).toBeGreaterThan(0);
    });

    for (const [name, fault] of Object.entries(OUTAGES)) {
      // A legacy sign-in does not start with the health check (preauth does the talking), so
      // an unhealthy /auth/v2/check alone is no sign-in outage: see the legacy health block below.
      if (t === 'legacy' && 'healthCheckFail' in fault) continue;
      it(`OUT-02 failmode open, ${name}: the client user fails open, audited, marked failOpen (AAL1)`, async () => {
        const { h, user } = await enrolled(t, {
          failmode: { client: 'open' },
          healthTimeoutMs: 500,
          requestTimeoutMs: 800,
          rateLimitBudgetMs: 1000,
        });
        await emu.faults.set(fault);
        const started = Date.now();
        const details = await unavailableDetails(h, user);
        expect(Date.now() - started).toBeLessThan(2400); // OUT-03: our deadline, not Duo's
        expect(details['failOpenPossible']).toBe(true);
        const granted = await h.service.failOpen(details.challengeId, user);
        expect(granted).toMatchObject({ ok: true, failOpen: true, method: 'duo-fail-open' });
        expect(h.audit.ofType('fail-open')).toHaveLength(1);
      });
    }

    it('CF-01 admins stay closed under failmode "*": open; only an explicit admin entry opens them', async () => {
      const { h, user } = await enrolled(t, { failmode: { '*': 'open' } }, 'admin');
      await emu.faults.set({ outage: '5xx' });
      const closed = await unavailableDetails(h, user);
      expect(closed['failOpenPossible']).toBe(false);
      expect(await codeOf(h.service.failOpen(closed.challengeId, user))).toBe('POLICY_DENIED');

      await emu.faults.reset();
      const open = await enrolled(t, { failmode: { admin: 'open' } }, 'admin');
      await emu.faults.set({ outage: '5xx' });
      const d = await unavailableDetails(open.h, open.user);
      expect((await open.h.service.failOpen(d.challengeId, open.user)).failOpen).toBe(true);
    });

    it('Duo healthy again after an outage: the next sign-in goes through Duo, no fail-open', async () => {
      const { h, user } = await enrolled(t, { failmode: { client: 'open' } });
      await emu.faults.set({ outage: 'refuse' });
      const d = await unavailableDetails(h, user);
      await emu.faults.reset();
      // Duo is back: the outage challenge cannot be turned into a fail-open any more.
      expect(await codeOf(h.service.failOpen(d.challengeId, user))).toBe('POLICY_DENIED');
      expect((await h.service.health())['duo']?.healthy).toBe(true);
      const ch = await h.service.beginChallenge(user, 'duo');
      expect(['redirect', 'push-wait']).toContain(ch.prompt.kind);
    });
  });

  describe(`${t}: faults that are never an outage (OUT-02 second group)`, () => {
    it('OUT-02 wrong secret with failmode open: PROVIDER_ERROR, not an outage; health shows the fault', async () => {
      const wrong =
        t === 'universal' ? { clientSecret: 'x'.repeat(40) } : { secretKey: 'x'.repeat(40) };
      const bad = duoHarness(settingsFor(t, { failmode: { client: 'open' }, ...wrong }));
      const user = duoUser('alice');
      expect(await codeOf(bad.service.beginActivation(user, 'duo'))).toBe('PROVIDER_ERROR');
      const health = await bad.service.health();
      expect(health['duo']?.healthy).toBe(false);
      expect(String(health['duo']?.detail)).toMatch(/Duo request failed/);
      // The provider's health check throws a typed ProviderError, which core never fails open on.
      expect(await codeOf(providerHealth(bad))).toBe('PROVIDER_ERROR');
    });

    it('OUT-02 TLS certificate not trusted (a MITM, or the emulator without its CA): PROVIDER_ERROR, never an outage', async () => {
      // The deployment without the emulator CA: Duo's pinned CA bundle rejects the certificate.
      const { caPem: _ca, ...noCa } = settingsFor(t, { failmode: { client: 'open' } });
      const mitm = duoHarness(noCa);
      const user = duoUser('alice');
      let err: { code?: string; details?: Record<string, unknown> } = {};
      try {
        await mitm.service.beginActivation(user, 'duo');
      } catch (e) {
        err = e as typeof err;
      }
      expect(err.code).toBe('PROVIDER_ERROR');
      expect(err.details?.['duoFailure']).toBe('tls');
      expect(await codeOf(providerHealth(mitm))).toBe('PROVIDER_ERROR');
    });

    it('OUT-02 a fault after the redirect or push (username, state) never opens: failOpen refuses a challenge without an outage', async () => {
      const { h, user } = await enrolled(t, { failmode: { client: 'open' } });
      const ch = await h.service.beginChallenge(user, 'duo');
      expect(await codeOf(h.service.failOpen(ch.challengeId, user))).toBe('POLICY_DENIED');
    });
  });
}

describe('legacy: Date skew is a configuration fault (DA-02)', () => {
  it('DA-02 our clock 6 min ahead: Duo answers 401, PROVIDER_ERROR with a CLOCK_SKEW hint, never fail-open', async () => {
    const { h, user } = await enrolled('legacy', { failmode: { client: 'open' } });
    h.clock.advance(6 * 60_000);
    let err: { code?: string; details?: Record<string, unknown> } = {};
    try {
      await h.service.beginChallenge(user, 'duo');
    } catch (e) {
      err = e as typeof err;
    }
    expect(err.code).toBe('PROVIDER_ERROR');
    expect(err.details).toMatchObject({ duoFailure: 'config', hint: 'CLOCK_SKEW' });
    expect(h.audit.ofType('fail-open')).toHaveLength(0);
  });
});

describe('legacy: the Auth API health check reports Duo unhealthy (OUT-02)', () => {
  // `healthCheckFail` makes /auth/v2/ping and /auth/v2/check answer stat FAIL with a 5xxxx code.
  // A legacy sign-in starts with preauth, not with the health check (as duo_unix does): while Duo
  // still answers preauth, the user goes through Duo; the health check is what core asks before
  // it grants a fail-open, so an unhealthy check only matters together with a failed sign-in.
  it('OUT-02 health check unhealthy alone: health() reports the outage, the sign-in still goes through Duo, failOpen refused', async () => {
    const { h, user } = await enrolled('legacy', { failmode: { client: 'open' } });
    await emu.faults.set({ healthCheckFail: true });
    const health = await h.service.health();
    expect(health['duo']).toMatchObject({ healthy: false });
    expect(String(health['duo']?.detail)).toMatch(/50301/);
    const ch = await h.service.beginChallenge(user, 'duo');
    expect(ch.prompt.kind).toBe('push-wait');
    // Not a challenge that met an outage: it cannot be turned into a fail-open.
    expect(await codeOf(h.service.failOpen(ch.challengeId, user))).toBe('POLICY_DENIED');
    expect(h.audit.ofType('fail-open')).toHaveLength(0);
  });

  it('OUT-02 failmode open, preauth fails (5xx) and the health check confirms Duo unhealthy: fails open, audited, AAL1', async () => {
    const { h, user } = await enrolled('legacy', { failmode: { client: 'open' } });
    await emu.faults.set({
      healthCheckFail: true,
      outage: '5xx',
      endpoints: ['/auth/v2/preauth'],
    });
    const details = await unavailableDetails(h, user);
    expect(details['failOpenPossible']).toBe(true);
    const granted = await h.service.failOpen(details.challengeId, user);
    expect(granted).toMatchObject({ ok: true, failOpen: true, method: 'duo-fail-open' });
    expect(h.audit.ofType('fail-open')).toHaveLength(1);
  });

  it('OUT-02 failmode closed with the same outage: PROVIDER_UNAVAILABLE, no fail-open', async () => {
    const { h, user } = await enrolled('legacy');
    await emu.faults.set({
      healthCheckFail: true,
      outage: '5xx',
      endpoints: ['/auth/v2/preauth'],
    });
    const details = await unavailableDetails(h, user);
    expect(details['failOpenPossible']).toBe(false);
    expect(await codeOf(h.service.failOpen(details.challengeId, user))).toBe('POLICY_DENIED');
    expect(h.audit.ofType('fail-open')).toHaveLength(0);
  });

  it('OUT-02 preauth fails (5xx) but the health check says Duo is healthy: failOpen refused (core re-checks)', async () => {
    const { h, user } = await enrolled('legacy', { failmode: { client: 'open' } });
    await emu.faults.set({ outage: '5xx', endpoints: ['/auth/v2/preauth'] });
    const details = await unavailableDetails(h, user);
    expect(await codeOf(h.service.failOpen(details.challengeId, user))).toBe('POLICY_DENIED');
    expect(h.audit.ofType('fail-open')).toHaveLength(0);
  });

  it('OUT-02 the health check refuses our keys while Duo is "unhealthy": a configuration fault, never fail-open', async () => {
    const bad = duoHarness(
      settingsFor('legacy', { failmode: { client: 'open' }, secretKey: 'x'.repeat(40) }),
    );
    await emu.faults.set({ healthCheckFail: true, outage: '5xx', endpoints: ['/auth/v2/preauth'] });
    // The signature is checked before the health answer: 401, a ProviderError, not an outage.
    expect(await codeOf(providerHealth(bad))).toBe('PROVIDER_ERROR');
  });
});
