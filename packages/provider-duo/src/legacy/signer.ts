/**
 * Duo Auth API request signing (duo-protocol.md §B.2), canonical versions 2 and 5 with
 * HMAC-SHA512. Hand-written because no maintained TypeScript client exists that can reach a
 * local emulator: the official `@duosecurity/duo_api` pins Duo's CAs, cannot take a port and has
 * no types (TOOLCHAIN.md landmine 6). Proven byte-for-byte by the §B.3 vectors (DA-01).
 */
import { createHash, createHmac } from 'node:crypto';

export type ParamValue = string | number | boolean;
export type Params = Readonly<Record<string, ParamValue | readonly ParamValue[]>>;

/** RFC 3986 percent-encoding as Duo canonicalizes it: UTF-8, upper-case hex, space as %20. */
export function duoEncode(value: string): string {
  // encodeURIComponent leaves A-Z a-z 0-9 - _ . ! ~ * ' ( ); Duo keeps only the unreserved set.
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase(),
  );
}

function asString(v: ParamValue): string {
  return typeof v === 'boolean' ? (v ? 'true' : 'false') : String(v);
}

/** The canonical parameter string: keys sorted by code unit, each `key=value`, joined by `&`. */
export function canonParams(params: Params): string {
  const pairs: Array<[string, string]> = [];
  for (const key of Object.keys(params)) {
    const raw = params[key]!;
    const values = (Array.isArray(raw) ? raw : [raw]) as ParamValue[];
    const encoded = values.map((v) => duoEncode(asString(v))).sort();
    for (const v of encoded) pairs.push([duoEncode(key), v]);
  }
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

export function sha512Hex(text: string): string {
  return createHash('sha512').update(text, 'utf8').digest('hex');
}

/** `canon_x_duo_headers` of signature v5: lower-cased `x-duo-*` names, sorted, NUL-joined. */
export function canonXDuoHeaders(headers: Readonly<Record<string, string>> = {}): string {
  const entries = Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v] as const);
  for (const [k] of entries) {
    if (!k.startsWith('x-duo-')) throw new RangeError('additional signed headers must be x-duo-*');
  }
  entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return entries.flatMap(([k, v]) => [k, v]).join('\u0000');
}

export interface SignInput {
  readonly date: string;
  readonly method: string;
  /** Duo's API hostname; signed lower-case and without a port (§B.2). */
  readonly host: string;
  readonly path: string;
  /** Query (GET) or form-body (v2 POST) parameters. */
  readonly params: Params;
}

export function canonicalV2(input: SignInput): string {
  return [
    input.date,
    input.method.toUpperCase(),
    input.host.toLowerCase(),
    input.path,
    canonParams(input.params),
  ].join('\n');
}

/** Version 5: the v2 lines plus sha512(body) and sha512(canon_x_duo_headers). */
export function canonicalV5(
  input: SignInput & { readonly body: string; readonly xDuoHeaders?: Record<string, string> },
): string {
  return [
    canonicalV2(input),
    sha512Hex(input.body),
    sha512Hex(canonXDuoHeaders(input.xDuoHeaders)),
  ].join('\n');
}

export function hmacSha512Hex(key: string, canonical: string): string {
  return createHmac('sha512', Buffer.from(key, 'utf8')).update(canonical, 'utf8').digest('hex');
}

/** `Authorization` header value: `Basic base64(ikey:hex(HMAC-SHA512(skey, canonical)))`. */
export function authorizationHeader(ikey: string, skey: string, canonical: string): string {
  return 'Basic ' + Buffer.from(`${ikey}:${hmacSha512Hex(skey, canonical)}`).toString('base64');
}

/** Host without its port, lower-cased (the name Duo signs, §B.2 "Host used in the canonical string"). */
export function signingHost(apiHost: string): string {
  const h = apiHost.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  return h.split(':')[0]!;
}
