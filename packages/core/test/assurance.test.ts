/**
 * Assurance-based policy (SECURITY.md AS-01..AS-05): providers declare what they prove, an
 * audience can ask for a property, and only factors that qualify are offered, enrolled or
 * accepted; every success carries its assurance and RFC 8176 `amr`.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  ConfigValidationError,
  MemoryStore,
  PolicyError,
  ProviderRegistrationError,
  ProviderRegistry,
  type SecondFactorSuccess,
  type TwoFactorUser,
} from '../src/index.js';
import { FakeClock, testUser } from '../src/testing/index.js';
import { ClockCodeProvider } from './support/clock-code-provider.js';
import { KeyLikeProvider } from './support/key-like-provider.js';
import { clockHarness, type ClockHarness } from './support/setup.js';

const OPEN = { audiences: { client: {}, admin: {} } };
const KEYS_FOR_ADMINS = {
  audiences: { client: {}, admin: { force: true, requirePhishingResistant: true } },
};

/**
 * Services over one store, clock and key, each with its own policy: how an operator turns a
 * requirement on for users who already enrolled.
 */
function deployment() {
  const shared = {
    stores: new MemoryStore(),
    clock: new FakeClock(),
    encryptionKey: randomBytes(32).toString('base64'),
  };
  return (policy: Record<string, unknown>, settings?: Record<string, unknown>) =>
    clockHarness({
      providers: [ClockCodeProvider, KeyLikeProvider],
      policy,
      ...shared,
      ...(settings ? { settings } : {}),
    });
}

async function enrollWith(h: ClockHarness, user: TwoFactorUser, providerId: string) {
  const a = await h.service.beginActivation(user, providerId);
  const done = await h.service.completeActivation(a.activationId, user, h.code());
  if (done.ok !== true) throw new Error('enrollment did not complete');
  h.clock.advance(30_000);
  return done;
}

async function signIn(
  h: ClockHarness,
  user: TwoFactorUser,
  providerId?: string,
): Promise<SecondFactorSuccess> {
  const { challengeId } = await h.service.beginChallenge(user, providerId);
  const r = await h.service.completeChallenge(challengeId, user, h.code());
  h.clock.advance(30_000);
  if (r.ok !== true) throw new Error('sign-in did not complete');
  return r;
}

describe('AS-01: providers declare what they prove, checked at registration', () => {
  const clock = new FakeClock();
  const claiming = (caps: Record<string, unknown>) => {
    const p = new KeyLikeProvider(clock);
    Object.defineProperty(p, 'capabilities', { value: { ...p.capabilities, ...caps } });
    return p;
  };

  it.each([
    [{ assurance: { phishingResistant: false, hardwareBound: true, aal: 3 } }, /aal 3 needs/],
    [{ assurance: { phishingResistant: true, hardwareBound: true, aal: 4 } }, /1, 2 or 3/],
    [{ assurance: { phishingResistant: 'yes', hardwareBound: true, aal: 2 } }, /booleans/],
    [{ amr: ['otp', 'push'] }, /"push", which is not an RFC 8176 value/],
    [{ amr: 'otp' }, /at most 8 RFC 8176 values/],
  ])('refuses %j', (caps, why) => {
    const registry = new ProviderRegistry({ clock });
    expect(() => registry.register(claiming(caps))).toThrow(ProviderRegistrationError);
    expect(() => new ProviderRegistry({ clock }).register(claiming(caps))).toThrow(why);
  });

  it('accepts a consistent claim, and a provider that claims nothing', () => {
    const registry = new ProviderRegistry({ clock });
    expect(() => registry.register(claiming({}))).not.toThrow();
    expect(() => registry.register(new ClockCodeProvider(clock))).not.toThrow();
  });
});

