// The WHMCS mapping end to end against the emulator: the admin username format
// `{email}:{email}:{licenseKey}` matched through a Duo alias, the Free-plan user limit, an admin
// reset of a user who lost a device, and one version flag moving a deployment between the
// Universal Prompt and the Auth API with the same host code.
import { randomBytes } from 'node:crypto';
import { MemoryStore, type TwoFactorService, type TwoFactorUser } from '@factorkit/core';
import { FakeClock, createHarness } from '@factorkit/core/testing';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { DuoProvider } from '../src/index.js';
import {
  codeOf,
  duoHarness,
  duoUser,
  followPrompt,
  legacySettings,
  startEmulator,
  universalSettings,
} from './support/duo-test-kit.js';

const LICENSE = 'WHMCS-3f9a2c71b0';
const ADMIN_EMAIL = 'ops@example.com';
const WHMCS_NAME = `${ADMIN_EMAIL}:${ADMIN_EMAIL}:${LICENSE}`;

const emu = await startEmulator({
  maxUsers: 4,
  users: [
    // An existing Duo user, reached through an alias holding the WHMCS admin format.
    {
      username: ADMIN_EMAIL,
      aliases: [WHMCS_NAME],
      devices: [{ name: 'iPhone' }],
      pushAnswer: 'approve',
      promptAction: 'approve',
    },
    {
      username: 'client1@example.com',
      devices: [{ name: 'Pixel' }],
      pushAnswer: 'approve',
      promptAction: 'approve',
    },
    { username: 'client2@example.com', devices: [{ name: 'Pixel' }], pushAnswer: 'approve' },
  ],
});
afterAll(() => emu.stop());
afterEach(async () => {
  await emu.faults.reset();
});

const templates = { '*': '{email}', admin: '{email}:{email}:{licenseKey}' };
const admin = (): TwoFactorUser => duoUser('ops', { audience: 'admin', email: ADMIN_EMAIL });

/**
 * Host code, the same for both versions: begin, answer whatever prompt Duo's provider returns
 * (a redirect is followed in the "browser", a push is polled), complete.
 */
async function signIn(service: TwoFactorService, user: TwoFactorUser) {
  const ch = await service.beginChallenge(user, 'duo');
  if (ch.prompt.kind === 'redirect') {
    const cb = await followPrompt(emu, ch.prompt.url);
    return service.completeChallenge(cb['state']!, user, cb);
  }
  for (let i = 0; i < 20; i++) {
    const r = await service.completeChallenge(ch.challengeId, user, { poll: true });
    if (r.ok || !('waiting' in r)) return r;
  }
  throw new Error('push never answered');
}

async function activate(service: TwoFactorService, user: TwoFactorUser) {
  const a = await service.beginActivation(user, 'duo');
  if (a.prompt.kind === 'redirect') {
    const cb = await followPrompt(emu, a.prompt.url);
    return service.completeActivation(cb['state']!, user, cb);
  }
  for (let i = 0; i < 20; i++) {
    const r = await service.completeActivation(a.activationId, user, { poll: true });
    if (r.ok || !('waiting' in r)) return r;
  }
  throw new Error('activation never finished');
}

describe('WHMCS admin username {email}:{email}:{licenseKey} (DU-03b)', () => {
  for (const version of ['universal', 'legacy'] as const) {
    it(`${version}: the admin signs in as the existing Duo user, matched through the alias`, async () => {
      const settings =
        version === 'universal'
          ? universalSettings(emu, { usernameTemplate: templates })
          : legacySettings(emu, { usernameTemplate: templates, factor: 'push' });
      const h = duoHarness(settings, { constants: { licenseKey: LICENSE } });
      const user = admin();
      expect((await activate(h.service, user)).ok).toBe(true);
      const path = version === 'universal' ? '/oauth/v1/authorize' : '/auth/v2/preauth';
      const before = emu.counters.count(path, WHMCS_NAME);
      expect((await signIn(h.service, user)).ok).toBe(true);
      expect(emu.counters.count(path, WHMCS_NAME)).toBe(before + 1);
      expect(emu.users.list().filter((u) => u.username.startsWith('ops@'))).toHaveLength(1);
    });
  }

  it('a missing licenseKey constant stops before Duo, with a typed error naming the placeholder', async () => {
    const h = duoHarness(universalSettings(emu, { usernameTemplate: templates }));
    let err: { code?: string; details?: Record<string, unknown> } = {};
    try {
      await h.service.beginActivation(admin(), 'duo');
    } catch (e) {
      err = e as typeof err;
    }
    expect(err.code).toBe('PROVIDER_ERROR');
    expect(err.details).toMatchObject({ missing: ['licenseKey'] });
  });
});

