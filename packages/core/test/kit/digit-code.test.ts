/**
 * canonicalDigits (IN-01, invariant 2): one normalisation (ASCII spaces out), then
 * exactly `digits` ASCII digits, or null.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalDigits, MAX_CODE_INPUT_LENGTH } from '../../src/index.js';
import { MALFORMED_INPUTS } from '../../src/testing/index.js';

describe('IN-01: canonicalDigits', () => {
  it('accepts the code with ASCII spaces anywhere, as apps display it', () => {
    for (const spelling of ['123456', ' 123456', '123456 ', '123 456', '1 2 3 4 5 6']) {
      expect(canonicalDigits(spelling, 6)).toBe('123456');
    }
    expect(canonicalDigits('00012345', 8)).toBe('00012345'); // leading zeros kept
  });

  it('refuses the IN-01 table and other spellings', () => {
    const extra = [
      '123456\n',
      '\t123456',
      '\u00a0123456',
      '123\u2009456',
      '12345',
      '1234567',
      '-12345',
      '۱۲۳۴۵۶',
      new String('123456'),
      Buffer.from('123456'),
      `${' '.repeat(MAX_CODE_INPUT_LENGTH - 5)}123456`,
    ];
    for (const bad of [...MALFORMED_INPUTS, ...extra]) expect(canonicalDigits(bad, 6)).toBeNull();
  });

  it('property: idempotent, and its output always matches ^[0-9]{digits}$', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.stringMatching(/^[0-9 ]{0,12}$/), fc.jsonValue()),
        fc.integer({ min: 4, max: 10 }),
        (input, digits) => {
          const c = canonicalDigits(input, digits);
          if (c === null) return;
          expect(c).toMatch(new RegExp(`^[0-9]{${digits}}$`));
          expect(canonicalDigits(c, digits)).toBe(c);
        },
      ),
      { numRuns: 500 },
    );
  });
});
