import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { Secret } from 'otpauth';
import { describe, expect, it } from 'vitest';
import { generateCode, hotpCode, keyFromBase32, timeStep } from '../src/otp.js';
import { selfTest } from '../src/self-test.js';
import { TOTP_ALGORITHMS } from '../src/settings.js';
import { ctx, directProvider, settings } from './helpers.js';
import {
  LARGE_STEPS,
  NEGATIVE_CONTROLS,
  RFC4226_SECRET_ASCII,
  RFC4226_VECTORS,
  RFC6238_SEEDS,
  RFC6238_VECTORS,
} from './vectors.js';

const user = { id: 'u1', audience: 'client', username: 'alice' };

describe('VEC-01: RFC 6238 Appendix B with the per-algorithm seeds of Errata 2866', () => {
  it('the Base32 seeds in the data file are the ASCII seeds', () => {
    for (const alg of TOTP_ALGORITHMS) {
      expect(Secret.fromBase32(RFC6238_SEEDS[alg].base32).latin1).toBe(RFC6238_SEEDS[alg].ascii);
    }
  });

  for (const vec of RFC6238_VECTORS) {
    it(`t=${vec.time} ${vec.algorithm}: ${vec.totp8} (8 digits) and ${vec.totp6} (6 digits) are generated and accepted at step ${vec.step}`, async () => {
      const secret = Secret.fromLatin1(RFC6238_SEEDS[vec.algorithm].ascii);
      expect(timeStep(vec.time * 1000, 30)).toBe(vec.step);
      expect(generateCode(secret, { algorithm: vec.algorithm, digits: 8 }, vec.step)).toBe(
        vec.totp8,
      );
      expect(generateCode(secret, { algorithm: vec.algorithm, digits: 6 }, vec.step)).toBe(
        vec.totp6,
      );
      // The verify loop's own HMAC (node:crypto) gives the same codes.
      expect(hotpCode(secret.bytes, vec.algorithm, 8, vec.step)).toBe(vec.totp8);
      expect(hotpCode(secret.bytes, vec.algorithm, 6, vec.step)).toBe(vec.totp6);
      // Through the provider: the enrollment holds the Base32 seed, time comes from the fake clock.
      const { provider, clock } = directProvider();
      clock.set(vec.time * 1000);
      const c = ctx(settings({ window: 0 }));
      for (const [digits, code] of [
        [8, vec.totp8],
        [6, vec.totp6],
      ] as const) {
        const enrollment = {
          secret: RFC6238_SEEDS[vec.algorithm].base32,
          algorithm: vec.algorithm,
          digits,
          period: 30,
        };
        await expect(provider.verify(c, user, enrollment, null, code)).resolves.toEqual({
          ok: true,
          counter: vec.step,
          method: 'totp',
        });
      }
    });
  }

  it('negative controls: the 20-byte seed reused with SHA256/SHA512 gives the known wrong values, which are refused', async () => {
    const sha1Seed = Secret.fromLatin1(RFC6238_SEEDS.SHA1.ascii);
    const { provider, clock } = directProvider();
    clock.set(59_000);
    for (const [algorithm, control] of [
      ['SHA256', NEGATIVE_CONTROLS.sha256WithSha1Seed],
      ['SHA512', NEGATIVE_CONTROLS.sha512WithSha1Seed],
    ] as const) {
      // The control is what the classic bug produces (so the test can tell the two apart) ...
      expect(generateCode(sha1Seed, { algorithm, digits: 8 }, 1)).toBe(control.wrong);
      // ... and the right seed does not produce it, and the provider does not accept it.
      expect(
        generateCode(
          Secret.fromLatin1(RFC6238_SEEDS[algorithm].ascii),
          { algorithm, digits: 8 },
          1,
        ),
      ).toBe(control.right);
      const enrollment = {
        secret: RFC6238_SEEDS[algorithm].base32,
        algorithm,
        digits: 8,
        period: 30,
      };
      await expect(
        provider.verify(
          ctx(settings({ window: 2, futureWindow: 1 })),
          user,
          enrollment,
          null,
          control.wrong,
        ),
      ).resolves.toEqual({
        ok: false,
        reason: 'INVALID_CODE',
      });
    }
  });

  it('CF-04: the run-time self-test passes for every algorithm', async () => {
    expect(selfTest(TOTP_ALGORITHMS)).toEqual([]);
    const { provider } = directProvider();
    for (const algorithm of TOTP_ALGORITHMS) {
      await expect(provider.healthCheck(ctx(settings({ algorithm })))).resolves.toMatchObject({
        healthy: true,
      });
    }
  });
});

