/**
 * Duo Auth API request-signature verifier (canonical v2 and v5; HMAC-SHA512, and HMAC-SHA1 for
 * v2), written from the protocol reference (duo-protocol.md §B.2) and kept independent of any
 * client-side signer. Hand-written because no maintained npm package verifies Duo signatures on
 * the server side; the primitives (HMAC, SHA-512, constant-time compare) come from node:crypto.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export type ParamPairs = ReadonlyArray<readonly [string, string]>;

/** RFC 3986 percent-encoding: unreserved `A-Za-z0-9-._~` literal, everything else `%XX` (upper hex, UTF-8). */
export function duoPercentEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase(),
  );
}

/**
 * `canon_params`: pairs sorted by key, then by value for repeated keys (as Python does),
 * each `key=value` percent-encoded, joined with `&`. `order` picks how keys compare: by their
 * UTF-16 code units (the Node client) or by their encoded form (the Python client); the two
 * differ only for keys mixing astral and high-BMP characters.
 */
export function canonParams(pairs: ParamPairs, order: 'codeunit' | 'encoded' = 'encoded'): string {
  const encoded = pairs.map(([k, v]) => ({
    rawKey: k,
    key: duoPercentEncode(k),
    value: duoPercentEncode(v),
  }));
  const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  encoded.sort((a, b) => {
    const byKey = order === 'encoded' ? cmp(a.key, b.key) : cmp(a.rawKey, b.rawKey);
    return byKey !== 0 ? byKey : cmp(a.value, b.value);
  });
  return encoded.map((e) => `${e.key}=${e.value}`).join('&');
}

export function sha512Hex(text: string): string {
  return createHash('sha512').update(text, 'utf8').digest('hex');
}

/** SHA-512 of the `x-duo-*` headers: names lower-cased, sorted, `name\0value\0…`. */
export function canonXDuoHeaders(headers: Record<string, string>): string {
  const lower = Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v] as const);
  lower.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return sha512Hex(lower.flatMap(([k, v]) => [k, v]).join('\u0000'));
}

export interface CanonicalInput {
  date: string;
  method: string;
  host: string;
  path: string;
}

export function canonicalV2(input: CanonicalInput, canon: string): string {
  return [input.date, input.method.toUpperCase(), input.host.toLowerCase(), input.path, canon].join(
    '\n',
  );
}

export function canonicalV5(
  input: CanonicalInput,
  canon: string,
  body: string,
  xDuoHash: string,
): string {
  return [canonicalV2(input, canon), sha512Hex(body), xDuoHash].join('\n');
}

export interface SignedRequest {
  method: string;
  /** The host the request was signed for: the Host header without its port. */
  host: string;
  path: string;
  /** Decoded parameters from the query string and a form-encoded body. */
  params: ParamPairs;
  /** Raw request body text when it is JSON (signature v5), else ''. */
  jsonBody: string;
  /**
   * Raw text of any other body (e.g. a form), '' or absent when none. A v5 signature always
   * covers the hash of the body actually sent, so a v5 signature over the empty-body hash does
   * not verify a request that carries a form body.
   */
  otherBody?: string;
  /** Request headers with lower-case names. */
  headers: Record<string, string | undefined>;
}

export type SignatureFailure =
  | { ok: false; code: 40101; reason: 'missing_authorization' | 'missing_date' }
  | { ok: false; code: 40102; reason: 'unknown_ikey' }
  | { ok: false; code: 40103; reason: 'bad_signature' | 'stale_date' | 'bad_date' };

export type SignatureResult =
  { ok: true; ikey: string; version: 2 | 5; hash: 'sha512' | 'sha1' } | SignatureFailure;

export interface VerifyOptions {
  /** Secret key of an integration key, or undefined when unknown. */
  lookupSkey(ikey: string): string | undefined;
  /** The emulator's current time (already including any injected skew). */
  nowMs: number;
  /** Allowed distance between the Date header and now, in seconds (mockduo uses 300). */
  windowSec?: number;
}