describe('AS-02: only factors that qualify are offered, enrolled and used', () => {
  it('an admin who must use a phishing-resistant factor is offered only the key', async () => {
    const h = deployment()(KEYS_FOR_ADMINS);
    const admin = testUser({ audience: 'admin' });
    expect(await h.service.requirement(admin)).toEqual({
      action: 'enroll',
      providers: ['key-like'],
    });
    expect(h.service.availableProviders(admin).map((p) => p.id)).toEqual(['key-like']);
    await expect(h.service.beginActivation(admin, 'clock-code')).rejects.toThrow(PolicyError);
    expect(h.service.availableProviders(testUser()).map((p) => p.id)).toEqual([
      'clock-code',
      'key-like',
    ]);
  });

  it('once the requirement is on, an admin with both factors is challenged on the key only', async () => {
    const open = deployment();
    const before = open(OPEN);
    const admin = testUser({ audience: 'admin' });
    await enrollWith(before, admin, 'clock-code');
    await enrollWith(before, admin, 'key-like');
    // A challenge begun on the code before the change cannot be finished after it.
    const stale = await before.service.beginChallenge(admin, 'clock-code');
    const after = open(KEYS_FOR_ADMINS);
    expect(await after.service.requirement(admin)).toMatchObject({
      action: 'challenge',
      providers: ['key-like'],
      factors: [{ providerId: 'key-like' }],
      recoveryCodes: 0,
    });
    await expect(after.service.beginChallenge(admin, 'clock-code')).rejects.toThrow(
      /does not use clock-code/,
    );
    await expect(
      after.service.completeChallenge(stale.challengeId, admin, after.code()),
    ).rejects.toMatchObject({ code: 'CHALLENGE_NOT_FOUND' });
    const ok = await signIn(after, admin);
    expect(ok.providerId).toBe('key-like');
  });

  it('the last qualifying factor cannot be removed while forced, even with another one left', async () => {
    const open = deployment();
    const before = open(OPEN);
    const admin = testUser({ audience: 'admin' });
    await enrollWith(before, admin, 'clock-code');
    await enrollWith(before, admin, 'key-like');
    const after = open(KEYS_FOR_ADMINS);
    await expect(after.service.disable(admin, 'key-like')).rejects.toMatchObject({
      code: 'POLICY_DENIED',
    });
    expect((await after.service.listEnrollments(admin)).map((e) => e.providerId)).toContain(
      'key-like',
    );
  });
});

describe('AS-02: a remembered device never stands in for a factor the audience asks for', () => {
  it('a token issued before the requirement does not skip after it, and no new one is issued', async () => {
    const open = deployment();
    const before = open({ audiences: { client: {}, admin: { rememberDeviceDays: 30 } } });
    const admin = testUser({ audience: 'admin' });
    await enrollWith(before, admin, 'key-like');
    const ok = await signIn(before, admin);
    const { token } = await before.service.rememberDevice(admin, { secondFactorAt: ok.at });
    expect(await before.service.requirement(admin, { deviceToken: token })).toMatchObject({
      action: 'skip',
      reason: 'trusted-device',
    });
    const strict = open({
      audiences: { client: {}, admin: { rememberDeviceDays: 30, requirePhishingResistant: true } },
    });
    expect(await strict.service.requirement(admin, { deviceToken: token })).toMatchObject({
      action: 'challenge',
      providers: ['key-like'],
    });
    const again = await signIn(strict, admin);
    await expect(
      strict.service.rememberDevice(admin, { secondFactorAt: again.at }),
    ).rejects.toMatchObject({ code: 'POLICY_DENIED' });
  });
});

describe('AS-02: any assurance requirement turns remembered devices off', () => {
  it('minAal 2: no device is remembered and an old token does not skip', async () => {
    const open = deployment();
    const user = testUser();
    const before = open(OPEN);
    await enrollWith(before, user, 'clock-code');
    const ok = await signIn(before, user);
    const { token } = await before.service.rememberDevice(user, { secondFactorAt: ok.at });
    const strict = open({ audiences: { client: { minAal: 2 } } });
    expect(await strict.service.requirement(user, { deviceToken: token })).toMatchObject({
      action: 'challenge',
    });
    const again = await signIn(strict, user);
    await expect(
      strict.service.rememberDevice(user, { secondFactorAt: again.at }),
    ).rejects.toMatchObject({ code: 'POLICY_DENIED' });
  });
});

describe('AS-04: an outage offers only recovery codes policy accepts', () => {
  it('with allowRecoveryCodes off, the outage error says no codes', async () => {
    const open = deployment();
    const user = testUser();
    const codes = (await enrollWith(open(OPEN), user, 'clock-code')).recoveryCodes!;
    expect(codes.length).toBeGreaterThan(0);
    const off = open({ audiences: { client: { allowRecoveryCodes: false } } });
    (off.registry.get('clock-code') as ClockCodeProvider).behaviour = { kind: 'unavailable' };
    const err = (await off.service.beginChallenge(user).catch((e: unknown) => e)) as {
      code: string;
      details: { recoveryCodes: boolean };
    };
    expect(err.code).toBe('PROVIDER_UNAVAILABLE');
    expect(err.details.recoveryCodes).toBe(false);
  });
});

