import { ConfigValidationError } from '@factorkit/core';
import { Secret } from 'otpauth';
import { MAX_SECRET_BYTES, MIN_SECRET_BYTES } from './settings.js';

const BASE32_BODY = /^[A-Z2-7]*$/;

/**
 * Normalises an existing Base32 TOTP secret (migration from another system) and returns it in
 * canonical form: upper case, no spaces, no padding. Throws a `ConfigValidationError`
 * (code `CONFIG_INVALID`, path `secret`) when the text is not Base32 (RFC 4648 alphabet A-Z, 2-7),
 * when it is under 128 bits (RFC 4226 §4 R6), or when it does not decode to whole bytes. The
 * secret is never truncated and never appears in the error.
 *
 * Normalisation, applied once: ASCII whitespace removed, letters upper-cased, trailing `=`
 * padding removed (if present, the padded length must be a multiple of 8).
 */
export function normaliseBase32Secret(input: unknown, path = 'secret'): string {
  const fail = (message: string): never => {
    throw new ConfigValidationError([{ path, message }]);
  };
  if (typeof input !== 'string') return fail('must be a Base32 string');
  if (input.length > 1024) return fail('is too long for a TOTP secret');
  const compact = input.replace(/[ \t\r\n]/g, '').toUpperCase();
  const body = compact.replace(/=+$/, '');
  if (!BASE32_BODY.test(body)) {
    return fail(
      'must use only the Base32 alphabet A-Z and 2-7 (RFC 4648), with optional "=" padding at the end',
    );
  }
  if (body.length !== compact.length && compact.length % 8 !== 0) {
    return fail('has wrong "=" padding: padded Base32 is a multiple of 8 characters');
  }
  // Decode with otpauth, then encode again: any difference means the text holds bits that do not
  // make a whole byte (a missing or extra character), which a decoder would silently drop.
  const secret = Secret.fromBase32(body);
  if (secret.base32 !== body) {
    return fail(
      'does not decode to whole bytes (a character is missing or extra); check the secret',
    );
  }
  const bytes = secret.bytes.length;
  if (bytes < MIN_SECRET_BYTES) {
    return fail(
      `is ${bytes * 8} bits; at least 128 bits (16 bytes, 26 Base32 characters) are required (RFC 4226 §4 R6)`,
    );
  }
  if (bytes > MAX_SECRET_BYTES)
    return fail(`is ${bytes} bytes; at most ${MAX_SECRET_BYTES} are supported`);
  return body;
}
