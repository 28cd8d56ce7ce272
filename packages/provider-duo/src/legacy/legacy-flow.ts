/**
 * The legacy transport: Duo Auth API v2 (`preauth`, `auth`, `auth_status`), duo-protocol.md §B.4.
 *
 * - `preauth` decides (DA-03): `auth` proceeds; `deny` denies; `enroll` shows Duo's
 *   enrollment portal only to this pending user; `allow` (a bypass user) is refused unless
 *   `acceptBypass`; anything else denies.
 * - `client_supports_verified_push=1` is always sent, and a verified-push `txid` from preauth is
 *   passed to `auth` with its code shown to the user (DA-06). The client IP comes from a user
 *   attribute the host sets from its trusted proxy chain.
 * - A push is asynchronous: its `txid` lives only in core's encrypted, user-bound pending record
 *   (never taken from input), it is polled with `auth_status` until a deadline of at most 10 min
 *   (DA-05, RP-04), and at most one push is outstanding per user with a cap since the last
 *   success (BF-05).
 */
import { isIP } from 'node:net';
import {
  FactorkitError,
  ProviderDeniedError,
  ProviderError,
  type ActivationPrompt,
  type Begun,
  type ChallengePrompt,
  type JsonValue,
  type ProviderContext,
  type TwoFactorUser,
  type VerifyOutcome,
} from '@factorkit/core';
import type { DuoSettings, LegacyFactor } from '../config/settings.js';
import { DuoCallError } from '../failure.js';
import { safeText } from '../sanitize.js';
import { AuthApiClient, type AuthApiResult, type OutgoingRequest } from './auth-api-client.js';
import type { Params } from './signer.js';

export interface LegacyDeps {
  now(): number;
  onRequest?: (info: OutgoingRequest) => void;
  sleep?: (ms: number) => Promise<void>;
  warn(message: string, fields: Record<string, unknown>): void;
}

export type LegacyPending =
  | { t: 'legacy'; stage: 'code'; username: string; ikey: string; factor: 'passcode' | 'sms' }
  | {
      t: 'legacy';
      stage: 'push';
      username: string;
      ikey: string;
      factor: 'push' | 'phone' | 'auto';
      txid: string;
      startedAt: number;
    }
  | { t: 'legacy'; stage: 'bypass'; username: string; ikey: string }
  | { t: 'legacy'; stage: 'enroll'; username: string; ikey: string };

const PUSH_OUTSTANDING = 'duo-push-outstanding';
const PUSH_RATE = 'duo-push-rate';
const PREAUTH_RATE = 'duo-preauth-rate';
/** preauth calls per user and window: enough for real sign-ins, far too few to flood Duo. */
const PREAUTH_LIMIT = 20;
const PREAUTH_WINDOW_MS = 15 * 60_000;
const PASSCODE = /^[0-9]{6,10}$/;

export function legacyClient(settings: DuoSettings, deps: LegacyDeps, timeoutMs?: number) {
  return new AuthApiClient({
    apiHost: settings.apiHost,
    ikey: settings.integrationKey ?? '',
    skey: settings.secretKey ?? '',
    ...(settings.caPem !== undefined ? { caPem: settings.caPem } : {}),
    signatureVersion: settings.signatureVersion,
    timeoutMs: timeoutMs ?? settings.requestTimeoutMs,
    rateLimitBudgetMs: settings.rateLimitBudgetMs,
    maxRetries: settings.maxRetries,
    now: () => deps.now(),
    ...(deps.sleep ? { sleep: deps.sleep } : {}),
    ...(deps.onRequest ? { onRequest: deps.onRequest } : {}),
  });
}

/**
 * A Duo `stat: FAIL` answer as a classified failure. A 401 is our configuration (keys or clock):
 * when Duo's clock differs from ours by more than its 300 s window, the log says CLOCK_SKEW
 * (DA-02). Never an outage, so never failmode.
 */