describe('Duo Free plan limit (duo-protocol.md §D.3; emulator maxUsers)', () => {
  it('universal and legacy: a new user past the limit is denied, existing users still sign in', async () => {
    // 3 users exist; one more enrolls, the next is past the limit of 4.
    const hu = duoHarness(universalSettings(emu, { usernameTemplate: templates }));
    const fourth = duoUser('c3', { email: 'client3@example.com' });
    expect((await activate(hu.service, fourth)).ok).toBe(true);
    expect(emu.users.count).toBe(4);

    const fifth = duoUser('c4', { email: 'client4@example.com' });
    expect(await codeOf(activate(hu.service, fifth))).toBe('PROVIDER_DENIED');
    const hl = duoHarness(legacySettings(emu, { usernameTemplate: templates, factor: 'push' }));
    expect(await codeOf(activate(hl.service, fifth))).toBe('PROVIDER_DENIED');
    expect(emu.users.count).toBe(4);

    const existing = duoUser('c1', { email: 'client1@example.com' });
    expect((await activate(hl.service, existing)).ok).toBe(true);
    emu.users.delete('client3@example.com');
  });
});

describe('admin reset of a user who lost a device ("reactivating a user")', () => {
  it('core adminReset removes the link; after the Duo admin deletes the Duo user, the user enrolls again', async () => {
    const h = duoHarness(universalSettings(emu, { usernameTemplate: templates }));
    const user = duoUser('c2', { email: 'client2@example.com' });
    expect((await activate(h.service, user)).ok).toBe(true);
    const reset = await h.service.adminReset({ actorId: 'admin-1', reason: 'lost phone' }, user);
    expect(reset.enrollmentsRemoved).toBe(1);
    expect(h.audit.ofType('admin.reset')).toHaveLength(1);
    emu.users.delete('client2@example.com');
    // Enrolling again: Duo's prompt offers enrollment for the now unknown user.
    expect((await activate(h.service, user)).ok).toBe(true);
    expect(emu.users.require('client2@example.com').devices).toHaveLength(1);
    expect((await signIn(h.service, user)).ok).toBe(true);
  });
});

describe('one version flag moves a deployment between Universal and the Auth API', () => {
  it('same stores, same host code: enrolled under universal, signs in under legacy and back', async () => {
    const stores = new MemoryStore();
    const encryptionKey = randomBytes(32).toString('base64');
    const clock = new FakeClock(Date.now());
    const deploy = (settings: Record<string, unknown>) =>
      createHarness({
        providers: [DuoProvider],
        settings: { duo: settings },
        stores,
        encryptionKey,
        clock,
      });
    const asUniversal = deploy(universalSettings(emu, { usernameTemplate: templates }));
    const asLegacy = deploy(legacySettings(emu, { usernameTemplate: templates, factor: 'push' }));
    const user = duoUser('c1', { email: 'client1@example.com' });

    expect((await activate(asUniversal.service, user)).ok).toBe(true);
    const viaLegacy = await signIn(asLegacy.service, user);
    expect(viaLegacy).toMatchObject({ ok: true, method: 'duo-push' });
    const viaUniversal = await signIn(asUniversal.service, user);
    expect(viaUniversal).toMatchObject({ ok: true, method: 'duo' });

    // A challenge begun under one version and answered after the switch is aborted.
    const ch = await asUniversal.service.beginChallenge(user, 'duo');
    expect(
      await codeOf(asLegacy.service.completeChallenge(ch.challengeId, user, { poll: true })),
    ).toBe('PROVIDER_ERROR');
  });
});
