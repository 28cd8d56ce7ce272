/**
 * The per-user push limits of the legacy transport, in core's shared quota so they hold across
 * every app instance (BF-05, NIST SP 800-63B-4 §3.1.3.2, ASVS 6.6.4):
 * - one outstanding push (or phone call) per user;
 * - at most `pushLimit` pushes and SMS sends since the last successful sign-in.
 *
 * The Auth API cannot cancel a push. Once Duo may have sent one, it can be on the phone until
 * Duo has an answer for it or ends it itself, whatever the host does meanwhile (cancel, a new
 * sign-in, the pending step expiring, another factor). So the outstanding slot is given back
 * only when Duo has told us the push is over, or that it never created one; otherwise it ends
 * with its window, which outlasts any push Duo may still hold (see `outstandingWindowMs`).
 */
import { FactorkitError, ProviderError, type ProviderContext } from '@factorkit/core';
import type { DuoSettings } from '../config/settings.js';

const PUSH_OUTSTANDING = 'duo-push-outstanding';
const PUSH_RATE = 'duo-push-rate';

/** Duo ends an unanswered push after about 60 s (duo-protocol.md §B.4). */
const DUO_PUSH_LIFETIME_MS = 60_000;
/** Duo says "about" 60 s, and says it of pushes only (a phone call is not documented). */
const DUO_PUSH_LIFETIME_MARGIN_MS = 30_000;

/**
 * How long the outstanding slot lasts from the moment it is taken, just before `/auth`: the
 * send itself (429 retries within the budget, then one request up to its timeout; Duo may
 * create the push at the very end of it), then the longer of our own poll deadline and the
 * push's lifetime at Duo.
 */
export function outstandingWindowMs(s: DuoSettings): number {
  const sendMs = s.rateLimitBudgetMs + s.requestTimeoutMs;
  const liveMs = Math.max(
    s.pushDeadlineSeconds * 1000,
    DUO_PUSH_LIFETIME_MS + DUO_PUSH_LIFETIME_MARGIN_MS,
  );
  return sendMs + liveMs;
}

export interface PushQuota {
  /** Before asking Duo for a push or call: the outstanding slot, then one unit of the rate. */
  takeForPush(): Promise<void>;
  /** Before an SMS: only the rate (an SMS leaves nothing outstanding to wait for). */
  takeRate(): Promise<void>;
  /**
   * Duo answered the push (denied, timed out, fraud) or refused to create it. Never for a
   * push that may still be live: a cancel, our own deadline or an unclear answer.
   */
  pushOver(): Promise<void>;
  /** A successful sign-in through Duo resets both limits. */
  signedIn(): Promise<void>;
}

export function pushQuota(ctx: ProviderContext<DuoSettings>): PushQuota {
  const q = ctx.quota;
  if (!q) {
    throw new ProviderError('Duo push needs core’s shared quota (call through TwoFactorService).');
  }
  const s = ctx.config;
  const takeRateUnit = () => q.take(PUSH_RATE, s.pushLimit, s.pushWindowSeconds * 1000);
  return {
    async takeForPush() {
      const one = await q.take(PUSH_OUTSTANDING, 1, outstandingWindowMs(s));
      if (!one.ok) throw pushLimited(one.retryAfterMs, 'a push may still be waiting on the device');
      const rate = await takeRateUnit();
      if (!rate.ok) {
        // Nothing was sent: the slot is free again.
        await q.release(PUSH_OUTSTANDING);
        throw pushLimited(rate.retryAfterMs, 'too many pushes since the last successful sign-in');
      }
    },
    async takeRate() {
      const rate = await takeRateUnit();
      if (!rate.ok)
        throw pushLimited(rate.retryAfterMs, 'too many messages since the last successful sign-in');
    },
    pushOver: () => q.release(PUSH_OUTSTANDING),
    async signedIn() {
      await q.release(PUSH_OUTSTANDING);
      await q.release(PUSH_RATE);
    },
  };
}

export function pushLimited(retryAfterMs: number, why: string): FactorkitError {
  return new FactorkitError(
    'PUSH_RATE_LIMITED',
    'Too many push requests. Wait before asking for another.',
    { details: { retryAfter: Math.ceil(retryAfterMs / 1000), why } },
  );
}
