import { InvalidFormatError } from '../errors.js';
import { decodeBase32, encodeBase32 } from './base32.js';

/** RFC 4226 §4 R6: "The length of the shared secret MUST be at least 128 bits." */
export const MIN_SHARED_SECRET_BYTES = 16;

export interface ImportSecretOptions {
  /**
   * `base32` (RFC 4648), `hex`, or `auto`: decode as both and take the one that works; text that
   * is valid both ways (hex using only `a-f` and `2-7`) is refused as ambiguous, never guessed.
   * @default 'auto'
   */
  readonly encoding?: 'base32' | 'hex' | 'auto';
  /** Fewest bytes accepted. RFC 4226 §4 wants at least 16 (128 bits) and recommends 20. @default 16 */
  readonly minBytes?: number;
  /** Most bytes accepted. Beyond an HMAC block (128 bytes for SHA-512) a key is hashed first. @default 128 */
  readonly maxBytes?: number;
}

/** An imported shared secret in every form a provider or a token programmer needs. */
export interface ImportedSecret {
  readonly bytes: Uint8Array;
  /** Upper case, unpadded (what otpauth URIs and authenticator apps want). */
  readonly base32: string;
  /** Lower case. */
  readonly hex: string;
}

const HEX = /^(?:[0-9a-f]{2})*$/i;

function fail(reason: string, message: string): never {
  throw new InvalidFormatError(message, { details: { reason } });
}

function decodeHex(text: string): Uint8Array {
  const compact = text.replace(/[ \t\r\n]/g, '');
  if (!HEX.test(compact)) {
    fail('alphabet', 'Not hex: use only 0-9 and a-f, two characters per byte.');
  }
  return new Uint8Array(Buffer.from(compact, 'hex'));
}

function decode(text: string, encoding: 'base32' | 'hex' | 'auto'): Uint8Array {
  if (encoding === 'base32') return decodeBase32(text);
  if (encoding === 'hex') return decodeHex(text);
  const attempt = (f: (t: string) => Uint8Array): Uint8Array | InvalidFormatError => {
    try {
      return f(text);
    } catch (err) {
      if (err instanceof InvalidFormatError) return err;
      throw err;
    }
  };
  const asBase32 = attempt(decodeBase32);
  const asHex = attempt(decodeHex);
  if (asBase32 instanceof Uint8Array && asHex instanceof Uint8Array) {
    // Blank text reads as nothing either way: let the length check refuse it.
    if (asBase32.length === 0) return asBase32;
    fail('ambiguous', 'The secret reads as both Base32 and hex: say which encoding it is in.');
  }
  if (asBase32 instanceof Uint8Array) return asBase32;
  if (asHex instanceof Uint8Array) return asHex;
  return fail('alphabet', 'The secret is neither Base32 (A-Z, 2-7) nor hex (0-9, a-f).');
}

/**
 * Reads a shared secret someone brings along (migration from another system, a hardware token's
 * seed file) and checks it is strong enough: RFC 4226 §4 R6, IN-04. Decoding is strict
 * (see `decodeBase32`); the secret is never truncated or padded, and never appears in an error.
 * Throws `InvalidFormatError` with `details.reason`: `not-a-string`, `too-long`, `alphabet`,
 * `padding`, `length`, `trailing-bits`, `ambiguous`, `too-short` (with `bits` and `minBits`)
 * or `too-large`.
 */
export function importSecret(text: unknown, options: ImportSecretOptions = {}): ImportedSecret {
  const minBytes = options.minBytes ?? MIN_SHARED_SECRET_BYTES;
  const maxBytes = options.maxBytes ?? 128;
  if (typeof text !== 'string') return fail('not-a-string', 'The secret must be a string.');
  // Checked before decoding: hex takes two characters per byte, plus room for separators.
  if (text.length > maxBytes * 4) return fail('too-long', 'The secret text is far too long.');
  const bytes = decode(text, options.encoding ?? 'auto');
  if (bytes.length < minBytes) {
    throw new InvalidFormatError(
      `The secret is ${bytes.length * 8} bits; at least ${minBytes * 8} bits (${minBytes} bytes) are required (RFC 4226 §4 R6).`,
      { details: { reason: 'too-short', bits: bytes.length * 8, minBits: minBytes * 8 } },
    );
  }
  if (bytes.length > maxBytes) {
    fail('too-large', `The secret is ${bytes.length} bytes; at most ${maxBytes} are accepted.`);
  }
  return { bytes, base32: encodeBase32(bytes), hex: Buffer.from(bytes).toString('hex') };
}
