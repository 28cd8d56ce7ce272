/** Longest input looked at; anything longer is refused before any other work (IN-01). */
export const MAX_CODE_INPUT_LENGTH = 64;

/**
 * The one normalisation of a typed numeric code (HOTP, TOTP, a mailed or texted code), applied
 * once before anything else (invariant 2, IN-01): the input must be a string of at most
 * 64 characters; ASCII spaces (U+0020) are removed, so `123 456` (how apps show codes) equals
 * `123456`; the rest must be exactly `digits` ASCII digits (`^[0-9]{digits}$`). Nothing else is
 * changed: tabs, newlines, no-break spaces, full-width or other Unicode digits, signs, numbers
 * (not strings) and objects are refused.
 *
 * Returns the canonical code, or `null`, which a hook reports as `INVALID_FORMAT` before doing
 * any cryptographic work. Use the returned string, never the raw input, for every comparison.
 */
export function canonicalDigits(input: unknown, digits: number): string | null {
  if (typeof input !== 'string' || input.length > MAX_CODE_INPUT_LENGTH) return null;
  const compact = input.replace(/ /g, '');
  return compact.length === digits && /^[0-9]+$/.test(compact) ? compact : null;
}
