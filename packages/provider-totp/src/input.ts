import { MAX_CODE_INPUT_LENGTH, canonicalDigits } from '@factorkit/core';

/** Longest input looked at; anything longer is refused before any other work (IN-01). */
export const MAX_INPUT_LENGTH = MAX_CODE_INPUT_LENGTH;

/**
 * The one normalisation of a submitted TOTP code (invariant 2): core's `canonicalDigits`.
 * The input must be a string of at most 64 characters; ASCII spaces are removed, so `123 456`
 * (how apps show codes) equals `123456`; the result must then be exactly `digits` ASCII digits.
 * Returns the canonical code, or null for INVALID_FORMAT; no HMAC work happens before this passes.
 */
export function canonicalCode(input: unknown, digits: number): string | null {
  return canonicalDigits(input, digits);
}
