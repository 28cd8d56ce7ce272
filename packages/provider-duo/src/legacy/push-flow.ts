/**
 * Asynchronous legacy factors (push, phone call, `auto`): send with `/auth?async=1`, then poll
 * `auth_status` with the txid kept in core's user-bound pending record (DA-05, RP-04).
 * The outstanding-push slot (push-quota.ts) is given back only when Duo says the push is over or
 * was never created, never because we stopped waiting for it (BF-05).
 */
import type { ChallengePrompt, ProviderContext, VerifyOutcome } from '@factorkit/core';
import type { DuoSettings } from '../config/settings.js';
import { DuoCallError } from '../failure.js';
import { legacySuccess } from '../proof.js';
import { safeText } from '../sanitize.js';
import type { AuthApiClient, AuthApiResult } from './auth-api-client.js';
import { deniedOrFailed, failed, type LegacyDeps } from './duo-calls.js';
import type { LegacyPending } from './pending.js';
import { pushQuota } from './push-quota.js';

export type AsyncFactor = 'push' | 'phone' | 'auto';
type PushPending = Extract<LegacyPending, { stage: 'push' }>;

const TXID = /^[A-Za-z0-9-]{8,64}$/;
const VERIFICATION_CODE = /^[0-9]{3,6}$/;

export interface PushRequest {
  factor: AsyncFactor;
  username: string;
  ikey: string;
  /** `username` and, when known, `ipaddr`. */
  common: Record<string, string>;
  /** Duo's preauth answer: a Verified Push txid and code, when the account requires one. */
  pre: Record<string, unknown>;
}

export async function sendPush(
  ctx: ProviderContext<DuoSettings>,
  client: AuthApiClient,
  deps: LegacyDeps,
  req: PushRequest,
): Promise<{ prompt: ChallengePrompt; pending: PushPending }> {
  const s = ctx.config;
  const quota = pushQuota(ctx);
  await quota.takeForPush();
  const verifiedTxid = typeof req.pre['txid'] === 'string' ? req.pre['txid'] : undefined;
  const vc = req.pre['verification_code'];
  const code =
    (typeof vc === 'string' || typeof vc === 'number') && VERIFICATION_CODE.test(String(vc))
      ? String(vc)
      : undefined;
  let r: AuthApiResult;
  try {
    r = await client.call('POST', '/auth/v2/auth', {
      ...req.common,
      factor: req.factor,
      device: 'auto',
      async: '1',
      ...(req.factor !== 'phone' ? { type: 'Login' } : {}),
      ...(verifiedTxid ? { txid: verifiedTxid } : {}),
    });
  } catch (err) {
    // A timeout, a reset or a 5xx may come after Duo sent the push: keep the slot then.
    if (err instanceof DuoCallError && err.notProcessed) await quota.pushOver();
    throw err;
  }
  if (!r.ok) {
    // Duo refused the request: it created no push.
    await quota.pushOver();
    throw deniedOrFailed(await failed(client, r, deps), r);
  }
  // Duo accepted the request, so a push may be on its way even if we cannot read the txid:
  // the slot stays taken until its window ends.
  const txid = (r.response as { txid?: unknown } | null)?.txid;
  if (typeof txid !== 'string' || !TXID.test(txid))
    throw new DuoCallError('malformed', 'Duo answered auth without a usable txid');
  const message =
    req.factor === 'phone'
      ? 'Duo is calling your phone.'
      : code
        ? `Duo sent a push. Enter ${code} in Duo Mobile to approve.`
        : 'Duo sent a push to your device. Approve it to continue.';
  return {
    prompt: { kind: 'push-wait', pollIntervalMs: s.pollIntervalMs, message },
    pending: {
      t: 'legacy',
      stage: 'push',
      username: req.username,
      ikey: req.ikey,
      factor: req.factor,
      txid,
      startedAt: deps.now(),
    },
  };
}

export function parsePoll(input: unknown): 'poll' | 'cancel' | undefined {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return undefined;
  const o = input as Record<string, unknown>;
  if (o['cancel'] === true) return 'cancel';
  if (o['poll'] === true) return 'poll';
  return undefined;
}

export async function pollPush(
  ctx: ProviderContext<DuoSettings>,
  client: AuthApiClient,
  pending: PushPending,
  input: unknown,
  deps: LegacyDeps,
): Promise<VerifyOutcome> {
  const s = ctx.config;
  const quota = pushQuota(ctx);
  const what = parsePoll(input);
  if (!what) return { ok: false, reason: 'INVALID_FORMAT' };
  // Neither a cancel nor our deadline ends the push at Duo (the Auth API cannot cancel one),
  // so neither gives back the outstanding slot: it ends with its window.
  if (what === 'cancel') return { ok: false, reason: 'EXPIRED', detail: 'cancelled by the user' };
  const deadline = pending.startedAt + s.pushDeadlineSeconds * 1000;
  if (deps.now() >= deadline)
    return { ok: false, reason: 'EXPIRED', detail: 'push deadline passed (DA-05)' };
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
      await quota.signedIn();
      return legacySuccess(pending.factor === 'auto' ? 'push' : pending.factor);
    case 'deny':
      // Denied, timed out, fraud, locked out: the push is over at Duo.
      await quota.pushOver();
      if (res['status'] === 'timeout')
        return { ok: false, reason: 'EXPIRED', detail: 'Duo push timed out' };
      return { ok: false, reason: 'DENIED', detail: `Duo ${safeText(res['status'], 20)}` };
    default:
      // Not an answer we know: the push may still be live, so the slot ends with its window.
      return { ok: false, reason: 'DENIED', detail: 'unknown auth_status result' };
  }
}