async function failed(
  client: AuthApiClient,
  r: Extract<AuthApiResult, { ok: false }>,
  deps: LegacyDeps,
): Promise<DuoCallError> {
  const f = r.failure;
  let hint: string | undefined;
  if (f.httpStatus === 401) {
    const duoTime = await client.ping().catch(() => undefined);
    if (duoTime !== undefined && Math.abs(duoTime - deps.now() / 1000) > 300) {
      hint = 'CLOCK_SKEW';
      deps.warn('duo: request refused and our clock differs from Duo by more than 300 s', {
        hint,
        skewSeconds: Math.round(deps.now() / 1000 - duoTime),
      });
    }
  }
  const kind = f.httpStatus === 401 || f.httpStatus === 403 ? 'config' : 'protocol';
  return new DuoCallError(
    kind,
    `Duo refused the request: HTTP ${f.httpStatus} ${f.code ?? ''} ${f.message}`,
    {
      ...(hint ? { hint } : {}),
    },
  );
}

async function callOk(
  client: AuthApiClient,
  deps: LegacyDeps,
  method: 'GET' | 'POST',
  path: string,
  params: Params,
): Promise<Record<string, unknown>> {
  const r = await client.call(method, path, params);
  if (!r.ok) throw await failed(client, r, deps);
  if (typeof r.response !== 'object' || r.response === null || Array.isArray(r.response))
    throw new DuoCallError(
      'malformed',
      `Duo answered ${path} with a response that is not an object`,
    );
  return r.response as Record<string, unknown>;
}

/**
 * The client IP sent as `ipaddr` (Duo's IP policies, DA-06): the one the host passed
 * with the call (core's request info, from its trusted proxy chain), else the user attribute.
 */
function clientIp(ctx: ProviderContext<DuoSettings>, user: TwoFactorUser): string | undefined {
  const fromRequest = ctx.request?.ip;
  if (typeof fromRequest === 'string' && isIP(fromRequest) !== 0) return fromRequest;
  const ip = Object.hasOwn(user.attributes ?? {}, ctx.config.ipAttribute)
    ? user.attributes?.[ctx.config.ipAttribute]
    : undefined;
  return typeof ip === 'string' && isIP(ip) !== 0 ? ip : undefined;
}

function effectiveFactor(settings: DuoSettings): LegacyFactor {
  return settings.factor ?? 'auto';
}

function portalUrl(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > 2048) return undefined;
  try {
    const u = new URL(value);
    return u.protocol === 'https:' ? u.toString() : undefined;
  } catch {
    return undefined;
  }
}

interface PushQuota {
  take(): Promise<void>;
  /** Only the rate since the last success (an SMS has nothing outstanding to wait for). */
  takeRate(): Promise<void>;
  releaseOutstanding(): Promise<void>;
  releaseAll(): Promise<void>;
}

function pushQuota(ctx: ProviderContext<DuoSettings>): PushQuota {
  const q = ctx.quota;
  if (!q) {
    throw new ProviderError('Duo push needs core’s shared quota (call through TwoFactorService).');
  }
  const s = ctx.config;
  return {
    async take() {
      const one = await q.take(PUSH_OUTSTANDING, 1, s.pushDeadlineSeconds * 1000);
      if (!one.ok) throw pushLimited(one.retryAfterMs, 'a push is already waiting for an answer');
      const rate = await q.take(PUSH_RATE, s.pushLimit, s.pushWindowSeconds * 1000);
      if (!rate.ok) {
        await q.release(PUSH_OUTSTANDING);
        throw pushLimited(rate.retryAfterMs, 'too many pushes since the last successful sign-in');
      }
    },
    async takeRate() {
      const rate = await q.take(PUSH_RATE, s.pushLimit, s.pushWindowSeconds * 1000);
      if (!rate.ok)
        throw pushLimited(rate.retryAfterMs, 'too many messages since the last successful sign-in');
    },
    releaseOutstanding: () => q.release(PUSH_OUTSTANDING),
    async releaseAll() {
      await q.release(PUSH_OUTSTANDING);
      await q.release(PUSH_RATE);
    },
  };
}

function pushLimited(retryAfterMs: number, why: string): FactorkitError {
  return new FactorkitError(
    'PUSH_RATE_LIMITED',
    'Too many push requests. Wait before asking for another.',
    { details: { retryAfter: Math.ceil(retryAfterMs / 1000), why } },
  );
}

