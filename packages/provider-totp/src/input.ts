/** Longest input looked at; anything longer is refused before any other work (IN-01). */
export const MAX_INPUT_LENGTH = 64;

/**
 * The one normalisation of a submitted code (invariant 2), applied once, before anything
 * else: the input must be a string; ASCII spaces (U+0020) are removed, so `123 456` (how apps show
 * codes) equals `123456`; the result must then be exactly `digits` ASCII digits (`^[0-9]{digits}$`).
 * Nothing else is changed: tabs, newlines, no-break spaces, full-width or other Unicode digits,
 * signs and numbers (not strings) are refused. Returns the canonical code, or null for
 * INVALID_FORMAT; no HMAC work happens before this passes.
 */
export function canonicalCode(input: unknown, digits: number): string | null {
  if (typeof input !== 'string' || input.length > MAX_INPUT_LENGTH) return null;
  const compact = input.replace(/ /g, '');
  return compact.length === digits && /^[0-9]+$/.test(compact) ? compact : null;
}