describe('AS-03: a user whose factors fall short is told so, and the dry-run counts them', () => {
  it('an admin with only a code factor is refused with assurance-not-met, not offered to bind a new one', async () => {
    const open = deployment();
    const admin = testUser({ audience: 'admin' });
    await enrollWith(open(OPEN), admin, 'clock-code');
    const after = open(KEYS_FOR_ADMINS);
    expect(await after.service.requirement(admin)).toEqual({
      action: 'deny',
      reason: 'assurance-not-met',
    });
    // Someone holding only the password must not bind their own key (EN-04).
    await expect(after.service.beginActivation(admin, 'key-like')).rejects.toThrow(PolicyError);
    await expect(after.service.beginChallenge(admin)).rejects.toMatchObject({
      code: 'NOT_ENROLLED',
    });
  });

  it('the dry-run reports who a requirement would refuse before it is turned on', async () => {
    const open = deployment();
    const h = open(OPEN);
    const withCode = testUser({ audience: 'admin' });
    const withKey = testUser({ audience: 'admin' });
    await enrollWith(h, withCode, 'clock-code');
    await enrollWith(h, withKey, 'key-like');
    const report = await h.service.dryRunEnforcement([withCode, withKey], {
      admin: { force: true, requirePhishingResistant: true, allowRecoveryCodes: false },
    });
    expect(report['admin']).toMatchObject({ users: 2, challenge: 1, deny: 1 });
  });

  it('a requirement no configured provider meets is a config error naming them', () => {
    expect(() =>
      clockHarness({
        policy: { audiences: { admin: { requireHardwareBound: true, minAal: 3 } } },
      }),
    ).toThrow(ConfigValidationError);
    try {
      clockHarness({ policy: { audiences: { admin: { requirePhishingResistant: true } } } });
    } catch (err) {
      expect((err as ConfigValidationError).issues).toEqual([
        {
          path: 'policy.audiences.admin',
          message: expect.stringMatching(
            /requires a phishing-resistant factor, but none of its providers \(clock-code\)/,
          ) as string,
        },
      ]);
    }
    expect(() => clockHarness({ policy: { audiences: { admin: { minAal: 4 } } } })).toThrow(
      /minAal/,
    );
  });
});

describe('AS-04: recovery codes are limited per audience and by assurance', () => {
  it('allowRecoveryCodes false: none issued, none accepted, none regenerated, none counted', async () => {
    const h = deployment()({ audiences: { client: { allowRecoveryCodes: false } } });
    const user = testUser();
    const done = await enrollWith(h, user, 'clock-code');
    expect(done.recoveryCodes).toBeUndefined();
    await expect(h.service.regenerateRecoveryCodes(user)).rejects.toMatchObject({
      code: 'POLICY_DENIED',
    });
    await expect(h.service.useRecoveryCode(user, 'AAAA-BBBB-CCCC')).rejects.toMatchObject({
      code: 'POLICY_DENIED',
    });
    expect((await h.service.throttleStatus(user)).failures).toBe(0);
  });

  it('codes issued before the audience turned them off stop working, and come back when it turns them on', async () => {
    const open = deployment();
    const user = testUser();
    const codes = (await enrollWith(open(OPEN), user, 'clock-code')).recoveryCodes!;
    const off = open({ audiences: { client: { allowRecoveryCodes: false } } });
    expect(await off.service.requirement(user)).toMatchObject({ recoveryCodes: 0 });
    await expect(off.service.useRecoveryCode(user, codes[0])).rejects.toMatchObject({
      code: 'POLICY_DENIED',
    });
    const on = open(OPEN);
    expect((await on.service.useRecoveryCode(user, codes[0])).method).toBe('recovery-code');
  });

  it('a phishing-resistant audience does not accept recovery codes even when allowed', async () => {
    const open = deployment();
    const admin = testUser({ audience: 'admin' });
    const codes = (await enrollWith(open(OPEN), admin, 'key-like')).recoveryCodes!;
    const strict = open(KEYS_FOR_ADMINS);
    expect(await strict.service.requirement(admin)).toMatchObject({
      action: 'challenge',
      recoveryCodes: 0,
    });
    await expect(strict.service.useRecoveryCode(admin, codes[0])).rejects.toMatchObject({
      code: 'POLICY_DENIED',
    });
  });
});

