/**
 * Import of an existing Base32 secret (migration; IN-04, RFC 4226 §4 R6): normalised for
 * case, padding and whitespace; an invalid alphabet, a secret under 128 bits or one that does not
 * decode to whole bytes is refused with CONFIG_INVALID; never truncated; never echoed.
 */
import { ConfigValidationError, FactorkitError } from '@factorkit/core';
import { testUser } from '@factorkit/core/testing';
import { Secret } from 'otpauth';
import { describe, expect, it } from 'vitest';
import { totpImportInput } from '../src/import.js';
import { normaliseBase32Secret } from '../src/secret.js';
import { appCode, instance, shared } from './helpers.js';
import { RFC6238_SEEDS } from './vectors.js';

const SHA1_SEED = RFC6238_SEEDS.SHA1.base32; // 20 bytes
const SIXTEEN = 'GEZDGNBVGY3TQOJQGEZDGNBVGY'; // 16 bytes: 26 characters, last 2 bits zero

function refusal(input: unknown): ConfigValidationError {
  try {
    normaliseBase32Secret(input);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigValidationError);
    const e = err as ConfigValidationError;
    expect(e.code).toBe('CONFIG_INVALID');
    expect(e.issues[0]!.path).toBe('secret');
    if (typeof input === 'string' && input.length > 3) expect(e.message).not.toContain(input);
    return e;
  }
  throw new Error(`expected ${JSON.stringify(input)} to be refused`);
}