describe('VEC-02: RFC 4226 Appendix D (HOTP, SHA-1)', () => {
  const secret = Secret.fromLatin1(RFC4226_SECRET_ASCII);
  for (const vec of RFC4226_VECTORS) {
    it(`count ${vec.count}: ${vec.hotp6} (6 digits), ${vec.hotp8} (8 digits)`, () => {
      expect(generateCode(secret, { algorithm: 'SHA1', digits: 6 }, vec.count)).toBe(vec.hotp6);
      expect(generateCode(secret, { algorithm: 'SHA1', digits: 8 }, vec.count)).toBe(vec.hotp8);
      expect(hotpCode(secret.bytes, 'SHA1', 6, vec.count)).toBe(vec.hotp6);
      expect(hotpCode(secret.bytes, 'SHA1', 8, vec.count)).toBe(vec.hotp8);
      // The data file itself: HMAC and dynamic truncation (RFC 4226 §5.3) agree with node:crypto.
      const hmac = createHmac('sha1', RFC4226_SECRET_ASCII)
        .update(Buffer.from(vec.count.toString(16).padStart(16, '0'), 'hex'))
        .digest();
      expect(hmac.toString('hex')).toBe(vec.hmacHex);
      const offset = hmac[19]! & 0xf;
      expect(hmac.readUInt32BE(offset) & 0x7fffffff).toBe(vec.truncatedDec);
      expect(String(vec.truncatedDec % 1e6).padStart(6, '0')).toBe(vec.hotp6);
    });
  }

  it('TOTP SHA1 at T = 1 equals HOTP count 1 (a cross-check of the two RFCs)', () => {
    expect(RFC6238_VECTORS[0]!.totp8).toBe(RFC4226_VECTORS[1]!.hotp8);
  });
});

