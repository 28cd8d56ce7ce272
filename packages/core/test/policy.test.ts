/**
 * Policy ("Enable 2FA globally" per audience, not-enrolled action, providers per audience,
 * user disable, admin reset, enforcement dry-run) and admin actions (EN-03, EN-04).
 */
import { describe, expect, it } from 'vitest';
import { TwoFactorService, decideRequirement, loadDeploymentConfig } from '../src/index.js';
import { testUser } from '../src/testing/index.js';
import { clockHarness } from './support/setup.js';

/** A dry-run row with nobody in a grace period. */
const NO_GRACE = { grace: 0, graceDeadlines: null };

describe('requirement after the password', () => {
  it.each([
    [
      { force: false, notEnrolled: 'enroll' },
      ['a'],
      [],
      { action: 'skip', reason: 'not-required' },
    ],
    [{ force: true, notEnrolled: 'enroll' }, ['a'], [], { action: 'enroll', providers: ['a'] }],
    [{ force: true, notEnrolled: 'deny' }, ['a'], [], { action: 'deny', reason: 'not-enrolled' }],
    [{ force: true, notEnrolled: 'skip' }, ['a'], [], { action: 'skip', reason: 'not-required' }],
    [
      { force: true, notEnrolled: 'enroll' },
      [],
      [],
      { action: 'deny', reason: 'no-provider-available' },
    ],
    [
      { force: false, notEnrolled: 'enroll' },
      ['a', 'b'],
      ['b'],
      { action: 'challenge', providers: ['b'], factors: [], recoveryCodes: 3 },
    ],
    [
      { force: true, notEnrolled: 'deny' },
      ['a'],
      ['z'],
      // enrolled only in a factor no longer offered: recovery codes, never skip or enroll
      { action: 'challenge', providers: [], factors: [], recoveryCodes: 3 },
    ],
    [
      { force: false, notEnrolled: 'enroll' },
      ['a'],
      ['z'],
      { action: 'challenge', providers: [], factors: [], recoveryCodes: 3 },
    ],
    [undefined, ['a'], ['a'], { action: 'deny', reason: 'unknown-audience' }],
  ] as const)('%j with allowed %j and enrolled %j -> %j', (policy, allowed, enrolled, expected) => {
    expect(decideRequirement(policy, allowed, enrolled, 3)).toEqual(expected);
  });

  it('an enrolled user without codes whose factor was disabled is refused, never let through', () => {
    expect(decideRequirement({ force: false, notEnrolled: 'enroll' }, ['a'], ['z'], 0)).toEqual({
      action: 'deny',
      reason: 'no-provider-available',
    });
  });

  it('turning a provider off does not turn its users into password-only users', async () => {
    const h = clockHarness();
    const user = testUser();
    const codes = await h.enroll(user);
    const off = loadDeploymentConfig(
      {
        providers: { 'clock-code': { enabled: false } },
        encryption: {
          activeKeyId: 'k',
          keys: { k: h.config.encryption.keys['test']!.toString('base64') },
        },
      },
      h.registry,
    );
    const service = new TwoFactorService({ registry: h.registry, config: off, stores: h.stores });
    expect(await service.requirement(user)).toEqual({
      action: 'challenge',
      providers: [],
      factors: [],
      recoveryCodes: 10,
    });
    await expect(service.beginChallenge(user)).rejects.toMatchObject({
      code: 'NOT_ENROLLED',
      details: { recoveryCodes: true },
    });
    expect((await service.useRecoveryCode(user, codes[0])).ok).toBe(true);
  });

  it('audience names are own properties only (constructor, __proto__)', async () => {
    const h = clockHarness();
    expect(await h.service.requirement(testUser({ audience: 'constructor' }))).toEqual({
      action: 'deny',
      reason: 'unknown-audience',
    });
    await expect(h.service.requirement(testUser({ audience: '__proto__' }))).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });

  it('is per audience: forcing admins leaves clients optional', async () => {
    const h = clockHarness({
      policy: { audiences: { client: {}, admin: { force: true, notEnrolled: 'enroll' } } },
    });
    expect(await h.service.requirement(testUser())).toEqual({
      action: 'skip',
      reason: 'not-required',
    });
    expect(await h.service.requirement(testUser({ audience: 'admin' }))).toEqual({
      action: 'enroll',
      providers: ['clock-code'],
    });
    expect(await h.service.requirement(testUser({ audience: 'reseller' }))).toEqual({
      action: 'deny',
      reason: 'unknown-audience',
    });
  });

  it('EN-04: enforcement is recomputed at every step (a not-enrolled user cannot start a challenge)', async () => {
    const h = clockHarness({
      policy: { audiences: { client: { force: true, notEnrolled: 'enroll' } } },
    });
    await expect(h.service.beginChallenge(testUser())).rejects.toMatchObject({
      code: 'NOT_ENROLLED',
    });
  });
});

