/**
 * importSecret (IN-04; RFC 4226 §4 R6): Base32 or hex, normalised once, refused when
 * malformed, ambiguous or under 128 bits, never truncated and never echoed.
 */
import { describe, expect, it } from 'vitest';
import { InvalidFormatError, MIN_SHARED_SECRET_BYTES, importSecret } from '../../src/index.js';

const RFC4226_SECRET = '12345678901234567890'; // RFC 4226 Appendix D, 20 bytes
const AS_HEX = Buffer.from(RFC4226_SECRET, 'latin1').toString('hex');
const AS_BASE32 = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

function reasonFor(text: unknown, options?: Parameters<typeof importSecret>[1]): string {
  try {
    importSecret(text, options);
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidFormatError);
    const e = err as InvalidFormatError;
    if (typeof text === 'string' && text.length > 3) expect(e.message).not.toContain(text);
    return String(e.details['reason']);
  }
  throw new Error(`expected ${JSON.stringify(text)?.slice(0, 40)} to be refused`);
}

describe('importSecret', () => {
  it('reads Base32 and hex into the same bytes, and returns every form', () => {
    for (const text of [
      AS_BASE32,
      AS_BASE32.toLowerCase(),
      'GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ',
    ]) {
      const s = importSecret(text);
      expect(Buffer.from(s.bytes).toString('latin1')).toBe(RFC4226_SECRET);
      expect(s.base32).toBe(AS_BASE32);
      expect(s.hex).toBe(AS_HEX);
    }
    expect(importSecret(AS_HEX).base32).toBe(AS_BASE32);
    expect(importSecret(AS_HEX.toUpperCase(), { encoding: 'hex' }).hex).toBe(AS_HEX);
    expect(importSecret(`${AS_BASE32}`, { encoding: 'base32' }).hex).toBe(AS_HEX);
  });

  it('refuses secrets under 128 bits by default (RFC 4226 §4 R6), with the sizes in the message', () => {
    expect(MIN_SHARED_SECRET_BYTES).toBe(16);
    try {
      importSecret('JBSWY3DPEHPK3PXP'); // the 10-byte Key Uri Format example
      expect.unreachable();
    } catch (err) {
      const e = err as InvalidFormatError;
      expect(e.code).toBe('INVALID_FORMAT');
      expect(e.message).toMatch(/80 bits; at least 128 bits \(16 bytes\)/);
      expect(e.details).toEqual({ reason: 'too-short', bits: 80, minBits: 128 });
    }
    expect(reasonFor('')).toBe('too-short');
    expect(reasonFor('   ')).toBe('too-short');
    expect(reasonFor(AS_BASE32, { minBytes: 32 })).toBe('too-short');
  });

  it('refuses text that reads both as hex and as Base32 instead of guessing', () => {
    const ambiguous = 'abcdef234567abcdef234567abcdef23'; // 32 hex digits, no 0, 1, 8 or 9
    expect(reasonFor(ambiguous)).toBe('ambiguous');
    expect(importSecret(ambiguous, { encoding: 'hex' }).bytes.length).toBe(16);
    expect(importSecret(ambiguous, { encoding: 'base32' }).bytes.length).toBe(20);
  });

  it('refuses malformed hex and Base32 with the reason', () => {
    expect(reasonFor(`${AS_HEX}0`, { encoding: 'hex' })).toBe('alphabet'); // odd length
    expect(reasonFor(`0x${AS_HEX}`, { encoding: 'hex' })).toBe('alphabet');
    expect(reasonFor(`${AS_BASE32}A`, { encoding: 'base32' })).toBe('length');
    expect(
      reasonFor(`${AS_BASE32.slice(0, 10)}0${AS_BASE32.slice(11)}`, { encoding: 'base32' }),
    ).toBe('alphabet');
    expect(reasonFor(`${AS_BASE32}!`)).toBe('alphabet'); // neither encoding
  });

  it('refuses non-strings, oversized text and oversized secrets before or after decoding', () => {
    for (const bad of [
      undefined,
      null,
      20,
      [AS_BASE32],
      { secret: AS_BASE32 },
      Buffer.from(RFC4226_SECRET),
    ]) {
      expect(reasonFor(bad)).toBe('not-a-string');
    }
    expect(reasonFor('A'.repeat(100_000))).toBe('too-long');
    expect(reasonFor('Q'.repeat(208))).toBe('too-large'); // 130 bytes
    expect(importSecret('Q'.repeat(208), { maxBytes: 130 }).bytes.length).toBe(130);
  });
});
