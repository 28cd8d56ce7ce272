/**
 * Cross-check against an independent implementation nobody here wrote: OATH Toolkit's `oathtool`
 * (Debian package `oathtool`; CI installs it). It reads the secret the provider enrolled and
 * generates codes, which must be accepted through the service, for every algorithm and digit count
 * both sides support (oathtool: SHA1/SHA256/SHA512 and 6-8 digits; the provider: 6 or 8 digits).
 * Not skipped when oathtool is missing: the test fails, so CI cannot pass without it.
 */
import { execFileSync } from 'node:child_process';
import { FactorkitError } from '@factorkit/core';
import { testUser } from '@factorkit/core/testing';
import { describe, expect, it } from 'vitest';
import { TOTP_ALGORITHMS } from '../src/settings.js';
import { secretOf, instance, shared } from './helpers.js';

function oathtool(
  secret: string,
  algorithm: string,
  digits: number,
  period: number,
  nowMs: number,
): string {
  const out = execFileSync(
    'oathtool',
    [
      `--totp=${algorithm}`,
      '--base32',
      `--digits=${digits}`,
      `--time-step-size=${period}s`,
      `--now=@${Math.floor(nowMs / 1000)}`,
      secret,
    ],
    { encoding: 'utf8', timeout: 10_000 },
  );
  return out.trim();
}

describe('oathtool (OATH Toolkit) generates codes the provider accepts', () => {
  it('oathtool itself reproduces RFC 6238 (SHA256, t = 59) so the cross-check is meaningful', () => {
    expect(
      oathtool('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZA', 'SHA256', 8, 30, 59_000),
    ).toBe('46119246');
  });

  for (const algorithm of TOTP_ALGORITHMS) {
    for (const digits of [6, 8]) {
      for (const period of [30, 60]) {
        it(`${algorithm}, ${digits} digits, ${period} s: activation and sign-in with oathtool codes; a stale one is refused`, async () => {
          const s = shared();
          s.clock.set(Date.UTC(2031, 4, 6, 7, 8, 9));
          const h = instance(s, { algorithm, digits, period });
          const user = testUser();
          const started = await h.service.beginActivation(user, 'totp');
          const secret = secretOf(started.prompt);
          // Unpadded Base32 of 20, 32 or 64 random bytes (the HMAC output length, RFC 6238 §5.1).
          expect(secret).toMatch(
            new RegExp(`^[A-Z2-7]{${{ SHA1: 32, SHA256: 52, SHA512: 103 }[algorithm]}}$`),
          );
          const done = await h.service.completeActivation(
            started.activationId,
            user,
            oathtool(secret, algorithm, digits, period, s.clock.now()),
          );
          expect(done.ok).toBe(true);

          s.clock.advance(period * 1000);
          const ch = await h.service.beginChallenge(user);
          const code = oathtool(secret, algorithm, digits, period, s.clock.now());
          expect(code).toMatch(new RegExp(`^[0-9]{${digits}}$`));
          await expect(
            h.service.completeChallenge(ch.challengeId, user, code),
          ).resolves.toMatchObject({ ok: true, method: 'totp' });

          // A code oathtool made for 5 steps ago is outside the window: INVALID_CODE, not success.
          s.clock.advance(period * 1000);
          const stale = oathtool(
            secret,
            algorithm,
            digits,
            period,
            s.clock.now() - 5 * period * 1000,
          );
          const fresh = oathtool(secret, algorithm, digits, period, s.clock.now());
          expect(stale).not.toBe(fresh); // equal only with probability 10^-digits
          const ch2 = await h.service.beginChallenge(user);
          const err = await h.service
            .completeChallenge(ch2.challengeId, user, stale)
            .catch((e: unknown) => e);
          expect(err).toBeInstanceOf(FactorkitError);
          expect((err as FactorkitError).code).toBe('INVALID_CODE');
        });
      }
    }
  }
});
