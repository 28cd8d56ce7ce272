/**
 * Input handling (IN-01; ASVS 2.2.1, 15.3.5; invariant 2: one canonicalisation, first) and
 * constant-time comparison (SS-06; ASVS 11.2.4). The documented rule: the input must be a
 * string of at most 64 characters; ASCII spaces are removed; the rest must be exactly `digits`
 * ASCII digits. Anything else is INVALID_FORMAT, before any HMAC is computed.
 */
import * as crypto from 'node:crypto';
import { MALFORMED_INPUTS } from '@factorkit/core/testing';
import fc from 'fast-check';
import { HOTP } from 'otpauth';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { canonicalCode } from '../src/input.js';
import { appCode, ctx, directProvider, settings } from './helpers.js';
import { RFC6238_SEEDS } from './vectors.js';

// Wrap node:crypto's timingSafeEqual and createHmac so the test can count calls (the real
// functions still run). The verify loop computes its HMACs with node:crypto (otp.ts).
vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:crypto')>();
  return {
    ...real,
    timingSafeEqual: vi.fn(real.timingSafeEqual),
    createHmac: vi.fn(real.createHmac),
  };
});

const user = { id: 'u1', audience: 'client', username: 'alice' };
const enrollment = {
  secret: RFC6238_SEEDS.SHA1.base32,
  algorithm: 'SHA1' as const,
  digits: 6,
  period: 30,
};
const NOW = Date.UTC(2030, 0, 1, 12, 0, 10);

afterEach(() => {
  vi.restoreAllMocks();
  vi.mocked(crypto.timingSafeEqual).mockClear();
  vi.mocked(crypto.createHmac).mockClear();
});

/** Counts the HMACs computed from here on: otpauth's generator and the verify loop's own. */
function countHmacs() {
  const generate = vi.spyOn(HOTP, 'generate');
  const hmac = vi.mocked(crypto.createHmac);
  hmac.mockClear();
  return () => generate.mock.calls.length + hmac.mock.calls.length;
}

describe('IN-01: malformed input is INVALID_FORMAT before any HMAC work', () => {
  const code = appCode(enrollment, NOW);
  const extra: unknown[] = [
    `${code}\n`,
    `\t${code}`,
    `\u00a0${code}`,
    `${code.slice(0, 3)}\u2009${code.slice(3)}`,
    code.slice(0, 5),
    `${code}0`,
    `-${code.slice(1)}`,
    Number(code),
    { code },
    { code, timestamp: 0 },
    new String(code),
    Buffer.from(code),
    `${' '.repeat(60)}${code}`,
    '１２３４５６',
    '١٢٣٤٥٦',
    '۱۲۳۴۵۶',
  ];
  for (const bad of [...MALFORMED_INPUTS, ...extra]) {
    it(`refuses ${JSON.stringify(bad)?.slice(0, 40) ?? String(bad)} without computing an HMAC`, async () => {
      const { provider, clock } = directProvider();
      clock.set(NOW);
      const hmacs = countHmacs();
      await expect(provider.verify(ctx(), user, enrollment, null, bad)).resolves.toEqual({
        ok: false,
        reason: 'INVALID_FORMAT',
      });
      expect(hmacs()).toBe(0);
    });
  }

  it('control: a well-formed wrong code does compute HMACs (so the spy above can see them) and is INVALID_CODE', async () => {
    const { provider, clock } = directProvider();
    clock.set(NOW);
    const hmacs = countHmacs();
    const wrong = code === '000000' ? '111111' : '000000';
    await expect(provider.verify(ctx(), user, enrollment, null, wrong)).resolves.toEqual({
      ok: false,
      reason: 'INVALID_CODE',
    });
    expect(hmacs()).toBe(2); // T-1 and T with the default window
  });

  it('the normalisation: ASCII spaces anywhere are removed, once; the result is the same code', async () => {
    const { provider, clock } = directProvider();
    clock.set(NOW);
    for (const spelling of [
      code,
      ` ${code}`,
      `${code} `,
      `${code.slice(0, 3)} ${code.slice(3)}`,
      code.split('').join(' '),
    ]) {
      await expect(provider.verify(ctx(), user, enrollment, null, spelling)).resolves.toMatchObject(
        { ok: true },
      );
    }
  });

  it('property: canonicalCode is idempotent and its output always matches ^[0-9]{digits}$', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.stringMatching(/^[0-9 ]{0,12}$/), fc.jsonValue()),
        fc.constantFrom(6, 8),
        (input, digits) => {
          const c = canonicalCode(input, digits);
          if (c !== null) {
            expect(c).toMatch(new RegExp(`^[0-9]{${digits}}$`));
            expect(canonicalCode(c, digits)).toBe(c);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('property: for any JSON value, verify gives ok, INVALID_FORMAT or INVALID_CODE, and ok only when the canonical form is the code', async () => {
    const { provider, clock } = directProvider();
    clock.set(NOW);
    const spaced = fc
      .array(fc.constantFrom('', ' ', '  '), { minLength: 7, maxLength: 7 })
      .map((gaps) => gaps.map((g, i) => g + (code[i] ?? '')).join(''));
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.jsonValue(), fc.string(), spaced), async (input) => {
        const r = await provider.verify(ctx(), user, enrollment, null, input);
        if (r.ok) expect(canonicalCode(input, 6)).toBe(code);
        else expect(['INVALID_FORMAT', 'INVALID_CODE']).toContain(r.reason);
        if (canonicalCode(input, 6) === code) expect(r.ok).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe('SS-06: constant-time comparison over every window candidate, no early exit', () => {
  it('a code matching the first candidate still compares all candidates with timingSafeEqual', async () => {
    const { provider, clock } = directProvider();
    clock.set(NOW);
    const c = ctx(settings({ window: 2, futureWindow: 1 }));
    const oldest = appCode(enrollment, NOW - 60_000); // T-2: the first candidate checked
    const tse = vi.mocked(crypto.timingSafeEqual);
    tse.mockClear();
    await expect(provider.verify(c, user, enrollment, null, oldest)).resolves.toMatchObject({
      ok: true,
    });
    expect(tse).toHaveBeenCalledTimes(4); // T-2, T-1, T, T+1
    tse.mockClear();
    await expect(
      provider.verify(c, user, enrollment, null, appCode(enrollment, NOW + 30_000)),
    ).resolves.toMatchObject({ ok: true });
    expect(tse).toHaveBeenCalledTimes(4);
    tse.mockClear();
    await expect(
      provider.verify(c, user, enrollment, null, oldest === '000000' ? '999999' : '000000'),
    ).resolves.toMatchObject({ ok: false });
    expect(tse).toHaveBeenCalledTimes(4);
  });
});