type Mode = 'activation' | 'challenge';

/** preauth, then the first step of the configured factor. */
export async function beginLegacy(
  ctx: ProviderContext<DuoSettings>,
  user: TwoFactorUser,
  username: string,
  mode: Mode,
  deps: LegacyDeps,
  fromEnrollPoll = false,
): Promise<Begun<ActivationPrompt>> {
  // In challenge mode every path returns a ChallengePrompt (enroll throws instead).
  const s = ctx.config;
  // One user looping sign-ins (or enrollment polls) must not be able to push our integration
  // into Duo's rate limit, which would look like an outage (OUT-04, invariant 7).
  const quota = ctx.quota;
  if (quota && !fromEnrollPoll) {
    const t = await quota.take(PREAUTH_RATE, PREAUTH_LIMIT, PREAUTH_WINDOW_MS);
    if (!t.ok) throw pushLimited(t.retryAfterMs, 'too many Duo sign-in attempts for this account');
  }
  const client = legacyClient(s, deps);
  const ip = clientIp(ctx, user);
  const pre = await callOk(client, deps, 'POST', '/auth/v2/preauth', {
    username,
    client_supports_verified_push: '1',
    ...(ip ? { ipaddr: ip } : {}),
  });
  const ikey = s.integrationKey ?? '';
  const status = safeText(pre['status_msg']);
  switch (pre['result']) {
    case 'auth':
      return startFactor(ctx, client, user, username, deps, pre);
    case 'allow':
      // A bypass proves nothing: never at activation (nothing may be linked on it).
      if (!s.acceptBypass || mode === 'activation') {
        throw new ProviderDeniedError(
          'Duo lets this account bypass two-factor sign-in, which this site does not accept.',
          {
            details: { duo: 'preauth-allow', status },
          },
        );
      }
      return {
        prompt: { kind: 'push-wait', pollIntervalMs: 250, message: 'Duo: bypass account.' },
        pending: { t: 'legacy', stage: 'bypass', username, ikey },
      };
    case 'enroll': {
      const url = portalUrl(pre['enroll_portal_url']);
      if (mode === 'activation' && url) {
        return {
          prompt: {
            kind: 'external-enrollment',
            url,
            message: 'Add a device at Duo, then come back and continue.',
          },
          pending: { t: 'legacy', stage: 'enroll', username, ikey },
        };
      }
      throw new ProviderDeniedError('This account has no Duo device yet.', {
        details: { duo: 'preauth-enroll', status, ...(url ? { enrollPortalUrl: url } : {}) },
      });
    }
    case 'deny':
      throw new ProviderDeniedError('Duo denied this sign-in.', {
        details: { duo: 'preauth-deny', status },
      });
    default:
      throw new ProviderDeniedError('Duo gave no usable answer.', {
        details: { duo: 'preauth-unknown', result: safeText(pre['result'], 20) },
      });
  }
}

