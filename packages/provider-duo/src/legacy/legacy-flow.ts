/**
 * The legacy transport: Duo Auth API v2 (`preauth`, `auth`, `auth_status`), duo-protocol.md §B.4.
 *
 * - `preauth` decides (DA-03): `auth` proceeds; `deny` denies; `enroll` shows Duo's
 *   enrollment portal only to this pending user; `allow` (a bypass user) is refused unless
 *   `acceptBypass`; anything else denies.
 * - `client_supports_verified_push=1` is always sent, and a verified-push `txid` from preauth is
 *   passed to `auth` with its code shown to the user (DA-06). The client IP comes from a user
 *   attribute the host sets from its trusted proxy chain.
 * - A push is asynchronous (push-flow.ts): its `txid` lives only in core's encrypted, user-bound
 *   pending record (never taken from input), it is polled with `auth_status` until a deadline of
 *   at most 10 min (DA-05, RP-04), and at most one push is outstanding per user, until Duo has
 *   ended it, with a cap since the last success (BF-05, push-quota.ts).
 */
import {
  ProviderDeniedError,
  type ActivationPrompt,
  type Begun,
  type ChallengePrompt,
  type ProviderContext,
  type TwoFactorUser,
  type VerifyOutcome,
} from '@factorkit/core';
import type { DuoSettings, LegacyFactor } from '../config/settings.js';
import { safeText } from '../sanitize.js';
import type { AuthApiClient } from './auth-api-client.js';
import {
  callOk,
  clientIp,
  deniedOrFailed,
  failed,
  legacyClient,
  type LegacyDeps,
} from './duo-calls.js';
import type { LegacyPending } from './pending.js';
import { bypassSuccess, legacySuccess } from '../proof.js';
import { parsePoll, pollPush, sendPush } from './push-flow.js';
import { pushLimited, pushQuota } from './push-quota.js';

export type { LegacyDeps } from './duo-calls.js';
export { isLegacyPending, type LegacyPending } from './pending.js';

const PREAUTH_RATE = 'duo-preauth-rate';
/** preauth calls per user and window: enough for real sign-ins, far too few to flood Duo. */
const PREAUTH_LIMIT = 20;
const PREAUTH_WINDOW_MS = 15 * 60_000;
const PASSCODE = /^[0-9]{6,10}$/;

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
  return sendPush(ctx, client, deps, { factor, username, ikey, common, pre });
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
        ? bypassSuccess()
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
        if (pending.factor === 'sms') await pushQuota(ctx).signedIn();
        return legacySuccess(pending.factor);
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

export async function legacyCheck(settings: DuoSettings, deps: LegacyDeps): Promise<void> {
  const client = legacyClient(settings, deps, settings.healthTimeoutMs);
  await callOk(client, deps, 'GET', '/auth/v2/check', {});
}
