// One TOTP check with a wrong code over a window of 3 steps (T-1, T, T+1), against the least any
// RFC 6238 verifier must do: per step one HMAC-SHA1, the dynamic truncation (RFC 4226 §5.3) and
// a constant-time compare, with the key already decoded. factorkit's TotpProvider.verify is
// the row with a goal; otpauth, otplib and speakeasy are each a row of their own against the
// same baseline, doing the same wrong-code check with their own ±1 window and their defaults
// (otplib 13's default crypto is its pure-JS noble plugin, as an application gets it; a second
// otplib row uses its node:crypto plugin, its fastest configuration, to be fair to it).
// A wrong code is the slow path everywhere: no early exit, every step is computed.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { ProviderRegistry } from '@factorkit/core';
import { createHarness } from '@factorkit/core/testing';
import { TotpProvider } from '@factorkit/provider-totp';
import * as OTPAuth from 'otpauth';
import { NodeCryptoPlugin } from '@otplib/plugin-crypto-node';
import * as otplib from 'otplib';
import speakeasy from 'speakeasy';

/** The baseline: a plain node:crypto RFC 6238 check of `code` over steps T-1..T+1. */
function plainVerify(key, code, nowMs) {
  const current = Math.floor(nowMs / 30_000);
  const given = Buffer.from(code);
  const counter = Buffer.alloc(8);
  let matched = false;
  for (let step = current - 1; step <= current + 1; step++) {
    counter.writeBigUInt64BE(BigInt(step));
    const mac = createHmac('sha1', key).update(counter).digest();
    const offset = mac[mac.length - 1] & 0x0f;
    const bin = mac.readUInt32BE(offset) & 0x7fffffff;
    const candidate = Buffer.from(String(bin % 1_000_000).padStart(6, '0'));
    if (timingSafeEqual(given, candidate)) matched = true;
  }
  return matched;
}

export default {
  id: 'totp',
  async run(b) {
    const h = createHarness({ providers: [TotpProvider] });
    // The provider reads time only from its clock; keep it on the wall clock like the others.
    const clock = { now: () => Date.now() };
    const registry = new ProviderRegistry({ clock });
    registry.register(TotpProvider);
    const provider = registry.get('totp');
    const ctx = {
      providerId: 'totp',
      // window 1 back and 1 forward: three steps, as the peers' ±1 windows.
      config: { ...h.config.providers['totp'].settings, window: 1, futureWindow: 1 },
      audience: 'client',
      constants: {},
    };
    const secret = new OTPAuth.Secret({ size: 20 });
    const base32 = secret.base32;
    const key = Buffer.from(secret.bytes);
    const enrollment = { secret: base32, algorithm: 'SHA1', digits: 6, period: 30 };
    const user = { id: 'bench-user', name: 'bench' };

    // A code that matches none of the steps near now (a chance match later is one in ~300,000).
    const totp = new OTPAuth.TOTP({ secret, algorithm: 'SHA1', digits: 6, period: 30 });
    const around = (t) =>
      [-2, -1, 0, 1, 2].map((d) => totp.generate({ timestamp: t + d * 30_000 }));
    const taken = new Set(around(Date.now()));
    let wrong = '000000';
    for (let i = 0; taken.has(wrong); i++) wrong = String(123456 + i * 7919).slice(-6);

    const baseline = { label: 'node:crypto loop', fn: () => plainVerify(key, wrong, Date.now()) };
    const nodeCrypto = new NodeCryptoPlugin();
    // Every side must refuse the wrong code and accept the right one, or its row means nothing.
    const checks = {
      baseline: (code) => plainVerify(key, code, Date.now()),
      factorkit: async (code) => (await provider.verify(ctx, user, enrollment, null, code)).ok,
      otpauth: (code) => totp.validate({ token: code, window: 1 }) !== null,
      otplib: async (code) =>
        (await otplib.verify({ secret: base32, token: code, epochTolerance: 30 })).valid,
      'otplib-node': (code) =>
        otplib.verifySync({ secret: base32, token: code, epochTolerance: 30, crypto: nodeCrypto })
          .valid,
      speakeasy: (code) =>
        speakeasy.totp.verify({ secret: base32, encoding: 'base32', token: code, window: 1 }),
    };
    const right = totp.generate();
    for (const [who, check] of Object.entries(checks)) {
      if ((await check(wrong)) !== false || (await check(right)) !== true)
        throw new Error(
          `${who} does not tell the right code from a wrong one: the bench is broken`,
        );
    }

    await b.compare({
      id: 'totp.verify.factorkit',
      title: 'TotpProvider.verify, wrong code, 3 steps',
      baseline,
      subject: {
        label: 'TotpProvider.verify',
        fn: () => provider.verify(ctx, user, enrollment, null, wrong),
      },
      goal: { max: 1.3 },
    });
    await b.compare({
      id: 'totp.verify.otpauth',
      title: 'peer: otpauth 9.5.2 TOTP.validate, wrong code, window 1',
      baseline,
      subject: {
        label: 'otpauth',
        // Parsing the stored Base32 secret is part of each check, as in factorkit's verify.
        fn: () =>
          new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(base32) }).validate({
            token: wrong,
            window: 1,
          }),
      },
    });
    await b.compare({
      id: 'totp.verify.otplib',
      title: 'peer: otplib 13.5.0 verify, wrong code, epochTolerance 30 s',
      baseline,
      subject: {
        label: 'otplib',
        fn: () => otplib.verify({ secret: base32, token: wrong, epochTolerance: 30 }),
      },
    });
    await b.compare({
      id: 'totp.verify.otplib-node',
      title: 'peer: otplib 13.5.0 verifySync + node:crypto plugin, wrong code, 30 s',
      baseline,
      subject: {
        label: 'otplib (node crypto)',
        fn: () =>
          otplib.verifySync({
            secret: base32,
            token: wrong,
            epochTolerance: 30,
            crypto: nodeCrypto,
          }),
      },
    });
    await b.compare({
      id: 'totp.verify.speakeasy',
      title: 'peer: speakeasy 2.0.0 totp.verify, wrong code, window 1',
      baseline,
      subject: {
        label: 'speakeasy',
        fn: () =>
          speakeasy.totp.verify({ secret: base32, encoding: 'base32', token: wrong, window: 1 }),
      },
    });
  },
};
