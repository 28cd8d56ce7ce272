/**
 * The Universal Prompt flow (duo-protocol.md Part A).
 *
 * - `state` is core's one-time pending id (256 bits, bound to the user, single use): the host
 *   passes the callback's `state` back as the challenge id, core takes that record atomically for
 *   that user only, and we still compare it, in constant time, before any token exchange
 *   (DU-01, RP-05). The SDK generates a state but never compares it.
 * - The pending record keeps the Client ID and API host the request went to; a callback under
 *   other settings is aborted (DU-08).
 * - The id_token must carry `auth_result.result === 'allow'` (DU-05; the SDK does not check it)
 *   and `preferred_username` exactly equal to the name we sent (DU-03).
 *
 * Username rule: exact, case-sensitive equality with the name we sent. Duo documents
 * `preferred_username` as "the username that was originally sent to Duo" (duo_universal_nodejs#2),
 * so an alias login still matches when the template renders the alias as it is stored at Duo.
 * Duo may lower-case it for alias matches (duo_universal_csharp#47): that is refused rather than
 * compared loosely, because a case-folding comparison would let one Duo account answer for
 * another whose name differs only in case. Deployments hit by it set `lowercaseUsername`.
 */
import { timingSafeEqual } from 'node:crypto';
import { type Client } from '@duosecurity/duo_universal';
import type {
  Begun,
  JsonValue,
  ProviderContext,
  RedirectPrompt,
  VerifyOutcome,
} from '@factorkit/core';
import type { DuoSettings } from '../config/settings.js';
import { DuoCallError } from '../failure.js';
import { bypassSuccess, universalSuccess } from '../proof.js';
import { safeText } from '../sanitize.js';
import { universalClientFor } from './client-cache.js';
import { createUniversalClient, exchangeCode, universalHealth } from './universal-client.js';

export interface UniversalPending {
  t: 'universal';
  username: string;
  clientId: string;
  apiHost: string;
  state: string;
}

export interface UniversalDeps {
  /** A random state when no core pending id exists (a hook called outside TwoFactorService). */
  fallbackState(client: Client): string;
}

export async function beginUniversal(
  ctx: ProviderContext<DuoSettings>,
  username: string,
  deps: UniversalDeps,
): Promise<Begun<RedirectPrompt>> {
  const s = ctx.config;
  const client = universalClientFor(s);
  // Duo's flow starts with a health check: an outage here is where failmode applies (§D.2).
  await universalHealth(client, s.healthTimeoutMs);
  const state = ctx.pendingId ?? deps.fallbackState(client);
  let url: string;
  try {
    url = await client.createAuthUrl(username, state);
  } catch (err) {
    throw new DuoCallError('config', 'the SDK refused to build the authorization URL', {
      cause: err,
    });
  }
  const pending: UniversalPending = {
    t: 'universal',
    username,
    clientId: s.clientId ?? '',
    apiHost: s.apiHost,
    state,
  };
  return { prompt: { kind: 'redirect', url }, pending: pending as unknown as JsonValue };
}

interface Callback {
  state: string;
  code?: string;
  error?: string;
  errorDescription?: string;
}

const MAX = 2048;
/** The SDK's own leeway (JWT_LEEWAY = 60 s), applied to `iat` too. */
export const ID_TOKEN_IAT_LEEWAY_SEC = 60;

/** The callback's query values as the host passes them (`duo_code` or `code`, and `state`). */
export function parseCallback(input: unknown): Callback | undefined {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return undefined;
  const o = input as Record<string, unknown>;
  const str = (k: string) => {
    const v = o[k];
    return typeof v === 'string' && v.length > 0 && v.length <= MAX ? v : undefined;
  };
  const state = str('state');
  if (!state) return undefined;
  const error = str('error');
  if (error) {
    const d = o['error_description'];
    return { state, error, ...(typeof d === 'string' ? { errorDescription: d } : {}) };
  }
  const code = str('duo_code') ?? str('code');
  if (!code || !/^[\x21-\x7e]+$/.test(code)) return undefined;
  return { state, code };
}

