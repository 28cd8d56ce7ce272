/**
 * Validation protocol 2.0 signatures, both directions: HMAC-SHA-1 with the base64-decoded API
 * key over every received pair except `h`, sorted by key in byte order, joined as `k=v&k=v` with
 * decoded values (ykval-common.php `sign()`).
 */
import { createHmac } from 'node:crypto';
import { constantTimeEqual } from '@factorkit/core';

export type Pairs = ReadonlyMap<string, string> | Readonly<Record<string, string>>;

function entriesOf(pairs: Pairs): [string, string][] {
  if (pairs instanceof Map) return [...(pairs as ReadonlyMap<string, string>).entries()];
  return Object.entries(pairs as Readonly<Record<string, string>>);
}

/** The canonical string that is signed. */
export function canonicalString(pairs: Pairs): string {
  return entriesOf(pairs)
    .filter(([k]) => k !== 'h')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, value]) => `${k}=${value}`)
    .join('&');
}

/** `h` for these pairs under a base64 API key (the empty string is yubikey-val's empty key). */
export function sign(pairs: Pairs, apiKeyBase64: string): string {
  return createHmac('sha1', Buffer.from(apiKeyBase64, 'base64'))
    .update(canonicalString(pairs), 'utf8')
    .digest('base64');
}

/** Whether `h` is present and right, compared in constant time (YK-03). */
export function hasValidSignature(pairs: ReadonlyMap<string, string>, apiKeyBase64: string) {
  const h = pairs.get('h');
  if (h === undefined) return false;
  return constantTimeEqual(h, sign(pairs, apiKeyBase64));
}