describe('VEC-03: large T, step boundaries, leading zeros (RFC 6238 §4)', () => {
  for (const big of LARGE_STEPS) {
    it(`T = ${big.step} (beyond 2^32) gives ${big.right}, not the 32-bit truncated ${big.truncated}`, async () => {
      expect(timeStep(big.time * 1000, 30)).toBe(big.step);
      const { provider, clock } = directProvider();
      clock.set(big.time * 1000);
      const enrollment = {
        secret: RFC6238_SEEDS.SHA1.base32,
        algorithm: 'SHA1' as const,
        digits: 8,
        period: 30,
      };
      const c = ctx(settings({ window: 0 }));
      await expect(provider.verify(c, user, enrollment, null, big.right)).resolves.toEqual({
        ok: true,
        counter: big.step,
        method: 'totp',
      });
      await expect(provider.verify(c, user, enrollment, null, big.truncated)).resolves.toEqual({
        ok: false,
        reason: 'INVALID_CODE',
      });
    });
  }

  it('t = 20000000000 s (year 2603) reproduces 65353130', async () => {
    const { provider, clock } = directProvider();
    clock.set(20_000_000_000_000);
    const enrollment = {
      secret: RFC6238_SEEDS.SHA1.base32,
      algorithm: 'SHA1' as const,
      digits: 8,
      period: 30,
    };
    await expect(
      provider.verify(ctx(settings({ window: 0 })), user, enrollment, null, '65353130'),
    ).resolves.toMatchObject({ ok: true });
  });

  it('every second of a step gives the same code; the step changes exactly at 30k (and 60k for period 60)', () => {
    const secret = Secret.fromLatin1(RFC6238_SEEDS.SHA1.ascii);
    for (const period of [30, 60]) {
      for (const k of [1, 37037036, 2 ** 32]) {
        const start = k * period * 1000;
        expect(timeStep(start - 1, period)).toBe(k - 1);
        for (let ms = start; ms < start + period * 1000; ms += 500)
          expect(timeStep(ms, period)).toBe(k);
        expect(timeStep(start + period * 1000, period)).toBe(k + 1);
        expect(timeStep(start + period * 1000 - 1, period)).toBe(k);
      }
    }
    // 07081804 keeps its leading zero, as a string of exactly 8 digits.
    expect(generateCode(secret, { algorithm: 'SHA1', digits: 8 }, 37037036)).toBe('07081804');
  });

  it('leading zeros: "07081804" is accepted; the number 7081804 and the 7-digit string are INVALID_FORMAT', async () => {
    const { provider, clock } = directProvider();
    clock.set(1111111109_000);
    const enrollment = {
      secret: RFC6238_SEEDS.SHA1.base32,
      algorithm: 'SHA1' as const,
      digits: 8,
      period: 30,
    };
    const c = ctx(settings({ window: 0 }));
    await expect(provider.verify(c, user, enrollment, null, '07081804')).resolves.toMatchObject({
      ok: true,
      counter: 37037036,
    });
    await expect(provider.verify(c, user, enrollment, null, 7081804)).resolves.toEqual({
      ok: false,
      reason: 'INVALID_FORMAT',
    });
    await expect(provider.verify(c, user, enrollment, null, '7081804')).resolves.toEqual({
      ok: false,
      reason: 'INVALID_FORMAT',
    });
  });

  it('property: for any seed, time, digits and algorithm the code has exactly N digits and is constant within its step', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 16, maxLength: 64 }),
        fc.integer({ min: 0, max: 2 ** 40 }),
        fc.constantFrom(6, 8),
        fc.constantFrom(...TOTP_ALGORITHMS),
        fc.constantFrom(30, 60),
        (bytes, seconds, digits, algorithm, period) => {
          const secret = new Secret({ buffer: Uint8Array.from(bytes).buffer });
          const step = Math.floor(seconds / period);
          const code = generateCode(
            secret,
            { algorithm, digits },
            timeStep(seconds * 1000, period),
          );
          expect(code).toMatch(new RegExp(`^[0-9]{${digits}}$`));
          expect(
            generateCode(secret, { algorithm, digits }, timeStep(step * period * 1000, period)),
          ).toBe(code);
          expect(
            generateCode(
              secret,
              { algorithm, digits },
              timeStep((step + 1) * period * 1000 - 1, period),
            ),
          ).toBe(code);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("property: the verify loop's node:crypto HOTP gives otpauth's code for any seed, counter, digits and algorithm", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 16, maxLength: 64 }),
        fc.integer({ min: 0, max: 2 ** 40 }),
        fc.constantFrom(6, 8),
        fc.constantFrom(...TOTP_ALGORITHMS),
        (bytes, counter, digits, algorithm) => {
          const secret = new Secret({ buffer: Uint8Array.from(bytes).buffer });
          expect(hotpCode(secret.bytes, algorithm, digits, counter)).toBe(
            generateCode(secret, { algorithm, digits }, counter),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it("the verify loop's key is otpauth's decoding of the Base32 secret, also for one core's strict decoder refuses", () => {
    for (const base32 of [
      RFC6238_SEEDS.SHA1.base32,
      RFC6238_SEEDS.SHA256.base32,
      'AB',
      'ABCDEFGHI',
    ])
      expect([...keyFromBase32(base32)]).toEqual([...Secret.fromBase32(base32).bytes]);
  });
});