describe('user disable', () => {
  it('is refused where the audience does not allow it', async () => {
    const h = clockHarness({ policy: { audiences: { client: { allowUserDisable: false } } } });
    const user = testUser();
    await h.enroll(user);
    await expect(h.service.disable(user, 'clock-code')).rejects.toMatchObject({
      code: 'POLICY_DENIED',
    });
  });

  it('never removes the last factor while 2FA is forced', async () => {
    const h = clockHarness({ policy: { audiences: { client: { force: true } } } });
    const user = testUser();
    await h.enroll(user);
    await expect(h.service.disable(user, 'clock-code')).rejects.toMatchObject({
      code: 'POLICY_DENIED',
    });
  });

  it('removes the factor, its recovery codes (last factor) and pending challenges', async () => {
    const h = clockHarness();
    const user = testUser();
    const codes = await h.enroll(user);
    const ch = await h.service.beginChallenge(user);
    await h.service.disable(user, 'clock-code');
    expect(await h.service.requirement(user)).toEqual({ action: 'skip', reason: 'not-required' });
    expect((await h.service.recoveryCodeStatus(user)).remaining).toBe(0);
    await expect(h.service.completeChallenge(ch.challengeId, user, h.code())).rejects.toMatchObject(
      { code: 'CHALLENGE_NOT_FOUND' },
    );
    // Answered as a wrong code, so it does not tell a user without a factor apart (BF-07).
    await expect(h.service.useRecoveryCode(user, codes[0])).rejects.toMatchObject({
      code: 'INVALID_CODE',
      details: { notEnrolled: true },
    });
    expect(h.audit.ofType('deactivated')).toEqual([
      expect.objectContaining({ providerId: 'clock-code', by: 'user' }),
    ]);
    await expect(h.service.disable(user, 'clock-code')).rejects.toMatchObject({
      code: 'NOT_ENROLLED',
    });
  });
});

describe('admin reset (a user who lost a device)', () => {
  it('requires an actor and a reason', async () => {
    const h = clockHarness();
    const user = testUser();
    await expect(
      h.service.adminReset({ actorId: 'admin', reason: '' }, user),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(
      h.service.adminReset({ actorId: '', reason: 'lost phone' }, user),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(
      h.service.adminReset({ actorId: 'admin', reason: 'x'.repeat(501) }, user),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('EN-03b: removes every enrollment, code, pending step and failure; the user re-enrolls from scratch', async () => {
    const h = clockHarness({
      policy: { audiences: { client: { force: true, notEnrolled: 'enroll' } } },
    });
    const user = testUser();
    const codes = await h.enroll(user);
    const ch = await h.service.beginChallenge(user);
    await h.service.completeChallenge(ch.challengeId, user, '000000').catch(() => undefined);
    const result = await h.service.adminReset(
      { actorId: 'admin-1', reason: 'Lost phone; identity checked by video call' },
      user,
    );
    expect(result).toEqual({ enrollmentsRemoved: 1, devicesRevoked: 0 });
    expect(await h.service.requirement(user)).toEqual({
      action: 'enroll',
      providers: ['clock-code'],
    });
    expect(await h.service.throttleStatus(user)).toMatchObject({ failures: 0, locked: false });
    expect((await h.service.recoveryCodeStatus(user)).remaining).toBe(0);
    await expect(h.service.completeChallenge(ch.challengeId, user, h.code())).rejects.toMatchObject(
      { code: 'CHALLENGE_NOT_FOUND' },
    );
    const newCodes = await h.enroll(user);
    expect(newCodes.some((c) => codes.includes(c))).toBe(false);
    expect(h.audit.ofType('admin.reset')).toEqual([
      expect.objectContaining({
        userId: user.id,
        actorId: 'admin-1',
        reason: 'Lost phone; identity checked by video call',
        enrollmentsRemoved: 1,
      }),
    ]);
  });
});

describe('enforcement dry-run', () => {
  it('reports, per audience, who would be challenged, forced to enroll, refused or let through', async () => {
    const h = clockHarness();
    const clients = [testUser(), testUser(), testUser()];
    const admins = [testUser({ audience: 'admin' }), testUser({ audience: 'admin' })];
    await h.enroll(clients[0]!);
    await h.enroll(admins[0]!);
    const everyone = [...clients, ...admins];
    expect(await h.service.dryRunEnforcement(everyone)).toEqual({
      client: { users: 3, enrolled: 1, challenge: 1, enroll: 0, deny: 0, skip: 2, ...NO_GRACE },
      admin: { users: 2, enrolled: 1, challenge: 1, enroll: 0, deny: 0, skip: 1, ...NO_GRACE },
    });
    async function* stream() {
      for (const u of everyone) yield u;
    }
    expect(
      await h.service.dryRunEnforcement(stream(), {
        client: { force: true, notEnrolled: 'enroll' },
        admin: { force: true, notEnrolled: 'deny' },
      }),
    ).toEqual({
      client: { users: 3, enrolled: 1, challenge: 1, enroll: 2, deny: 0, skip: 0, ...NO_GRACE },
      admin: { users: 2, enrolled: 1, challenge: 1, enroll: 0, deny: 1, skip: 0, ...NO_GRACE },
    });
    // a dry-run changes nothing
    expect(await h.service.requirement(clients[1]!)).toEqual({
      action: 'skip',
      reason: 'not-required',
    });
  });

  it('counts an audience named like an Object member in a row of its own', async () => {
    const h = clockHarness();
    const users = [testUser({ audience: 'constructor' }), testUser({ audience: 'constructor' })];
    const report = await h.service.dryRunEnforcement(users);
    expect(Object.hasOwn(report, 'constructor')).toBe(true);
    expect(report['constructor']).toEqual({
      users: 2,
      enrolled: 0,
      challenge: 0,
      enroll: 0,
      deny: 2,
      skip: 0,
      ...NO_GRACE,
    });
  });
});
