import { PendingStateError } from '../../errors.js';
import type { JsonValue, TwoFactorUser } from '../../provider/contract.js';
import type { EnrollmentRecord, PendingRecord } from '../../store/types.js';
import type { Kernel } from '../kernel/kernel.js';
import type { PendingState } from '../kernel/pending-steps.js';
import type { Outcome } from '../kernel/outcomes.js';

// The two store-facing ends of answering a challenge: taking the step with its enrollment, and
// recording a success (the replay counter's compare-and-set). `completeChallenge` orders them.

/** The taken step and what answering it needs. */
export interface OpenStep {
  record: PendingRecord;
  enrollment: EnrollmentRecord;
  /** The enrollment's data, opened here so a key-ring fault is refunded, never counted. */
  secret: JsonValue;
  state: PendingState & { generation: number };
  /** The stored payload already says `state` (it carries its generation): no reseal needed. */
  stateStored: boolean;
}

export async function openStep(k: Kernel, id: string, user: TwoFactorUser): Promise<OpenStep> {
  const { record, enrollment } = await k.pending.takeWithEnrollment(id, user, 'challenge', (e) =>
    k.stores.enrollments.get(e),
  );
  if (
    !enrollment ||
    enrollment.userId !== user.id ||
    enrollment.providerId !== record.providerId ||
    !k.providers.allowed(user.audience).includes(record.providerId)
  ) {
    throw new PendingStateError('CHALLENGE_NOT_FOUND');
  }
  const sealed = k.pending.open(record);
  if (sealed.outage && !k.providers.get(record.providerId).capabilities.retryableChallenge) {
    // A one-shot step that already hit an outage: keep it for failOpen, answer nothing.
    await k.pending.restore(record);
    throw new PendingStateError('CHALLENGE_NOT_FOUND');
  }
  const secret = k.secrets.open(enrollment);
  const generation = await k.generations.of(sealed.generation, user.id);
  const stateStored = sealed.generation !== undefined;
  return { record, enrollment, secret, state: { ...sealed, generation }, stateStored };
}

/**
 * Records a success in the store. With a replay counter, the store's compare-and-set accepts a
 * counter once only (RFC 6238 §5.2, SECURITY.md RP-01, CC-01); without one, the use is recorded
 * only if the factor still exists. `generation` is the user's generation when the store read it
 * along with the compare-and-set (`advanceCounterReadingGeneration`), for the EN-05 check.
 */
export async function commitSuccess(
  k: Kernel,
  user: TwoFactorUser,
  step: OpenStep,
  outcome: Extract<Outcome, { ok: true }>,
  replayCounter: boolean,
): Promise<{ result: 'ok' | 'removed' | 'no-counter' | 'replayed'; generation?: number }> {
  const now = k.now();
  const enrollments = k.stores.enrollments;
  const touched = async () => ({
    result: (await enrollments.touch(step.enrollment.id, now))
      ? ('ok' as const)
      : ('removed' as const),
  });
  if (!replayCounter) return touched();
  if (outcome.counter === undefined) {
    if (outcome.counterless !== true) return { result: 'no-counter' };
    // A key that once counted and now reports none is a regression (WebAuthn §6.1.1, WA-11).
    if ((step.enrollment.counter ?? 0) === 0) return touched();
  } else if (enrollments.advanceCounterReadingGeneration) {
    const r = await enrollments.advanceCounterReadingGeneration(
      step.enrollment.id,
      user.id,
      outcome.counter,
      now,
    );
    if (r.advanced) return { result: 'ok', generation: r.generation };
  } else if (await enrollments.advanceCounter(step.enrollment.id, outcome.counter, now)) {
    return { result: 'ok' };
  }
  if (!(await enrollments.get(step.enrollment.id))) return { result: 'removed' };
  const provider = k.providers.get(step.record.providerId);
  // A signed counter on a fresh single-use challenge that went backwards: a copied key (WA-09).
  const event =
    provider.capabilities.counterRegressionMeansClone === true
      ? {
          type: 'clone.suspected' as const,
          enrollmentId: step.enrollment.id,
          lastCounter: step.enrollment.counter ?? 0,
        }
      : { type: 'replay.rejected' as const };
  await k.audit.emit({
    ...k.audit.base(user),
    ...event,
    providerId: step.record.providerId,
    counter: outcome.counter ?? 0,
  });
  return { result: 'replayed' };
}
