import { PolicyError, ProviderUnavailableError } from '../../errors.js';
import { FAIL_OPEN_ASSURANCE, asksAboveAal1, type AmrValue } from '../../provider/assurance.js';
import { recoveryCodesUsable } from '../../policy/policy.js';
import type { TwoFactorUser } from '../../provider/contract.js';
import type { EnrollmentRecord } from '../../store/types.js';
import type { Kernel } from '../kernel/kernel.js';
import { printable } from '../kernel/request-info.js';
import type { SecondFactorSuccess } from '../types.js';
import { decide } from './enforcement.js';

/**
 * Describes an outage with the user's other factors, so the host offers them first, and the
 * challenge id that `failOpen` needs if policy allows it (SECURITY.md OUT-01, OUT-02). The
 * provider's own error stays the cause, and its details (say a `retryAfter`) come along.
 */
export async function outageError(
  k: Kernel,
  user: TwoFactorUser,
  usable: readonly EnrollmentRecord[] | null,
  providerId: string,
  challengeId: string,
  cause?: unknown,
): Promise<ProviderUnavailableError> {
  const mine = usable ?? (await decide(k, user)).usable;
  // Distinct ids: a user may hold several enrollments of one provider.
  const others = [...new Set(mine.map((e) => e.providerId))].filter((id) => id !== providerId);
  const policy = k.providers.audiencePolicy(user.audience);
  // Only codes policy accepts are offered (AS-04).
  const codes =
    policy && recoveryCodesUsable(policy)
      ? await k.stores.enrollments.countRecoveryCodes(user.id)
      : 0;
  const provider = k.providers.get(providerId);
  const failOpenPossible =
    others.length === 0 &&
    !asksAboveAal1(policy) &&
    provider.failOpenAllowed?.(k.providers.context(providerId, user)) === true;
  const own = cause instanceof ProviderUnavailableError ? cause.details : {};
  return new ProviderUnavailableError(undefined, {
    cause,
    details: {
      ...own,
      providerId,
      challengeId,
      alternatives: others,
      recoveryCodes: codes > 0,
      failOpenPossible,
    },
  });
}

/** A fail-open grant proved no method: an empty `amr`. */
const NO_AMR: readonly AmrValue[] = Object.freeze([]);

function deny(message: string, details?: Record<string, unknown>): never {
  throw new PolicyError('POLICY_DENIED', message, details ? { details } : undefined);
}

/**
 * Grants sign-in without the second factor for a challenge that just failed with
 * PROVIDER_UNAVAILABLE, only when all of these hold (SECURITY.md OUT-02):
 * - the user is not locked;
 * - the provider's own config allows failing open for this audience;
 * - the user has no other usable factor (recovery codes are reported to the host, which should
 *   offer them first);
 * - core itself sees the provider down right now: its health check returns `{ healthy: false }`
 *   or throws ProviderUnavailableError. Any other answer, including a configuration, signature
 *   or TLS error, is not an outage and is refused.
 * The challenge is consumed; every grant is an audit event and is marked `failOpen` (AAL1).
 */
export async function failOpen(
  k: Kernel,
  challengeId: string,
  user: TwoFactorUser,
): Promise<SecondFactorSuccess> {
  await k.attempts.refuseIfLocked(user);
  const record = await k.pending.take(challengeId, user, 'challenge');
  if (!k.pending.open(record).outage) {
    deny('Failing open applies only to a challenge that met an outage.');
  }
  const providerId = record.providerId;
  const req = (await decide(k, user)).requirement;
  if (req.action !== 'challenge' || !req.providers.includes(providerId)) {
    deny('Failing open applies only to a factor this account uses.');
  }
  const provider = k.providers.get(providerId);
  const ctx = k.providers.context(providerId, user, { pendingId: record.id });
  if (asksAboveAal1(k.providers.audiencePolicy(user.audience))) {
    // A grant proves the password alone: never for an audience that asks for more (AS-05).
    deny(
      `Failing open is not allowed for ${user.audience} users: their policy asks for more than a password.`,
    );
  }
  if (provider.failOpenAllowed?.(ctx) !== true || !provider.healthCheck) {
    deny(`Failing open is not allowed for ${user.audience} users of ${providerId}.`);
  }
  const others = req.providers.filter((p) => p !== providerId);
  if (others.length > 0) {
    deny('Use another of your factors while this one is unavailable.', { alternatives: others });
  }
  let detail: string;
  try {
    const health: unknown = await provider.healthCheck(ctx);
    const h = health as { healthy?: unknown; detail?: unknown } | null;
    if (typeof h !== 'object' || h === null || h.healthy !== false) {
      deny('The provider is not reporting an outage: complete the second factor.');
    }
    detail = typeof h.detail === 'string' ? h.detail : 'unhealthy';
  } catch (err) {
    if (err instanceof PolicyError) throw err;
    if (!(err instanceof ProviderUnavailableError)) {
      deny('The provider failed for a reason other than an outage.');
    }
    detail = 'unavailable';
  }
  // Control characters out (log and terminal injection, ASVS 16.4.1).
  detail = printable(detail, 200) ?? 'unhealthy';
  await k.audit.emit({ type: 'provider.unhealthy', at: k.audit.at(), providerId, detail });
  await k.audit.emit({ ...k.audit.base(user), type: 'fail-open', providerId, detail });
  return {
    ok: true,
    userId: user.id,
    providerId,
    method: `${providerId}-fail-open`,
    failOpen: true,
    assurance: FAIL_OPEN_ASSURANCE,
    amr: NO_AMR,
    // No second factor was passed: 0 can never count as a recent one, so a host that passes it
    // back anyway is refused a step-up (trusting a device included, FL-09).
    at: 0,
  };
}
