import { InvalidArgumentError, InvalidFormatError } from '../errors.js';

/*
 * RFC 4648 §6 Base32, written here rather than taken from a dependency: it is forty lines, and
 * the strict decoding a secret import needs (refuse a bad character, misplaced or miscounted
 * padding, an impossible length and non-zero trailing bits, so that two spellings can never decode
 * to one secret and no bits are dropped silently) is what the small Base32 packages leave out.
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const VALUE: Readonly<Record<string, number>> = Object.fromEntries(
  [...ALPHABET].map((c, i) => [c, i]),
);
/** Characters left in the last 8-character group for each possible byte remainder (RFC 4648 §6). */
const TAIL_CHARS = [0, 2, 4, 5, 7] as const;
/** What people type between groups or paste from a multi-line source: ASCII whitespace only. */
const SEPARATORS = /[ \t\r\n]/g;

export interface Base32EncodeOptions {
  /**
   * Append `=` to a multiple of 8 characters (RFC 4648 §6). Off by default: the Key Uri Format
   * and authenticator apps want Base32 secrets unpadded.
   * @default false
   */
  readonly padding?: boolean;
}

/** Encodes bytes as upper-case RFC 4648 Base32. */
export function encodeBase32(bytes: Uint8Array, options: Base32EncodeOptions = {}): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = ((buffer << 8) | byte) & 0xfff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += ALPHABET[(buffer >> bits) & 31];
    }
  }
  if (bits > 0) out += ALPHABET[(buffer << (5 - bits)) & 31];
  if (options.padding === true) out += '='.repeat((8 - (out.length % 8)) % 8);
  return out;
}

function refuse(reason: string, message: string): never {
  throw new InvalidFormatError(message, { details: { reason } });
}

/**
 * Decodes RFC 4648 Base32 strictly, after one documented normalisation: ASCII whitespace (space,
 * tab, CR, LF) is removed and ASCII letters are upper-cased, as people type and paste keys. Padding is
 * optional, but when present it must be the exact count for the length (RFC 4648 §6) and only at
 * the end. Throws `InvalidFormatError` (`details.reason`: `alphabet`, `padding`, `length` or
 * `trailing-bits`) and never echoes the text, which is usually a secret.
 */
export function decodeBase32(text: string): Uint8Array {
  if (typeof text !== 'string') throw new InvalidArgumentError('decodeBase32 takes a string.');
  // ASCII letters only: String#toUpperCase would turn `ı` into `I` and `ſ` into `S`, a second
  // spelling of the same secret.
  const compact = text.replace(SEPARATORS, '').replace(/[a-z]/g, (c) => c.toUpperCase());
  const body = compact.replace(/=+$/, '');
  for (const c of body) {
    if (VALUE[c] === undefined) {
      refuse(
        c === '=' ? 'padding' : 'alphabet',
        c === '='
          ? 'Base32 padding ("=") may only appear at the end.'
          : 'Not Base32: use only the Base32 alphabet A-Z and 2-7 (RFC 4648), with "=" padding only at the end.',
      );
    }
  }
  const tail = body.length % 8;
  if (!(TAIL_CHARS as readonly number[]).includes(tail)) {
    refuse('length', 'Base32 text has an impossible length: a character is missing or extra.');
  }
  if (compact.length !== body.length && compact.length !== body.length + ((8 - tail) % 8)) {
    refuse(
      'padding',
      'Base32 padding is wrong: padded text is exactly a multiple of 8 characters.',
    );
  }
  const out = new Uint8Array(Math.floor((body.length * 5) / 8));
  let buffer = 0;
  let bits = 0;
  let index = 0;
  for (const c of body) {
    buffer = ((buffer << 5) | VALUE[c]!) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out[index++] = (buffer >> bits) & 0xff;
    }
  }
  if ((buffer & ((1 << bits) - 1)) !== 0) {
    refuse(
      'trailing-bits',
      'Base32 text does not end on a whole byte (its last character carries extra bits): check for a typing mistake.',
    );
  }
  return out;
}
