/**
 * RFC test vectors, shared by every test that needs them: RFC 6238 Appendix B with the
 * per-algorithm seeds of Errata 2866, and RFC 4226 Appendix D (VEC-01..VEC-03 in
 * docs/SECURITY.md). The 6-digit values and the negative controls were recomputed independently.
 */
import type { TotpAlgorithm } from '../src/settings.js';

/** Errata 2866: the Appendix A reference code seeds each algorithm with its own length. */
export const RFC6238_SEEDS: Readonly<Record<TotpAlgorithm, { ascii: string; base32: string }>> = {
  SHA1: { ascii: '12345678901234567890', base32: 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ' },
  SHA256: {
    ascii: '12345678901234567890123456789012',
    base32: 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZA',
  },
  SHA512: {
    ascii: '1234567890123456789012345678901234567890123456789012345678901234',
    base32:
      'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNA',
  },
};

export interface TotpVector {
  /** Unix time in seconds. */
  readonly time: number;
  /** T = floor(time / 30). */
  readonly step: number;
  readonly algorithm: TotpAlgorithm;
  /** 8 digits, verbatim from the RFC. */
  readonly totp8: string;
  /** 6 digits, derived (the last 6 digits of the 8-digit value). */
  readonly totp6: string;
}

/** RFC 6238 Appendix B: X = 30, T0 = 0. */
export const RFC6238_VECTORS: readonly TotpVector[] = [
  { time: 59, step: 1, algorithm: 'SHA1', totp8: '94287082', totp6: '287082' },
  { time: 59, step: 1, algorithm: 'SHA256', totp8: '46119246', totp6: '119246' },
  { time: 59, step: 1, algorithm: 'SHA512', totp8: '90693936', totp6: '693936' },
  { time: 1111111109, step: 37037036, algorithm: 'SHA1', totp8: '07081804', totp6: '081804' },
  { time: 1111111109, step: 37037036, algorithm: 'SHA256', totp8: '68084774', totp6: '084774' },
  { time: 1111111109, step: 37037036, algorithm: 'SHA512', totp8: '25091201', totp6: '091201' },
  { time: 1111111111, step: 37037037, algorithm: 'SHA1', totp8: '14050471', totp6: '050471' },
  { time: 1111111111, step: 37037037, algorithm: 'SHA256', totp8: '67062674', totp6: '062674' },
  { time: 1111111111, step: 37037037, algorithm: 'SHA512', totp8: '99943326', totp6: '943326' },
  { time: 1234567890, step: 41152263, algorithm: 'SHA1', totp8: '89005924', totp6: '005924' },
  { time: 1234567890, step: 41152263, algorithm: 'SHA256', totp8: '91819424', totp6: '819424' },
  { time: 1234567890, step: 41152263, algorithm: 'SHA512', totp8: '93441116', totp6: '441116' },
  { time: 2000000000, step: 66666666, algorithm: 'SHA1', totp8: '69279037', totp6: '279037' },
  { time: 2000000000, step: 66666666, algorithm: 'SHA256', totp8: '90698825', totp6: '698825' },
  { time: 2000000000, step: 66666666, algorithm: 'SHA512', totp8: '38618901', totp6: '618901' },
  { time: 20000000000, step: 666666666, algorithm: 'SHA1', totp8: '65353130', totp6: '353130' },
  { time: 20000000000, step: 666666666, algorithm: 'SHA256', totp8: '77737706', totp6: '737706' },
  { time: 20000000000, step: 666666666, algorithm: 'SHA512', totp8: '47863826', totp6: '863826' },
];

/** Negative controls (VEC-01, VEC-03): what a buggy implementation returns. */
export const NEGATIVE_CONTROLS = {
  /** The 20-byte SHA1 seed used with SHA256 at t = 59 (speakeasy#76): must not be accepted. */
  sha256WithSha1Seed: { time: 59, wrong: '32247374', right: '46119246' },
  /** The 20-byte SHA1 seed used with SHA512 at t = 59. */
  sha512WithSha1Seed: { time: 59, wrong: '69342147', right: '90693936' },
} as const;

/** Time steps beyond 2^32 (RFC 6238 §4): SHA1 20-byte seed, 8 digits. */
export const LARGE_STEPS = [
  // T = 2^32: a 32-bit truncated counter gives 84755224 (the T = 0 value).
  { step: 2 ** 32, time: 2 ** 32 * 30, right: '55999456', truncated: '84755224' },
  // T = 2^32 + 1: truncated gives 94287082 (the T = 1 value).
  { step: 2 ** 32 + 1, time: (2 ** 32 + 1) * 30, right: '39108930', truncated: '94287082' },
] as const;

export interface HotpVector {
  readonly count: number;
  readonly hmacHex: string;
  readonly truncatedDec: number;
  /** 6 digits, verbatim from the RFC. */
  readonly hotp6: string;
  /** 8 digits, derived. */
  readonly hotp8: string;
}

/** RFC 4226 Appendix D: secret = ASCII `12345678901234567890`, HMAC-SHA-1. */
export const RFC4226_SECRET_ASCII = '12345678901234567890';
export const RFC4226_VECTORS: readonly HotpVector[] = [
  {
    count: 0,
    hmacHex: 'cc93cf18508d94934c64b65d8ba7667fb7cde4b0',
    truncatedDec: 1284755224,
    hotp6: '755224',
    hotp8: '84755224',
  },
  {
    count: 1,
    hmacHex: '75a48a19d4cbe100644e8ac1397eea747a2d33ab',
    truncatedDec: 1094287082,
    hotp6: '287082',
    hotp8: '94287082',
  },
  {
    count: 2,
    hmacHex: '0bacb7fa082fef30782211938bc1c5e70416ff44',
    truncatedDec: 137359152,
    hotp6: '359152',
    hotp8: '37359152',
  },
  {
    count: 3,
    hmacHex: '66c28227d03a2d5529262ff016a1e6ef76557ece',
    truncatedDec: 1726969429,
    hotp6: '969429',
    hotp8: '26969429',
  },
  {
    count: 4,
    hmacHex: 'a904c900a64b35909874b33e61c5938a8e15ed1c',
    truncatedDec: 1640338314,
    hotp6: '338314',
    hotp8: '40338314',
  },
  {
    count: 5,
    hmacHex: 'a37e783d7b7233c083d4f62926c7a25f238d0316',
    truncatedDec: 868254676,
    hotp6: '254676',
    hotp8: '68254676',
  },
  {
    count: 6,
    hmacHex: 'bc9cd28561042c83f219324d3c607256c03272ae',
    truncatedDec: 1918287922,
    hotp6: '287922',
    hotp8: '18287922',
  },
  {
    count: 7,
    hmacHex: 'a4fb960c0bc06e1eabb804e5b397cdc4b45596fa',
    truncatedDec: 82162583,
    hotp6: '162583',
    hotp8: '82162583',
  },
  {
    count: 8,
    hmacHex: '1b3c89f65e6c9e883012052823443f048b4332db',
    truncatedDec: 673399871,
    hotp6: '399871',
    hotp8: '73399871',
  },
  {
    count: 9,
    hmacHex: '1637409809a679dc698207310c8c7fc07290d9e5',
    truncatedDec: 645520489,
    hotp6: '520489',
    hotp8: '45520489',
  },
];

/** Key Uri Format golden example (Google's wiki): key bytes `Hello!\xDE\xAD\xBE\xEF`. */
export const GOLDEN_URI = {
  uri: 'otpauth://totp/Example:alice@google.com?secret=JBSWY3DPEHPK3PXP&issuer=Example',
  issuer: 'Example',
  accountName: 'alice@google.com',
  secret: 'JBSWY3DPEHPK3PXP',
  keyHex: '48656c6c6f21deadbeef',
} as const;