async function startFactor(
  ctx: ProviderContext<DuoSettings>,
  client: AuthApiClient,
  user: TwoFactorUser,
  username: string,
  deps: LegacyDeps,
  pre: Record<string, unknown>,
): Promise<Begun<ChallengePrompt>> {
  const s = ctx.config;
  const ikey = s.integrationKey ?? '';
  const factor = effectiveFactor(s);
  const ip = clientIp(ctx, user);
  const common = { username, ...(ip ? { ipaddr: ip } : {}) };
  if (factor === 'passcode') {
    return {
      prompt: {
        kind: 'code-entry',
        message: 'Enter a passcode from Duo Mobile, your Duo token or a bypass code.',
      },
      pending: { t: 'legacy', stage: 'code', username, ikey, factor },
    };
  }
  if (factor === 'sms') {
    // Each SMS reaches the user's phone and costs telephony credits: same cap as pushes
    // since the last successful sign-in (BF-05, ASVS 6.6.4).
    await pushQuota(ctx).takeRate();
    const r = await client.call('POST', '/auth/v2/auth', {
      ...common,
      factor: 'sms',
      device: 'auto',
    });
    if (!r.ok) throw deniedOrFailed(await failed(client, r, deps), r);
    return {
      prompt: { kind: 'code-entry', message: 'Duo sent passcodes by SMS. Enter one of them.' },
      pending: { t: 'legacy', stage: 'code', username, ikey, factor },
    };
  }
  // push, phone or auto: asynchronous, bounded per user (BF-05).
  const quota = pushQuota(ctx);
  await quota.take();
  try {
    const verifiedTxid = typeof pre['txid'] === 'string' ? pre['txid'] : undefined;
    const vc = pre['verification_code'];
    const code =
      (typeof vc === 'string' || typeof vc === 'number') && /^[0-9]{3,6}$/.test(String(vc))
        ? String(vc)
        : undefined;
    const r = await client.call('POST', '/auth/v2/auth', {
      ...common,
      factor,
      device: 'auto',
      async: '1',
      ...(factor !== 'phone' ? { type: 'Login' } : {}),
      ...(verifiedTxid ? { txid: verifiedTxid } : {}),
    });
    if (!r.ok) throw deniedOrFailed(await failed(client, r, deps), r);
    const txid = (r.response as { txid?: unknown } | null)?.txid;
    if (typeof txid !== 'string' || !/^[A-Za-z0-9-]{8,64}$/.test(txid))
      throw new DuoCallError('malformed', 'Duo answered auth without a usable txid');
    const message =
      factor === 'phone'
        ? 'Duo is calling your phone.'
        : code
          ? `Duo sent a push. Enter ${code} in Duo Mobile to approve.`
          : 'Duo sent a push to your device. Approve it to continue.';
    return {
      prompt: { kind: 'push-wait', pollIntervalMs: s.pollIntervalMs, message },
      pending: { t: 'legacy', stage: 'push', username, ikey, factor, txid, startedAt: deps.now() },
    };
  } catch (err) {
    await quota.releaseOutstanding();
    throw err;
  }
}

/** `400 no capable device` is a denial (the user's devices cannot do this factor). */
function deniedOrFailed(err: DuoCallError, r: Extract<AuthApiResult, { ok: false }>): Error {
  if (r.failure.httpStatus === 400 && /no capable device/i.test(r.failure.message)) {
    return new ProviderDeniedError('No Duo device of this account can use this method.', {
      details: { duo: 'no-capable-device' },
    });
  }
  return err;
}

function parsePoll(input: unknown): 'poll' | 'cancel' | undefined {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return undefined;
  const o = input as Record<string, unknown>;
  if (o['cancel'] === true) return 'cancel';
  if (o['poll'] === true) return 'poll';
  return undefined;
}

function methodOf(factor: string): string {
  return `duo-${factor}`;
}