const RFC2822_DATE = new RegExp(
  '^(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), )?\\d{1,2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) ' +
    '\\d{4} \\d{2}:\\d{2}(?::\\d{2})? (?:[+-]\\d{4}|GMT|UT|UTC|[ECMP][SD]T)$',
);

/**
 * A `Date`/`X-Duo-Date` value in RFC 2822 form (`Tue, 21 Aug 2012 17:29:18 -0000`, `… GMT`,
 * `… +0000`, what every Duo client sends), as milliseconds; undefined for anything else,
 * including an ISO 8601 date that `Date.parse` would happily read (Duo refuses those).
 */
export function parseRfc2822Date(value: string): number | undefined {
  if (!RFC2822_DATE.test(value)) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

function parseAuthorization(value: string | undefined): { ikey: string; sig: string } | undefined {
  const m = /^Basic ([A-Za-z0-9+/=]+)$/.exec(value?.trim() ?? '');
  if (!m) return undefined;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (i <= 0) return undefined;
  return { ikey: decoded.slice(0, i), sig: decoded.slice(i + 1) };
}

function safeEqualHex(a: string, b: string): boolean {
  const ab = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

/** Candidate canonical strings, v5 first (it cannot be told apart from v2 on a GET). */
function candidates(req: SignedRequest, date: string): Array<{ version: 2 | 5; text: string }> {
  const base: CanonicalInput = { date, method: req.method, host: req.host, path: req.path };
  const out: Array<{ version: 2 | 5; text: string }> = [];
  const canons = [
    ...new Set([canonParams(req.params, 'encoded'), canonParams(req.params, 'codeunit')]),
  ];
  const xDuo: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v !== undefined && k.startsWith('x-duo-') && k !== 'x-duo-date') xDuo[k] = v;
  }
  const headerHashes = [...new Set([sha512Hex(''), canonXDuoHeaders(xDuo)])];
  if (req.jsonBody) {
    for (const h of headerHashes) {
      for (const c of canons) out.push({ version: 5, text: canonicalV5(base, c, req.jsonBody, h) });
    }
    return out;
  }
  for (const h of headerHashes) {
    for (const c of canons)
      out.push({ version: 5, text: canonicalV5(base, c, req.otherBody ?? '', h) });
  }
  for (const c of canons) out.push({ version: 2, text: canonicalV2(base, c) });
  return out;
}

export function verifyAuthApiSignature(
  req: SignedRequest,
  options: VerifyOptions,
): SignatureResult {
  const auth = parseAuthorization(req.headers['authorization']);
  if (!auth) return { ok: false, code: 40101, reason: 'missing_authorization' };
  const date = req.headers['x-duo-date'] ?? req.headers['date'];
  if (!date) return { ok: false, code: 40101, reason: 'missing_date' };
  const skey = options.lookupSkey(auth.ikey);
  if (skey === undefined) return { ok: false, code: 40102, reason: 'unknown_ikey' };
  const signedAt = parseRfc2822Date(date);
  if (signedAt === undefined) return { ok: false, code: 40103, reason: 'bad_date' };
  if (Math.abs(options.nowMs - signedAt) > (options.windowSec ?? 300) * 1000) {
    return { ok: false, code: 40103, reason: 'stale_date' };
  }
  const sig = auth.sig.toLowerCase();
  const hash = sig.length === 128 ? 'sha512' : sig.length === 40 ? 'sha1' : undefined;
  if (!hash) return { ok: false, code: 40103, reason: 'bad_signature' };
  let list: Array<{ version: 2 | 5; text: string }>;
  try {
    list = candidates(req, date);
  } catch {
    // encodeURIComponent throws on lone surrogates: such a request cannot have a valid signature.
    return { ok: false, code: 40103, reason: 'bad_signature' };
  }
  for (const c of list) {
    if (hash === 'sha1' && c.version === 5) continue; // SHA-1 is accepted for v2 only
    const expected = createHmac(hash, skey).update(c.text, 'utf8').digest('hex');
    if (safeEqualHex(expected, sig)) return { ok: true, ikey: auth.ikey, version: c.version, hash };
  }
  return { ok: false, code: 40103, reason: 'bad_signature' };
}
