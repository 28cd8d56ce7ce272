/**
 * A small Duo Auth API v2 client on undici: signed requests (v2 form bodies or v5 JSON bodies),
 * Duo's CA bundle pinned unless an explicit CA is configured, a timeout on every request,
 * bounded backoff on 429 that honours `Retry-After` only within the interactive budget
 * (OUT-04), and answers parsed defensively: a malformed or hostile body never crashes
 * the process and never reaches a log unfiltered (DA-04).
 */
import { constants as duoSdkConstants } from '@duosecurity/duo_universal';
import { Agent, request, type Dispatcher } from 'undici';
import { DuoCallError, classifyNetworkError } from '../failure.js';
import { safeText } from '../sanitize.js';
import {
  authorizationHeader,
  canonParams,
  canonicalV2,
  canonicalV5,
  signingHost,
  type Params,
} from './signer.js';

export interface AuthApiClientOptions {
  /** `api-XXXXXXXX.duosecurity.com`, or `host:port` of an emulator or proxy. */
  apiHost: string;
  ikey: string;
  skey: string;
  /** A CA (PEM) to trust instead of Duo's pinned bundle (the emulator). */
  caPem?: string;
  signatureVersion?: 2 | 5;
  /** Per-request deadline. */
  timeoutMs: number;
  /** Total time a call may spend waiting out 429s, retries included. */
  rateLimitBudgetMs: number;
  /** At most this many retries after a 429. */
  maxRetries: number;
  /** Milliseconds since the epoch from the trusted server clock (signs `Date`). */
  now: () => number;
  /** Waits between retries (tests record the delays instead of sleeping). */
  sleep?: (ms: number) => Promise<void>;
  /** Sees every outgoing request (path and parameters, passcodes masked): diagnostics and tests. */
  onRequest?: (info: OutgoingRequest) => void;
}

export interface OutgoingRequest {
  readonly method: string;
  readonly path: string;
  readonly params: Readonly<Record<string, string>>;
}

/** A Duo `stat: FAIL` answer. */
export interface DuoFailure {
  readonly httpStatus: number;
  readonly code: number | undefined;
  readonly message: string;
}

export type AuthApiResult = { ok: true; response: unknown } | { ok: false; failure: DuoFailure };