describe('IN-04: normaliseBase32Secret', () => {
  it('normalises case, "=" padding and whitespace to canonical unpadded upper-case Base32', () => {
    const lower = SHA1_SEED.toLowerCase();
    const grouped = SHA1_SEED.replace(/(.{4})/g, '$1 ');
    for (const input of [SHA1_SEED, lower, grouped, `\t${grouped}\n`, SIXTEEN]) {
      expect(normaliseBase32Secret(input)).toBe(input === SIXTEEN ? SIXTEEN : SHA1_SEED);
    }
    expect(normaliseBase32Secret(`${SIXTEEN.toLowerCase()}======`)).toBe(SIXTEEN); // 32 characters with padding
    // The bytes are exactly the original ones: nothing dropped (never truncated).
    expect(Secret.fromBase32(normaliseBase32Secret(grouped.toLowerCase())).latin1).toBe(
      RFC6238_SEEDS.SHA1.ascii,
    );
  });

  it('refuses characters outside the Base32 alphabet (0, 1, 8, 9, punctuation, Unicode)', () => {
    for (const c of ['0', '1', '8', '9', '-', '_', '+', '/', 'É', '\u00a0']) {
      const e = refusal(SHA1_SEED.slice(0, 10) + c + SHA1_SEED.slice(11));
      expect(e.issues[0]!.message).toMatch(/Base32 alphabet/);
    }
    refusal(`${SHA1_SEED.slice(0, 16)}=${SHA1_SEED.slice(16)}`); // "=" in the middle
  });

  it('refuses secrets under 128 bits', () => {
    const e = refusal('GEZDGNBVGY3TQOJQGEZDGNBV'); // 15 bytes (24 characters)
    expect(e.issues[0]!.message).toMatch(/120 bits; at least 128 bits/);
    refusal('JBSWY3DPEHPK3PXP'); // the 10-byte Key Uri Format example
    refusal('');
  });

  it('refuses text that does not decode to whole bytes instead of dropping bits', () => {
    refusal(`${SHA1_SEED}A`); // 33 characters: 5 bits too many
    refusal(`${SIXTEEN.slice(0, 25)}Z`); // 26 characters whose last 2 bits are not zero
    refusal(`${SIXTEEN}===`); // wrong padding length
  });

  it('refuses non-strings and oversized input', () => {
    for (const bad of [undefined, null, 12345, ['A'], { secret: SHA1_SEED }]) refusal(bad);
    refusal('A'.repeat(2000));
    refusal('A'.repeat(208)); // 130 bytes: above the 128-byte maximum
  });

  it('totpImportInput reports bad parameters by field, with the secret problem, at once', () => {
    try {
      totpImportInput('0000', '123456', { digits: 7, period: 45, algorithm: 'MD5' as 'SHA1' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigValidationError);
      expect((err as ConfigValidationError).issues.map((i) => i.path)).toEqual([
        'secret',
        'algorithm',
        'digits',
        'period',
      ]);
    }
  });
});

describe('importing a secret through activation (migration)', () => {
  it('with allowSecretImport, a user proves the old secret with a current code and then signs in with it', async () => {
    const s = shared();
    const h = instance(s, { allowSecretImport: true });
    const user = testUser();
    const old = { secret: SHA1_SEED, algorithm: 'SHA1' as const, digits: 6, period: 30 };
    const started = await h.service.beginActivation(user, 'totp');
    const input = totpImportInput(
      SHA1_SEED.toLowerCase().replace(/(.{4})/g, '$1 '),
      appCode(old, s.clock.now()),
    );
    const done = await h.service.completeActivation(started.activationId, user, input);
    expect(done.ok).toBe(true);
    s.clock.advance(30_000);
    const ch = await h.service.beginChallenge(user);
    await expect(
      h.service.completeChallenge(ch.challengeId, user, appCode(old, s.clock.now())),
    ).resolves.toMatchObject({ ok: true });
  });

  it('an imported secret with 8 digits and SHA256 keeps those parameters for sign-in', async () => {
    const s = shared();
    const h = instance(s, { allowSecretImport: true });
    const user = testUser();
    const old = {
      secret: RFC6238_SEEDS.SHA256.base32,
      algorithm: 'SHA256' as const,
      digits: 8,
      period: 60,
    };
    const started = await h.service.beginActivation(user, 'totp');
    await h.service.completeActivation(
      started.activationId,
      user,
      totpImportInput(old.secret, appCode(old, s.clock.now()), old),
    );
    s.clock.advance(60_000);
    const ch = await h.service.beginChallenge(user);
    expect(ch.prompt).toMatchObject({ kind: 'code-entry', digits: 8 });
    await expect(
      h.service.completeChallenge(ch.challengeId, user, appCode(old, s.clock.now())),
    ).resolves.toMatchObject({ ok: true });
  });

  it('without allowSecretImport (the default) an import is refused and enrolls nothing', async () => {
    const s = shared();
    const h = instance(s);
    const user = testUser();
    const old = { secret: SHA1_SEED, algorithm: 'SHA1' as const, digits: 6, period: 30 };
    const started = await h.service.beginActivation(user, 'totp');
    const err = await h.service
      .completeActivation(
        started.activationId,
        user,
        totpImportInput(SHA1_SEED, appCode(old, s.clock.now())),
      )
      .catch((e: unknown) => e);
    expect((err as FactorkitError).code).toBe('INVALID_FORMAT');
    expect(await h.service.listEnrollments(user)).toEqual([]);
  });

  it('an import with a wrong code, or a hand-made input with a weak secret, is refused', async () => {
    const s = shared();
    const h = instance(s, { allowSecretImport: true });
    const user = testUser();
    const old = { secret: SHA1_SEED, algorithm: 'SHA1' as const, digits: 6, period: 30 };
    const right = appCode(old, s.clock.now());
    const started = await h.service.beginActivation(user, 'totp');
    const wrong = await h.service
      .completeActivation(
        started.activationId,
        user,
        totpImportInput(SHA1_SEED, right === '000000' ? '111111' : '000000'),
      )
      .catch((e: unknown) => e);
    expect((wrong as FactorkitError).code).toBe('INVALID_CODE');
    const forged = {
      kind: 'totp-import',
      secret: 'JBSWY3DPEHPK3PXP',
      code: right,
      algorithm: 'SHA1',
      digits: 6,
      period: 30,
    };
    const weak = await h.service
      .completeActivation(started.activationId, user, forged)
      .catch((e: unknown) => e);
    expect((weak as FactorkitError).code).toBe('INVALID_FORMAT');
    expect(await h.service.listEnrollments(user)).toEqual([]);
  });
});
