/**
 * otpauth:// URIs (Google's Key Uri Format; IN-03): label `enc(issuer):enc(account)` with no
 * raw ':' inside either part, `issuer=` equal to the label prefix, unpadded Base32, non-default
 * parameters only, and parse(generate(x)) = x, checked with otpauth's parser and with the WHATWG
 * URL parser (an independent reading of the same string).
 */
import { FactorkitError } from '@factorkit/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildOtpauthUri, parseOtpauthUri, type OtpauthFields } from '../src/uri.js';
import { TOTP_ALGORITHMS } from '../src/settings.js';
import { GOLDEN_URI } from './vectors.js';

const SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

/** Checks every rule of IN-03 on one URI. */
function checkUri(fields: OtpauthFields): void {
  const uri = buildOtpauthUri(fields);
  const url = new URL(uri);
  expect(url.protocol).toBe('otpauth:');
  expect(url.host).toBe('totp');
  const rawLabel = url.pathname.slice(1);
  // Exactly one raw ':' in the label: the separator. Neither part holds one.
  expect(rawLabel.split(':')).toHaveLength(2);
  const [rawIssuer, rawAccount] = rawLabel.split(':') as [string, string];
  expect(decodeURIComponent(rawIssuer)).toBe(fields.issuer);
  expect(decodeURIComponent(rawAccount)).toBe(fields.accountName);
  // issuer parameter equals the label prefix; the secret is unpadded Base32.
  expect(url.searchParams.get('issuer')).toBe(fields.issuer);
  expect(url.searchParams.get('secret')).toBe(fields.secret);
  expect(url.searchParams.get('secret')).toMatch(/^[A-Z2-7]+$/);
  // Only non-default parameters.
  expect(url.searchParams.get('algorithm')).toBe(
    fields.algorithm === 'SHA1' ? null : fields.algorithm,
  );
  expect(url.searchParams.get('digits')).toBe(fields.digits === 6 ? null : String(fields.digits));
  expect(url.searchParams.get('period')).toBe(fields.period === 30 ? null : String(fields.period));
  expect([...url.searchParams.keys()].sort()).toEqual(
    [
      'issuer',
      'secret',
      ...(fields.algorithm !== 'SHA1' ? ['algorithm'] : []),
      ...(fields.digits !== 6 ? ['digits'] : []),
      ...(fields.period !== 30 ? ['period'] : []),
    ].sort(),
  );
  // Round trip through otpauth's parser.
  expect(parseOtpauthUri(uri)).toEqual(fields);
}

describe('otpauth:// URI (IN-03, Key Uri Format)', () => {
  it('golden: the Key Uri Format example parses to its key bytes, and we build the equivalent URI', () => {
    const parsed = parseOtpauthUri(GOLDEN_URI.uri);
    expect(parsed).toEqual({
      issuer: GOLDEN_URI.issuer,
      accountName: GOLDEN_URI.accountName,
      secret: GOLDEN_URI.secret,
      algorithm: 'SHA1',
      digits: 6,
      period: 30,
    });
    expect(Buffer.from(decodeBase32(parsed.secret)).toString('hex')).toBe(GOLDEN_URI.keyHex);
    expect(buildOtpauthUri(parsed)).toBe(
      'otpauth://totp/Example:alice%40google.com?issuer=Example&secret=JBSWY3DPEHPK3PXP',
    );
  });

  it('non-default parameters are written, defaults are not', () => {
    expect(
      buildOtpauthUri({
        issuer: 'ACME Co',
        accountName: 'john',
        secret: SECRET,
        algorithm: 'SHA256',
        digits: 8,
        period: 60,
      }),
    ).toBe(
      `otpauth://totp/ACME%20Co:john?issuer=ACME%20Co&secret=${SECRET}&algorithm=SHA256&digits=8&period=60`,
    );
  });

  const awkward = [
    'a:b',
    'user:name@example.com',
    '100%',
    '%3A',
    'a%3Ab',
    'path/to/user',
    'what?',
    'a#b',
    'a&issuer=Evil',
    'first last',
    ' leading space',
    'trailing space ',
    'emoji 🔐👩‍💻',
    'עברית‎ RTL',
    '+plus+',
    "o'neil(1)*!",
  ];
  for (const accountName of awkward) {
    it(`round-trips the account name ${JSON.stringify(accountName)}`, () => {
      checkUri({
        issuer: 'Big Corp/Ops %',
        accountName,
        secret: SECRET,
        algorithm: 'SHA1',
        digits: 6,
        period: 30,
      });
    });
  }

  it('issuers with "&", "%", "/", spaces and emoji round-trip; an issuer with ":" is refused', () => {
    for (const issuer of ['A&B', '50% Off', 'a/b', 'Ünïcødé 🔑', '#1 Bank']) {
      checkUri({
        issuer,
        accountName: 'alice',
        secret: SECRET,
        algorithm: 'SHA512',
        digits: 8,
        period: 30,
      });
    }
    expect(() =>
      buildOtpauthUri({
        issuer: 'Evil:Corp',
        accountName: 'alice',
        secret: SECRET,
        algorithm: 'SHA1',
        digits: 6,
        period: 30,
      }),
    ).toThrow(FactorkitError);
  });

  it('a lone surrogate (not valid Unicode) is refused with a typed error, not a URIError', () => {
    expect(() =>
      buildOtpauthUri({
        issuer: 'X',
        accountName: 'bad\ud800',
        secret: SECRET,
        algorithm: 'SHA1',
        digits: 6,
        period: 30,
      }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it('property: any issuer without ":" and any account name round-trip with every rule holding', () => {
    const text = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 24 });
    fc.assert(
      fc.property(
        text.filter((s) => !s.includes(':') && !/\p{Cc}/u.test(s)),
        text,
        fc.uint8Array({ minLength: 16, maxLength: 64 }),
        fc.constantFrom(...TOTP_ALGORITHMS),
        fc.constantFrom(6, 8),
        fc.constantFrom(30, 60),
        (issuer, accountName, bytes, algorithm, digits, period) => {
          const secret = base32(bytes);
          checkUri({ issuer, accountName, secret, algorithm, digits, period });
        },
      ),
      { numRuns: 300 },
    );
  });
});

// Test-only RFC 4648 Base32 (independent of otpauth, to check what it encodes and decodes).
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
function base32(bytes: Uint8Array): string {
  let bits = '';
  for (const b of bytes) bits += b.toString(2).padStart(8, '0');
  bits = bits.padEnd(Math.ceil(bits.length / 5) * 5, '0');
  let out = '';
  for (let i = 0; i < bits.length; i += 5) out += ALPHABET[parseInt(bits.slice(i, i + 5), 2)];
  return out;
}
function decodeBase32(text: string): number[] {
  let bits = '';
  for (const c of text) bits += ALPHABET.indexOf(c).toString(2).padStart(5, '0');
  const out: number[] = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) out.push(parseInt(bits.slice(i, i + 8), 2));
  return out;
}