describe('AS-05: every success carries its assurance and amr; nothing proves more than declared', () => {
  it('a code factor, a key and a recovery code each report what they prove', async () => {
    const h = deployment()(OPEN);
    const user = testUser();
    const codes = (await enrollWith(h, user, 'clock-code')).recoveryCodes!;
    await enrollWith(h, user, 'key-like');
    const code = await signIn(h, user, 'clock-code');
    expect(code.assurance).toEqual({ phishingResistant: false, hardwareBound: false, aal: 2 });
    expect(code.amr).toEqual(['mfa']);
    const key = await signIn(h, user, 'key-like');
    expect(key.assurance).toEqual({ phishingResistant: true, hardwareBound: true, aal: 3 });
    expect(key.amr).toEqual(['hwk', 'user']);
    expect(h.audit.ofType('verified').map((e) => [e.providerId, e.aal, e.amr])).toEqual([
      ['clock-code', 2, ['mfa']],
      ['key-like', 3, ['hwk', 'user']],
    ]);
    const recovery = await h.service.useRecoveryCode(user, codes[0]);
    expect(recovery.assurance.aal).toBe(2);
    expect(recovery.amr).toEqual(['otp']);
  });

  it('a provider may lower one success, never raise it, and a lowered success below policy is refused', async () => {
    const h = deployment()({ audiences: { client: { minAal: 2 } } });
    const user = testUser();
    await enrollWith(h, user, 'clock-code');
    const provider = h.registry.get('clock-code') as ClockCodeProvider;
    const counter = () => Math.floor(h.clock.now() / 30_000);
    provider.behaviour = {
      kind: 'verify-returns',
      value: {
        ok: true,
        counter: counter(),
        amr: ['otp'],
        assurance: { phishingResistant: true, hardwareBound: true, aal: 3 },
      },
    };
    const raised = await signIn(h, user);
    expect(raised.assurance).toEqual({ phishingResistant: false, hardwareBound: false, aal: 2 });
    expect(raised.amr).toEqual(['otp']);
    provider.behaviour = {
      kind: 'verify-returns',
      value: {
        ok: true,
        counter: counter(),
        amr: [],
        assurance: { phishingResistant: false, hardwareBound: false, aal: 1 },
      },
    };
    const { challengeId } = await h.service.beginChallenge(user);
    await expect(h.service.completeChallenge(challengeId, user, 'x')).rejects.toMatchObject({
      code: 'POLICY_DENIED',
    });
    expect(h.audit.ofType('failed').at(-1)).toMatchObject({ reason: 'ASSURANCE_NOT_MET' });
    // Not a guess: the failure budget is untouched.
    expect((await h.service.throttleStatus(user)).failures).toBe(0);
  });

  it('an AAL1 success (a bypass) resets no failure count and is never a recent second factor', async () => {
    const h = deployment()({ audiences: { client: {} } });
    const user = testUser();
    await enrollWith(h, user, 'clock-code');
    const { challengeId: bad } = await h.service.beginChallenge(user);
    await h.service.completeChallenge(bad, user, '000000').catch(() => undefined);
    const provider = h.registry.get('clock-code') as ClockCodeProvider;
    provider.behaviour = {
      kind: 'verify-returns',
      value: {
        ok: true,
        counter: Math.floor(h.clock.now() / 30_000),
        amr: [],
        assurance: { phishingResistant: false, hardwareBound: false, aal: 1 },
      },
    };
    const { challengeId } = await h.service.beginChallenge(user);
    const weak = await h.service.completeChallenge(challengeId, user, 'x');
    expect(weak).toMatchObject({ ok: true, at: 0, assurance: { aal: 1 } });
    expect((await h.service.throttleStatus(user)).failures).toBe(1);
    const at = (weak as SecondFactorSuccess).at;
    expect(h.service.isRecentSecondFactor(user, at).recent).toBe(false);
    await expect(h.service.rememberDevice(user, { secondFactorAt: at })).rejects.toMatchObject({
      code: 'STEP_UP_REQUIRED',
    });
  });

  it('an amr value outside RFC 8176 fails closed', async () => {
    const h = deployment()(OPEN);
    const user = testUser();
    await enrollWith(h, user, 'clock-code');
    const provider = h.registry.get('clock-code') as ClockCodeProvider;
    provider.behaviour = {
      kind: 'verify-returns',
      value: { ok: true, counter: Math.floor(h.clock.now() / 30_000), amr: ['push'] },
    };
    const { challengeId } = await h.service.beginChallenge(user);
    await expect(h.service.completeChallenge(challengeId, user, 'x')).rejects.toMatchObject({
      code: 'PROVIDER_ERROR',
    });
  });

  it('fail-open proves nothing: AAL1, no amr, and refused where policy asks for more', async () => {
    const open = deployment();
    const settings = { 'clock-code': { failOpenAudiences: ['client'] } };
    const user = testUser();
    const lax = open(OPEN, settings);
    await enrollWith(lax, user, 'clock-code');
    const provider = lax.registry.get('clock-code') as ClockCodeProvider;
    provider.behaviour = { kind: 'unavailable' };
    provider.healthy = false;
    const id = await lax.service
      .beginChallenge(user)
      .catch((e: { details: { challengeId: string } }) => e.details.challengeId);
    const granted = await lax.service.failOpen(id as string, user);
    expect(granted.assurance.aal).toBe(1);
    expect(granted.amr).toEqual([]);

    const strict = open({ audiences: { client: { minAal: 2 } } }, settings);
    const p2 = strict.registry.get('clock-code') as ClockCodeProvider;
    p2.behaviour = { kind: 'unavailable' };
    p2.healthy = false;
    const err = (await strict.service.beginChallenge(user).catch((e: unknown) => e)) as {
      details: { challengeId: string; failOpenPossible: boolean };
    };
    expect(err.details.failOpenPossible).toBe(false);
    await expect(strict.service.failOpen(err.details.challengeId, user)).rejects.toMatchObject({
      code: 'POLICY_DENIED',
    });
  });
});
