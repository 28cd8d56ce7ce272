import { AudiencePolicy } from '../../config/policy-classes.js';
import { StepUpRequiredError, type StepUpRefusal } from '../../errors.js';
import type { StepUpAction } from '../../events.js';
import type { TwoFactorUser } from '../../provider/contract.js';
import type { Kernel } from '../kernel/kernel.js';
import type { SecondFactorRecency, StepUpOptions } from '../types.js';

const DEFAULT_MAX_AGE_SECONDS = new AudiencePolicy().stepUpSeconds;

/** The audience's window; an unknown audience gets the schema's default, never "no limit". */
function maxAgeSeconds(k: Kernel, user: TwoFactorUser): number {
  return k.providers.audiencePolicy(user.audience)?.stepUpSeconds ?? DEFAULT_MAX_AGE_SECONDS;
}

/** Why `secondFactorAt` is not a step-up right now, or undefined when it is one. */
function refusalOf(k: Kernel, secondFactorAt: unknown, maxAge: number): StepUpRefusal | undefined {
  if (typeof secondFactorAt !== 'number' || !Number.isSafeInteger(secondFactorAt)) return 'missing';
  const elapsed = k.now() - secondFactorAt;
  // A time ahead of core's clock is a forged or mixed-up value: a session cannot have passed
  // its second factor later than now, so it never counts as recent.
  if (elapsed < 0) return 'future';
  return elapsed > maxAge * 1000 ? 'stale' : undefined;
}

/**
 * Whether the session's last second factor is recent enough for a sensitive action
 * (SECURITY.md FL-06). The limit is inclusive: a factor exactly `maxAgeSeconds` old is recent.
 */
export function secondFactorRecency(
  k: Kernel,
  user: TwoFactorUser,
  secondFactorAt: unknown,
): SecondFactorRecency {
  const maxAge = maxAgeSeconds(k, user);
  const refusal = refusalOf(k, secondFactorAt, maxAge);
  const age =
    refusal === 'missing' ? null : Math.floor((k.now() - (secondFactorAt as number)) / 1000);
  return { recent: refusal === undefined, maxAgeSeconds: maxAge, age };
}

/** Refuses, audited, a sensitive action without a recent second factor; changes nothing. */
export async function requireRecentSecondFactor(
  k: Kernel,
  user: TwoFactorUser,
  action: StepUpAction,
  options: StepUpOptions | undefined,
): Promise<void> {
  const maxAge = maxAgeSeconds(k, user);
  const refusal = refusalOf(k, options?.secondFactorAt, maxAge);
  if (refusal === undefined) return;
  await k.audit.emit({
    ...k.audit.base(user),
    type: 'step-up.refused',
    action,
    refusal,
    maxAgeSeconds: maxAge,
  });
  throw new StepUpRequiredError(maxAge, refusal);
}

/** For factor management: a step-up only where the audience's policy turns it on. */
export async function stepUpIfRequired(
  k: Kernel,
  user: TwoFactorUser,
  action: StepUpAction,
  options: StepUpOptions | undefined,
): Promise<void> {
  if (k.providers.audiencePolicy(user.audience)?.requireStepUp !== true) return;
  await requireRecentSecondFactor(k, user, action, options);
}
