/**
 * Base32 (RFC 4648 §6) with strict decoding: the §10 test vectors both ways, and hostile input
 * refused with a typed INVALID_FORMAT error that never echoes the text (IN-04).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  InvalidArgumentError,
  InvalidFormatError,
  decodeBase32,
  encodeBase32,
} from '../../src/index.js';

// RFC 4648 §10, BASE32 column.
const RFC4648_VECTORS: readonly [string, string][] = [
  ['', ''],
  ['f', 'MY======'],
  ['fo', 'MZXQ===='],
  ['foo', 'MZXW6==='],
  ['foob', 'MZXW6YQ='],
  ['fooba', 'MZXW6YTB'],
  ['foobar', 'MZXW6YTBOI======'],
];

const bytes = (s: string) => new Uint8Array(Buffer.from(s, 'latin1'));

function refusedFor(text: string): string {
  try {
    decodeBase32(text);
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidFormatError);
    const e = err as InvalidFormatError;
    expect(e.code).toBe('INVALID_FORMAT');
    if (text.trim().length > 2) expect(e.message).not.toContain(text.trim());
    return String(e.details['reason']);
  }
  throw new Error(`expected ${JSON.stringify(text)} to be refused`);
}

describe('RFC 4648 §10 vectors', () => {
  for (const [plain, encoded] of RFC4648_VECTORS) {
    it(`"${plain}" <-> "${encoded}"`, () => {
      expect(encodeBase32(bytes(plain), { padding: true })).toBe(encoded);
      expect(encodeBase32(bytes(plain))).toBe(encoded.replace(/=+$/, ''));
      expect(Buffer.from(decodeBase32(encoded)).toString('latin1')).toBe(plain);
      expect(Buffer.from(decodeBase32(encoded.replace(/=+$/, ''))).toString('latin1')).toBe(plain);
    });
  }

  it('the Key Uri Format example key decodes to Hello!\\xDE\\xAD\\xBE\\xEF', () => {
    expect(Buffer.from(decodeBase32('JBSWY3DPEHPK3PXP')).toString('hex')).toBe(
      Buffer.from('Hello!\xde\xad\xbe\xef', 'latin1').toString('hex'),
    );
  });
});

describe('the one normalisation: as people type and paste keys', () => {
  it('accepts lower case, spaces between groups, tabs and line breaks', () => {
    for (const spelling of [
      'mzxw6ytboi',
      'MZXW 6YTB OI',
      'mzxw\t6ytb\r\noi======',
      ' MZXW6YTBOI ',
    ]) {
      expect(Buffer.from(decodeBase32(spelling)).toString('latin1')).toBe('foobar');
    }
  });

  it('property: decode(encode(x)) is x, padded or not, and encoding is canonical', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), fc.boolean(), (data, padding) => {
        const text = encodeBase32(data, { padding });
        expect(text).toMatch(padding ? /^([A-Z2-7]{8})*([A-Z2-7]{2,7}=*)?$/ : /^[A-Z2-7]*$/);
        if (padding) expect(text.length % 8).toBe(0);
        expect(decodeBase32(text)).toEqual(data);
        expect(decodeBase32(text.toLowerCase())).toEqual(data);
      }),
      { numRuns: 300 },
    );
  });
});

describe('hostile input is refused, typed, without echoing the text', () => {
  it('characters outside the alphabet: 0 1 8 9, punctuation, Unicode letters and spaces', () => {
    for (const c of [
      '0',
      '1',
      '8',
      '9',
      '-',
      '_',
      '+',
      '/',
      '.',
      'É',
      '\u00a0',
      '\u2009',
      '\u0000',
    ]) {
      expect(refusedFor(`MZXW${c}6YTBOI`)).toBe('alphabet');
    }
  });

  it('Unicode letters whose upper case is ASCII are not a second spelling (ı -> I, ſ -> S, ﬀ -> FF)', () => {
    expect(refusedFor('MZXW6YTBOı')).toBe('alphabet');
    expect(refusedFor('ſZXW6YTBOI')).toBe('alphabet');
    expect(refusedFor('MZXW6YTBOﬀ')).toBe('alphabet');
  });

  it('padding in the middle, too much, too little, or on a full group', () => {
    expect(refusedFor('MZXW=6YTBOI')).toBe('padding');
    expect(refusedFor('MY=====')).toBe('padding'); // 7 characters: one "=" short
    expect(refusedFor('MY=======')).toBe('padding'); // 9 characters: one too many
    expect(refusedFor('MZXW6YTB========')).toBe('padding'); // a whole group of padding
    expect(refusedFor('MZXW6YTBOI==')).toBe('padding');
  });

  it('lengths no byte count can produce (1, 3 or 6 characters in the last group)', () => {
    for (const text of ['M', 'MZX', 'MZXW6Y', 'MZXW6YTBM', 'M=======']) {
      expect(['length', 'padding']).toContain(refusedFor(text));
    }
    expect(refusedFor('MZXW6YTBM')).toBe('length');
  });

  it('non-zero trailing bits (a second spelling of the same bytes, or a typo) are refused', () => {
    // "f" is MY: the last 2 bits of Y (11000) are zero. MZ has them set.
    expect(refusedFor('MZ')).toBe('trailing-bits');
    expect(refusedFor('MZXW6YTBOJ')).toBe('trailing-bits');
  });

  it('a non-string is a programming error: InvalidArgumentError', () => {
    expect(() => decodeBase32(12345 as unknown as string)).toThrow(InvalidArgumentError);
  });

  it('property: any string either decodes to bytes that encode back to its canonical form, or is refused typed', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^[A-Za-z2-7= ]{0,20}$/)), (text) => {
        let decoded: Uint8Array;
        try {
          decoded = decodeBase32(text);
        } catch (err) {
          expect(err).toBeInstanceOf(InvalidFormatError);
          return;
        }
        const canonical = text
          .replace(/[ \t\r\n]/g, '')
          .toUpperCase()
          .replace(/=+$/, '');
        expect(encodeBase32(decoded)).toBe(canonical);
      }),
      { numRuns: 1000 },
    );
  });
});