const DEFAULT_SLEEP = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Parses `Retry-After` / `X-Retry-After`: delta seconds or an HTTP-date (RFC 9110 §10.2.3). */
export function retryAfterMs(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (/^\d{1,6}$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

function header(headers: Record<string, string | string[] | undefined>, name: string) {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

const agents = new Map<string, Agent>();
/** One keep-alive Agent per trusted CA bundle (never a global TLS switch). */
function agentFor(ca: string): Agent {
  let a = agents.get(ca);
  if (!a) {
    a = new Agent({ connect: { ca, rejectUnauthorized: true } });
    agents.set(ca, a);
  }
  return a;
}

export class AuthApiClient {
  private readonly dispatcher: Dispatcher;
  private readonly sleep: (ms: number) => Promise<void>;
  readonly host: string;

  constructor(private readonly options: AuthApiClientOptions) {
    // Duo's official clients pin Duo's CA bundle; so do we (the SDK ships the same bundle).
    this.dispatcher = agentFor(options.caPem ?? duoSdkConstants.DUO_PINNED_CERT);
    this.sleep = options.sleep ?? DEFAULT_SLEEP;
    this.host = signingHost(options.apiHost);
  }

  /** Unsigned `GET /auth/v2/ping`: Duo's time, for a clock-skew hint. */
  async ping(): Promise<number | undefined> {
    const r = await this.once('GET', '/auth/v2/ping', {}, false);
    if (!r.ok) return undefined;
    const t = (r.response as { time?: unknown } | null)?.time;
    return typeof t === 'number' ? t : undefined;
  }

  /**
   * A signed call. Resolves with Duo's `response` or its `stat: FAIL` answer; rejects with a
   * classified DuoCallError for outages, TLS failures and malformed bodies.
   */
  async call(method: 'GET' | 'POST', path: string, params: Params): Promise<AuthApiResult> {
    const started = Date.now();
    let timeoutMs = this.options.timeoutMs;
    for (let attempt = 0; ; attempt++) {
      const r = await this.once(method, path, params, true, timeoutMs);
      if (r.ok || r.failure.httpStatus !== 429) return r;
      const spent = Date.now() - started;
      const left = this.options.rateLimitBudgetMs - spent;
      const asked = retryAfterMs(r.retryAfter, Date.now());
      // Duo's own clients back off 1, 2, 4 ... s (+ up to 1 s jitter) without reading
      // Retry-After; libduo honours it. We honour it only when it fits the budget.
      const wait = asked ?? 1000 * 2 ** attempt + Math.floor(Math.random() * 250);
      // The retry's own duration must fit too: it gets only what is left of the budget after
      // the wait (at least 1 s), so the budget is a hard bound on the user's wait (OUT-04).
      timeoutMs = Math.min(this.options.timeoutMs, left - wait);
      if (attempt >= this.options.maxRetries || timeoutMs < 1000) {
        throw new DuoCallError(
          'outage',
          `Duo rate limit (429) beyond the interactive budget after ${attempt + 1} attempt(s)`,
          { notProcessed: true },
        );
      }
      await this.sleep(wait);
    }
  }

  private async once(
    method: 'GET' | 'POST',
    path: string,
    params: Params,
    signed: boolean,
    timeoutMs: number = this.options.timeoutMs,
  ): Promise<AuthApiResult & { retryAfter?: string }> {
    const date = new Date(this.options.now()).toUTCString();
    const version = this.options.signatureVersion ?? 2;
    const headers: Record<string, string> = {
      'x-duo-date': date,
      date,
      'user-agent': 'factorkit-provider-duo/0.1',
      accept: 'application/json',
    };
    let query = '';
    let body: string | undefined;
    if (method === 'GET') {
      query = canonParams(params);
    } else if (version === 5) {
      body = JSON.stringify(params);
      headers['content-type'] = 'application/json';
    } else {
      body = canonParams(params);
      headers['content-type'] = 'application/x-www-form-urlencoded';
    }
    if (signed) {
      const base = { date, method, host: this.host, path };
      const canonical =
        version === 5
          ? canonicalV5({ ...base, params: method === 'GET' ? params : {}, body: body ?? '' })
          : canonicalV2({ ...base, params });
      headers['authorization'] = authorizationHeader(
        this.options.ikey,
        this.options.skey,
        canonical,
      );
    }
    this.options.onRequest?.({ method, path, params: masked(params) });

    const url = `https://${this.options.apiHost}${path}${query ? `?${query}` : ''}`;
    let statusCode: number;
    let text: string;
    let retryAfter: string | undefined;
    try {
      const res = await request(url, {
        method,
        headers,
        ...(body === undefined ? {} : { body }),
        dispatcher: this.dispatcher,
        signal: AbortSignal.timeout(timeoutMs),
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      statusCode = res.statusCode;
      retryAfter = header(res.headers, 'retry-after') ?? header(res.headers, 'x-retry-after');
      text = await res.body.text();
    } catch (err) {
      throw classifyNetworkError(err);
    }
    return { ...parseEnvelope(statusCode, text), ...(retryAfter ? { retryAfter } : {}) };
  }
}

function masked(params: Params): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(params))
    out[k] = k === 'passcode' ? '***' : Array.isArray(v) ? v.join(',') : String(v);
  return out;
}

/**
 * Duo's envelope: `{stat: "OK", response}` or `{stat: "FAIL", code, message}` (§B.1). Anything
 * else is malformed; 5xx and codes >= 50000 are outages whatever the body says.
 */
export function parseEnvelope(statusCode: number, text: string): AuthApiResult {
  if (statusCode >= 500) {
    throw new DuoCallError('outage', `Duo answered HTTP ${statusCode}`);
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    // A 401 or 429 keeps its meaning even without Duo's JSON envelope (an empty body, a proxy's
    // HTML page): the clock-skew hint and the rate-limit budget still apply.
    if (statusCode === 401 || statusCode === 403 || statusCode === 429) {
      return { ok: false, failure: { httpStatus: statusCode, code: undefined, message: '' } };
    }
    throw new DuoCallError(
      'malformed',
      `Duo answered HTTP ${statusCode} with a body that is not JSON (${text.length} bytes)`,
    );
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new DuoCallError('malformed', `Duo answered HTTP ${statusCode} with a non-object body`);
  }
  const o = body as Record<string, unknown>;
  if (o['stat'] === 'OK' && statusCode >= 200 && statusCode < 300) {
    if (!('response' in o) || o['response'] === undefined || o['response'] === null) {
      throw new DuoCallError('malformed', 'Duo answered stat OK without a response');
    }
    return { ok: true, response: o['response'] };
  }
  if (o['stat'] === 'FAIL' || statusCode >= 400) {
    const code = typeof o['code'] === 'number' ? o['code'] : undefined;
    if (code !== undefined && code >= 50000) {
      throw new DuoCallError('outage', `Duo reported an internal error (${code})`);
    }
    const message = [safeText(o['message'], 100), safeText(o['message_detail'], 100)]
      .filter(Boolean)
      .join(': ');
    return { ok: false, failure: { httpStatus: statusCode, code, message } };
  }
  throw new DuoCallError('malformed', `Duo answered an unknown stat (${safeText(o['stat'], 20)})`);
}
