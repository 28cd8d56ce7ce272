import { AudiencePolicy } from '../../config/policy-classes.js';
import { InvalidArgumentError, StepUpRequiredError, type StepUpRefusal } from '../../errors.js';
import type { StepUpAction } from '../../events.js';
import type { TwoFactorUser } from '../../provider/contract.js';
import type { Kernel } from '../kernel/kernel.js';
import type { SecondFactorRecency, StepUpOptions } from '../types.js';

const DEFAULT_MAX_AGE_SECONDS = new AudiencePolicy().stepUpSeconds;

/** The audience's window; an unknown audience gets the schema's default, never "no limit". */
function maxAgeSeconds(k: Kernel, user: TwoFactorUser): number {
  return k.providers.audiencePolicy(user.audience)?.stepUpSeconds ?? DEFAULT_MAX_AGE_SECONDS;
}

/** The actions a host may name: an event field, so never free text from the host (LG-01). */
const HOST_ACTIONS: readonly StepUpAction[] = ['trust-device', 'host-action'];

/** Why `secondFactorAt` is not a step-up at `now`, or undefined when it is one. */
function refusalOf(
  secondFactorAt: unknown,
  now: number,
  maxAge: number,
): StepUpRefusal | undefined {
  if (typeof secondFactorAt !== 'number' || !Number.isSafeInteger(secondFactorAt)) return 'missing';
  const elapsed = now - secondFactorAt;
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
  // One reading of the clock, so `recent` and `age` can never disagree.
  const now = k.now();
  const refusal = refusalOf(secondFactorAt, now, maxAge);
  const age = refusal === 'missing' ? null : Math.floor((now - (secondFactorAt as number)) / 1000);
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
  const refusal = refusalOf(options?.secondFactorAt, k.now(), maxAge);
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

/** The host's own sensitive action: the check applies whatever the policy says. */
export function requireForHost(
  k: Kernel,
  user: TwoFactorUser,
  action: unknown,
  options: StepUpOptions | undefined,
): Promise<void> {
  if (!HOST_ACTIONS.includes(action as StepUpAction)) {
    throw new InvalidArgumentError(`action must be one of ${HOST_ACTIONS.join(', ')}.`);
  }
  return requireRecentSecondFactor(k, user, action as StepUpAction, options);
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
