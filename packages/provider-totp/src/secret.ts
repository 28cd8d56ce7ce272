import { ConfigValidationError, InvalidFormatError, importSecret } from '@factorkit/core';
import { MAX_SECRET_BYTES, MIN_SECRET_BYTES } from './settings.js';

/**
 * Normalises an existing Base32 TOTP secret (migration from another system) and returns it in
 * canonical form: upper case, no spaces, no padding. Decoding is core's strict `importSecret`
 * (RFC 4648 alphabet A-Z and 2-7, ASCII whitespace removed, letters upper-cased, `=` padding
 * optional but exact, no stray trailing bits, at least 128 bits: RFC 4226 §4 R6). A refusal is a
 * `ConfigValidationError` (code `CONFIG_INVALID`) at `path`, carrying core's message; the secret
 * is never truncated and never appears in the error.
 */
export function normaliseBase32Secret(input: unknown, path = 'secret'): string {
  try {
    return importSecret(input, {
      encoding: 'base32',
      minBytes: MIN_SECRET_BYTES,
      maxBytes: MAX_SECRET_BYTES,
    }).base32;
  } catch (err) {
    if (err instanceof InvalidFormatError) {
      throw new ConfigValidationError([{ path, message: err.message }]);
    }
    throw err;
  }
}
