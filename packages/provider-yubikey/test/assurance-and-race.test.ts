/**
 * What a YubiKey OTP proves to assurance policy (YK-15), and the same OTP at two service
 * instances at once (YK-08): only core's compare-and-set stands between them when the server
 * has lost its replay state.
 */
import { randomBytes } from 'node:crypto';
import { MemoryStore } from '@factorkit/core';
import { FakeClock, createHarness, testUser } from '@factorkit/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { YubikeyProvider } from '../src/yubikey-provider.js';
import { enroll, outcomeOf, startRig, type Rig } from './helpers.js';

let rig: Rig;
beforeAll(async () => {
  rig = await startRig();
});
afterAll(async () => rig.cloud.close());

const policyFor = (admin: Record<string, unknown>) => ({ audiences: { client: {}, admin } });

describe('assurance', () => {
  it('YK-15: a policy requiring phishing resistance cannot be met by a YubiKey OTP', () => {
    // Core refuses the configuration itself: no audience can be left with only YubiKey OTP.
    expect(() =>
      createHarness({
        providers: [YubikeyProvider],
        settings: { yubikey: rig.settings },
        policy: policyFor({ requirePhishingResistant: true }),
      }),
    ).toThrow(/requires a phishing-resistant factor, but none of its providers \(yubikey\)/);
  });

  it('YK-15: a policy requiring a hardware-bound factor accepts it, with amr hwk and otp', async () => {
    const h = createHarness({
      providers: [YubikeyProvider],
      settings: { yubikey: rig.settings },
      policy: policyFor({ requireHardwareBound: true }),
    });
    const key = rig.newKey();
    const { user } = await enroll(h, key, testUser({ audience: 'admin' }));
    const ch = await h.service.beginChallenge(user);
    const ok = await h.service.completeChallenge(ch.challengeId, user, key.press());
    expect(ok.ok).toBe(true);
    expect((ok as { amr?: unknown }).amr).toEqual(['hwk', 'otp']);
  });
});

describe('two instances, one store', () => {
  it('YK-08: the same OTP at two instances at once, the server answering OK to all: one winner', async () => {
    const shared = {
      stores: new MemoryStore(),
      clock: new FakeClock(),
      encryptionKey: randomBytes(32).toString('base64'),
    };
    const make = () =>
      createHarness({
        providers: [YubikeyProvider],
        settings: { yubikey: rig.settings },
        policy: { throttle: { maxFailures: 100, freeFailures: 100, permanentLockAfter: 100 } },
        ...shared,
      });
    const instances = [make(), make()];
    const key = rig.newKey();
    const { user } = await enroll(instances[0]!, key);
    rig.cloud.fault = 'lose-state';
    try {
      for (let trial = 0; trial < 10; trial++) {
        const otp = key.press();
        const challenges = await Promise.all(
          Array.from({ length: 6 }, (_, i) => instances[i % 2]!.service.beginChallenge(user)),
        );
        const results = await Promise.all(
          challenges.map((ch, i) =>
            outcomeOf(instances[i % 2]!.service.completeChallenge(ch.challengeId, user, otp)),
          ),
        );
        expect(results.filter((r) => r === 'SUCCESS')).toHaveLength(1);
        expect(results.filter((r) => r === 'CODE_ALREADY_USED')).toHaveLength(5);
      }
    } finally {
      rig.cloud.fault = null;
    }
  });
});