/** The second half: a passcode, a push poll, or (activation) a return from Duo's portal. */
export async function verifyLegacy(
  ctx: ProviderContext<DuoSettings>,
  user: TwoFactorUser,
  pending: LegacyPending,
  input: unknown,
  deps: LegacyDeps,
  mode: Mode,
): Promise<VerifyOutcome> {
  const s = ctx.config;
  if (pending.ikey !== (s.integrationKey ?? '')) {
    // Started under another Duo integration (DU-08 for the Auth API): abort.
    return { ok: false, reason: 'ERROR', detail: 'challenge started with another Duo integration' };
  }
  const client = legacyClient(s, deps);
  switch (pending.stage) {
    case 'bypass':
      if (!parsePoll(input)) return { ok: false, reason: 'INVALID_FORMAT' };
      return s.acceptBypass
        ? { ok: true, method: 'duo-bypass' }
        : { ok: false, reason: 'DENIED', detail: 'bypass no longer accepted' };
    case 'code': {
      if (typeof input !== 'string' || !PASSCODE.test(input))
        return { ok: false, reason: 'INVALID_FORMAT' };
      const ip = clientIp(ctx, user);
      const r = await client.call('POST', '/auth/v2/auth', {
        username: pending.username,
        factor: 'passcode',
        passcode: input,
        ...(ip ? { ipaddr: ip } : {}),
      });
      if (!r.ok) throw await failed(client, r, deps);
      const res = r.response as Record<string, unknown>;
      if (res['result'] === 'allow') {
        if (pending.factor === 'sms') await pushQuota(ctx).releaseAll();
        return { ok: true, method: methodOf(pending.factor) };
      }
      if (res['status'] === 'locked_out')
        return { ok: false, reason: 'DENIED', detail: 'Duo account locked out' };
      // A wrong passcode may be retried on the same challenge (counted each time; Duo also
      // locks the account after its own threshold).
      return {
        ok: false,
        reason: 'INVALID_CODE',
        detail: safeText(res['status_msg']),
        retry: true,
      };
    }
    case 'push':
      return pollPush(ctx, client, pending, input, deps);
    case 'enroll': {
      if (mode !== 'activation') return { ok: false, reason: 'ERROR' };
      if (!parsePoll(input)) return { ok: false, reason: 'INVALID_FORMAT' };
      // Enrollment polls re-run preauth: bounded per user (100 per 5 minutes, one per 3 s on
      // average), however fast a host or an attacker polls; past it, waiting costs nothing.
      const poll = await ctx.quota?.take('duo-enroll-poll', 100, 5 * 60_000);
      if (poll && !poll.ok) return { ok: false, reason: 'WAITING' };
      const again = await beginLegacy(ctx, user, pending.username, 'activation', deps, true);
      // Still enrolling, or enrolled now: keep waiting with the next step as the new pending.
      return { ok: false, reason: 'WAITING', pending: again.pending };
    }
  }
}

async function pollPush(
  ctx: ProviderContext<DuoSettings>,
  client: AuthApiClient,
  pending: Extract<LegacyPending, { stage: 'push' }>,
  input: unknown,
  deps: LegacyDeps,
): Promise<VerifyOutcome> {
  const s = ctx.config;
  const quota = pushQuota(ctx);
  const what = parsePoll(input);
  if (!what) return { ok: false, reason: 'INVALID_FORMAT' };
  if (what === 'cancel') {
    await quota.releaseOutstanding();
    return { ok: false, reason: 'EXPIRED', detail: 'cancelled by the user' };
  }
  const deadline = pending.startedAt + s.pushDeadlineSeconds * 1000;
  if (deps.now() >= deadline) {
    await quota.releaseOutstanding();
    return { ok: false, reason: 'EXPIRED', detail: 'push deadline passed (DA-05)' };
  }
  let r: AuthApiResult;
  try {
    r = await client.call('GET', '/auth/v2/auth_status', { txid: pending.txid });
  } catch (err) {
    // auth_status is a long poll: no answer within our deadline means no change yet.
    if (
      err instanceof DuoCallError &&
      err.kind === 'outage' &&
      /TimeoutError|AbortError|TIMEOUT/i.test(err.detail)
    )
      return { ok: false, reason: 'WAITING' };
    throw err;
  }
  if (!r.ok) throw await failed(client, r, deps);
  const res = r.response as Record<string, unknown>;
  switch (res['result']) {
    case 'waiting':
      return { ok: false, reason: 'WAITING' };
    case 'allow':
      await quota.releaseAll();
      return { ok: true, method: methodOf(pending.factor === 'auto' ? 'push' : pending.factor) };
    case 'deny':
      await quota.releaseOutstanding();
      if (res['status'] === 'timeout')
        return { ok: false, reason: 'EXPIRED', detail: 'Duo push timed out' };
      return { ok: false, reason: 'DENIED', detail: `Duo ${safeText(res['status'], 20)}` };
    default:
      await quota.releaseOutstanding();
      return { ok: false, reason: 'DENIED', detail: 'unknown auth_status result' };
  }
}

export async function legacyCheck(settings: DuoSettings, deps: LegacyDeps): Promise<void> {
  const client = legacyClient(settings, deps, settings.healthTimeoutMs);
  await callOk(client, deps, 'GET', '/auth/v2/check', {});
}

export function isLegacyPending(p: JsonValue): p is LegacyPending & JsonValue {
  return (
    typeof p === 'object' &&
    p !== null &&
    !Array.isArray(p) &&
    (p as { t?: unknown }).t === 'legacy'
  );
}
