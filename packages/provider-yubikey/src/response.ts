/**
 * The strict parser of a verify response (YK-05): `key=value` lines, CRLF or LF, a size cap,
 * lower-case keys only, no duplicate key. Anything else is refused whole, so an injected second
 * `status=` line can never be picked over the first.
 */

/** A verify response is a few hundred bytes; more is not a validation server. */
export const MAX_RESPONSE_BYTES = 4096;

const KEY = /^[a-z]{1,32}$/;
// Printable ASCII only: no CR, NUL or BOM can hide inside a value.
const VALUE = /^[\x20-\x7e]*$/;

export type ParsedResponse = { ok: true; pairs: Map<string, string> } | { ok: false; why: string };

export function parseResponse(body: string): ParsedResponse {
  if (body.length > MAX_RESPONSE_BYTES) return { ok: false, why: 'response too large' };
  const pairs = new Map<string, string>();
  for (const line of body.split(/\r?\n/)) {
    if (line === '') continue;
    const eq = line.indexOf('=');
    if (eq <= 0) return { ok: false, why: 'a line without key=value' };
    const key = line.slice(0, eq);
    const value = line.slice(eq + 1);
    if (!KEY.test(key)) return { ok: false, why: 'a malformed key' };
    if (!VALUE.test(value)) return { ok: false, why: `a malformed value for ${key}` };
    if (pairs.has(key)) return { ok: false, why: `a duplicated key ${key}` };
    pairs.set(key, value);
  }
  if (!pairs.has('status')) return { ok: false, why: 'no status' };
  return { ok: true, pairs };
}