function sameState(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * `auth_context.reason` values with which Duo lets a user through without a second factor: a
 * user in bypass status, a new-user policy allowing unenrolled users, or a policy allowing
 * access. They are not a second factor (DA-03 parity with the Auth API's preauth `allow`).
 */
const BYPASS_REASONS = new Set(['bypass_user', 'allow_unenrolled_user', 'allowed_by_policy']);

export async function verifyUniversal(
  ctx: ProviderContext<DuoSettings>,
  pending: UniversalPending,
  input: unknown,
  mode: 'activation' | 'challenge' = 'challenge',
): Promise<VerifyOutcome> {
  const s = ctx.config;
  const cb = parseCallback(input);
  if (!cb) return { ok: false, reason: 'INVALID_FORMAT' };
  // DU-01: the state must be this pending challenge's, checked before anything else.
  const expected = ctx.pendingId;
  if (
    expected === undefined ||
    !sameState(cb.state, expected) ||
    !sameState(pending.state, expected)
  )
    return { ok: false, reason: 'STATE_MISMATCH', detail: 'callback state is not this challenge' };
  // DU-08: processed only with the integration the request went to.
  if (pending.clientId !== (s.clientId ?? '') || pending.apiHost !== s.apiHost)
    return { ok: false, reason: 'ERROR', detail: 'callback for another Duo integration' };
  // DU-07a: Duo (or an attacker) reports an error: no exchange; the text only escaped, in logs.
  if (cb.error !== undefined) {
    return {
      ok: false,
      reason: 'DENIED',
      detail: `Duo returned ${safeText(cb.error, 40)}: ${safeText(cb.errorDescription)}`,
    };
  }
  const client = universalClientFor(s);
  let token;
  try {
    token = await exchangeCode(client, cb.code!, pending.username, s.requestTimeoutMs);
  } catch (err) {
    const e = err as DuoCallError & { usernameMismatch?: boolean };
    if (e.usernameMismatch) return { ok: false, reason: 'USERNAME_MISMATCH', detail: e.detail };
    throw err;
  }
  // Our own checks, whatever a future SDK does (DU-03, DU-05).
  if (token.preferred_username !== pending.username)
    return { ok: false, reason: 'USERNAME_MISMATCH', detail: 'preferred_username differs' };
  // CK-03, OIDC Core §3.1.3.7 (10): an id_token issued too far from now (the SDK checks only
  // exp, against the system clock) means a clock problem on one side: refuse, with a hint.
  const iat = typeof token.iat === 'number' ? token.iat : NaN;
  const skew = iat - Date.now() / 1000;
  if (!(Math.abs(skew) <= ID_TOKEN_IAT_LEEWAY_SEC))
    throw new DuoCallError(
      'protocol',
      `id_token iat is ${Number.isFinite(skew) ? Math.round(skew) : '?'} s from our clock (more than ${ID_TOKEN_IAT_LEEWAY_SEC} s)`,
      { hint: 'CLOCK_SKEW' },
    );
  const result = (token.auth_result as { result?: unknown } | undefined)?.result;
  if (result !== 'allow')
    return {
      ok: false,
      reason: 'DENIED',
      detail: `auth_result ${safeText(result, 20) || 'missing'}`,
    };
  // Duo said allow, but without a second factor? Then it is a bypass: refused at activation
  // (nothing was proven, nothing may be linked) and at sign-in unless acceptBypass is set.
  const reason = (token.auth_context as { reason?: unknown } | undefined)?.reason;
  if (typeof reason === 'string' && BYPASS_REASONS.has(reason)) {
    if (mode === 'activation' || !s.acceptBypass) {
      return { ok: false, reason: 'DENIED', detail: `Duo let the user through as ${reason}` };
    }
    return bypassSuccess();
  }
  return universalSuccess((token.auth_context as { factor?: unknown } | undefined)?.factor);
}

/** A check of settings (maybe not in use yet) on a fresh client: a real new TLS handshake. */
export async function universalCheck(settings: DuoSettings): Promise<void> {
  await universalHealth(createUniversalClient(settings), settings.healthTimeoutMs);
}

export function isUniversalPending(p: JsonValue): p is UniversalPending & JsonValue {
  return (
    typeof p === 'object' &&
    p !== null &&
    !Array.isArray(p) &&
    (p as { t?: unknown }).t === 'universal'
  );
}
