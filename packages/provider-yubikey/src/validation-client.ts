/**
 * A small typed client of the validation protocol 2.0. Written here rather than taken from npm:
 * the published Node clients (yub, yubikey, yubico) make the response signature optional, skip
 * the nonce or otp echo, or parse loosely, which are exactly the checks YK-03..YK-05 need.
 *
 * One request (one nonce, one signature) goes to every configured server at once (YK-09); the
 * first definitive answer that is well formed, correctly signed and echoes our nonce and OTP
 * decides, and the other requests are cancelled. Replies that fail a check are ignored (and
 * logged); only when no server decides does the call end as `invalid` (fail closed) or, when
 * every failure was an outage, `unavailable`.
 */
import type { HttpClient, Logger } from '@factorkit/core';
import { MAX_RESPONSE_BYTES, parseResponse } from './response.js';
import { hasValidSignature, sign } from './signature.js';

/** Statuses that decide a check; everything else is skipped or fails closed. */
const SKIPPED_AS_OUTAGE = new Set(['BACKEND_ERROR', 'NOT_ENOUGH_ANSWERS']);

export interface ClientSettings {
  clientId: string;
  apiKey: string;
  apiUrls: readonly string[];
  requestTimeoutMs: number;
  deadlineMs: number;
}

export type Verdict =
  /** A signed, echoed answer: the status decides (OK, BAD_OTP, REPLAYED_OTP, a config status). */
  | { kind: 'verdict'; status: string; pairs: ReadonlyMap<string, string> }
  /** Every server was unreachable, timed out or reported its own fault. */
  | { kind: 'unavailable'; detail: string }
  /** No server decided and at least one reply was forged, malformed or a replayed request. */
  | { kind: 'invalid'; detail: string };

type Attempt =
  | { kind: 'verdict'; status: string; pairs: ReadonlyMap<string, string> }
  | { kind: 'outage' | 'invalid' | 'replayed-request'; detail: string };

/** The signed request parameters (YK-12): id, otp, nonce, timestamp=1 and `h`. */
export function requestParams(
  clientId: string,
  apiKey: string,
  otp: string,
  nonce: string,
): URLSearchParams {
  const pairs = { id: clientId, otp, nonce, timestamp: '1' };
  return new URLSearchParams({ ...pairs, h: sign(pairs, apiKey) });
}

function codeOf(err: unknown): string {
  let e: unknown = err;
  for (let i = 0; i < 5 && e && typeof e === 'object'; i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return err instanceof Error ? err.name : 'unknown';
}

/** A certificate failure is an attack or a misconfiguration, never an outage (no fail-open). */
function isTlsFailure(code: string): boolean {
  return code.includes('CERT') || code.startsWith('ERR_TLS_') || code.startsWith('ERR_SSL_');
}

async function askOne(
  http: HttpClient,
  s: ClientSettings,
  url: string,
  params: URLSearchParams,
  expect: { otp: string; nonce: string },
  cancel: AbortSignal,
): Promise<Attempt> {
  let body: string;
  try {
    const signal = AbortSignal.any([cancel, AbortSignal.timeout(s.requestTimeoutMs)]);
    const res = await http.fetch(`${url}?${params.toString()}`, { signal, redirect: 'error' });
    if (res.status !== 200) {
      await res.body?.cancel().catch(() => undefined);
      return { kind: 'outage', detail: `HTTP ${res.status}` };
    }
    const declared = Number(res.headers.get('content-length') ?? '0');
    if (declared > MAX_RESPONSE_BYTES) {
      await res.body?.cancel().catch(() => undefined);
      return { kind: 'invalid', detail: 'response too large' };
    }
    body = await res.text();
  } catch (err) {
    const code = codeOf(err);
    return isTlsFailure(code)
      ? { kind: 'invalid', detail: `TLS verification failed (${code})` }
      : { kind: 'outage', detail: `unreachable (${code})` };
  }
  const parsed = parseResponse(body);
  if (!parsed.ok) return { kind: 'invalid', detail: `unparsable response: ${parsed.why}` };
  const pairs = parsed.pairs;
  // Early errors are signed with an empty key and fail here too, as they must (YK-03).
  if (!hasValidSignature(pairs, s.apiKey)) return { kind: 'invalid', detail: 'bad signature' };
  const status = pairs.get('status')!;
  if (status === 'REPLAYED_REQUEST')
    return { kind: 'replayed-request', detail: 'REPLAYED_REQUEST' };
  if (pairs.get('nonce') !== expect.nonce) return { kind: 'invalid', detail: 'nonce not echoed' };
  if (pairs.get('otp') !== expect.otp) return { kind: 'invalid', detail: 'otp not echoed' };
  if (SKIPPED_AS_OUTAGE.has(status)) return { kind: 'outage', detail: status };
  return { kind: 'verdict', status, pairs };
}

/** Asks every server at once; see the file comment for how the answer is chosen. */
export function validateOtp(
  http: HttpClient,
  s: ClientSettings,
  otp: string,
  nonce: string,
  logger: Logger,
): Promise<Verdict> {
  const params = requestParams(s.clientId, s.apiKey, otp, nonce);
  const cancel = new AbortController();
  return new Promise<Verdict>((resolve) => {
    let pending = s.apiUrls.length;
    let invalid: string | undefined;
    const outages: string[] = [];
    let done = false;
    const finish = (verdict: Verdict) => {
      if (done) return;
      done = true;
      clearTimeout(deadline);
      cancel.abort();
      resolve(verdict);
    };
    const deadline = setTimeout(
      () => finish({ kind: 'unavailable', detail: `no answer within ${s.deadlineMs} ms` }),
      s.deadlineMs,
    );
    for (const url of s.apiUrls) {
      const host = new URL(url).host;
      void askOne(http, s, url, params, { otp, nonce }, cancel.signal).then((a) => {
        if (done) return;
        if (a.kind === 'verdict') return finish(a);
        if (a.kind === 'outage') {
          outages.push(`${host}: ${a.detail}`);
          logger.warn('yubikey: validation server unavailable', { host, detail: a.detail });
        } else {
          invalid = `${host}: ${a.detail}`;
          logger.error('yubikey: validation reply ignored', {
            host,
            detail: a.detail,
            ...(a.kind === 'invalid' ? { security: true } : {}),
          });
        }
        if (--pending === 0) {
          finish(
            invalid !== undefined
              ? { kind: 'invalid', detail: invalid }
              : { kind: 'unavailable', detail: outages.join('; ') },
          );
        }
      });
    }
  });
}
