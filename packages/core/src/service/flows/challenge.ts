import {
  CodeAlreadyUsedError,
  FactorkitError,
  PendingStateError,
  PolicyError,
  ProviderError,
  ProviderUnavailableError,
} from '../../errors.js';
import { meetsAssurance } from '../../provider/assurance.js';
import { CHALLENGE_PROMPT_KINDS } from '../../provider/prompts.js';
import type { ChallengePrompt, JsonValue, TwoFactorUser } from '../../provider/contract.js';
import type { Kernel } from '../kernel/kernel.js';
import { REASONS, failureError, runHook } from '../kernel/outcomes.js';
import type {
  ChallengeStarted,
  EnrollmentChoice,
  SecondFactorSuccess,
  StillWaiting,
} from '../types.js';
import { decide } from './enforcement.js';
import { chooseEnrollment } from './factor-management.js';
import { outageError } from './fail-open.js';
import { commitSuccess, openStep, type OpenStep } from './challenge-step.js';

/**
 * Starts a sign-in challenge on one of the user's usable factors (the first by default, the
 * first of a provider, or one enrollment by id). The enrollments are read once, by the policy
 * decision, and handed down from there.
 */
export async function beginChallenge(
  k: Kernel,
  user: TwoFactorUser,
  choice: string | EnrollmentChoice | undefined,
): Promise<ChallengeStarted> {
  const decision = await decide(k, user);
  const req = decision.requirement;
  if (req.action !== 'challenge' || req.providers.length === 0) {
    throw new PolicyError('NOT_ENROLLED', 'This account has no usable second factor.', {
      details: {
        requirement: req.action,
        recoveryCodes: req.action === 'challenge' && req.recoveryCodes > 0,
      },
    });
  }
  const enrollment = chooseEnrollment(decision.usable, choice);
  const chosen = enrollment.providerId;
  // A locked user cannot start a challenge either: no push, no outbound call (DA-07).
  await k.attempts.refuseIfLocked(user);
  // Read before the provider is asked: a reset or removal after this point ends the step (EN-05).
  // Read with the enrollments when the store could (earlier still, so no less strict).
  const generation = decision.generation ?? (await k.generations.current(user.id));
  const provider = k.providers.get(chosen);
  const id = k.pending.newId();
  const ctx = k.providers.context(chosen, user, { lastCounter: enrollment.counter, pendingId: id });
  // Literals, not `{ ...shell, enrollmentId }`: see AuditTrail.emitFor on spreads in Node 20.
  const step = {
    id,
    userId: user.id,
    providerId: chosen,
    kind: 'challenge' as const,
    enrollmentId: enrollment.id,
  };
  let begun: { prompt: ChallengePrompt; pending: JsonValue };
  try {
    begun = await k.providers.begin<ChallengePrompt>(
      () => provider.beginChallenge(ctx, user, k.secrets.open(enrollment)),
      CHALLENGE_PROMPT_KINDS,
    );
  } catch (err) {
    if (err instanceof FactorkitError && err.code === 'PUSH_RATE_LIMITED')
      await k.pushes.pushEnded(user, chosen, 'rate-limited');
    if (!(err instanceof ProviderUnavailableError)) throw err;
    // Keep an outage marker: the only thing it can be used for is `failOpen(id, user)`.
    await k.pending.create(step, { data: null, outage: true, generation });
    throw await outageError(k, user, decision.usable, chosen, id, err);
  }
  const push = begun.prompt.kind === 'push-wait' || provider.capabilities.outOfBand === 'push';
  const state = { data: begun.pending, outage: false, generation, ...(push ? { push } : {}) };
  const record = await k.pending.create(step, state);
  await k.audit.emitFor(user, {
    type: 'challenge.started',
    providerId: chosen,
    enrollmentId: enrollment.id,
  });
  return {
    challengeId: id,
    providerId: chosen,
    enrollmentId: enrollment.id,
    prompt: begun.prompt,
    expiresAt: record.expiresAt,
  };
}

/**
 * Checks an answer. The attempt is counted before it is evaluated, so parallel guesses cannot
 * exceed the budget (SECURITY.md CC-03) and a locked user never reaches the provider (DA-07).
 * What turns out not to be a guess (an unknown id, an outage, a push poll) is refunded exactly.
 */
export async function completeChallenge(
  k: Kernel,
  challengeId: string,
  user: TwoFactorUser,
  input: unknown,
): Promise<SecondFactorSuccess | StillWaiting> {
  const ticket = await k.attempts.reserve(user);
  let step: OpenStep;
  try {
    step = await openStep(k, challengeId, user);
  } catch (err) {
    // Not a guess: an unknown or expired id, a removed enrollment, a key-ring fault.
    await k.attempts.refundQuietly(user, ticket);
    throw err;
  }
  const { record, enrollment } = step;
  const provider = k.providers.get(record.providerId);
  const ctx = k.providers.context(record.providerId, user, {
    lastCounter: enrollment.counter,
    pendingId: record.id,
  });
  const outcome = await runHook(
    'verify',
    () => provider.verify(ctx, user, step.secret, step.state.data, input),
    k.logger,
  ).catch(async (err: unknown) => {
    // Our store failed under the provider: the step stays, the attempt is given back (OUT-05).
    await k.pending.restore(record).catch(() => undefined);
    await k.attempts.refundQuietly(user, ticket);
    throw err;
  });
  const { generation } = step.state;
  const failed = (reason: string) =>
    k.audit.emitFor(user, {
      type: 'failed',
      providerId: record.providerId,
      reason,
      failures: ticket.failures,
    });

  if (outcome.ok) {
    const proof = k.providers.proof(record.providerId, outcome);
    if (!meetsAssurance(proof.assurance, k.providers.audiencePolicy(user.audience))) {
      // The provider proved less this time than the audience asks (a Duo bypass): no sign-in,
      // and no guess either (AS-05).
      await k.attempts.refundQuietly(user, ticket);
      await failed('ASSURANCE_NOT_MET');
      throw new PolicyError(
        'POLICY_DENIED',
        'This sign-in did not prove what your account requires. Use another factor.',
        { details: { providerId: record.providerId, aal: proof.assurance.aal } },
      );
    }
    const committed = await commitSuccess(
      k,
      user,
      step,
      outcome,
      provider.capabilities.replayCounter,
    );
    const commit = committed.result;
    if (commit === 'ok') {
      // A reset or a removal that ran while this answer was checked ends the sign-in (EN-05).
      await k.generations
        .expect(user, generation, committed.generation)
        .catch(async (err: unknown) => {
          await k.attempts.refundQuietly(user, ticket);
          throw err;
        });
    }
    if (commit === 'removed') {
      // The factor was removed (admin reset, disable) while this answer was in flight: no guess.
      await k.attempts.refundQuietly(user, ticket);
      throw new PendingStateError('CHALLENGE_NOT_FOUND');
    }
    if (commit === 'no-counter') {
      await failed('ERROR');
      throw new ProviderError('The provider accepted a code without reporting its counter.');
    }
    if (commit === 'replayed') {
      await failed('CODE_ALREADY_USED');
      await k.attempts.counted(user, ticket.failures);
      // The step was taken and is not put back: say so, as every other refusal does.
      throw new CodeAlreadyUsedError(undefined, { details: { retryable: false } });
    }
    // Only a full second-factor success resets the failure count (NIST SP 800-63B-4 §3.2.2).
    // A success that proved no second factor (AAL1: a Duo bypass) is no such success: the count
    // stays, and its time can never serve as a recent second factor for a step-up (AS-05).
    const proved = proof.assurance.aal >= 2;
    if (proved) await k.attempts.reset(user);
    else await k.attempts.refund(user, ticket); // not a guess either: the count is as it was
    if (step.state.push) await k.pushes.signedIn(user);
    const method = outcome.method ?? record.providerId;
    await k.audit.emitFor(user, {
      type: 'verified',
      providerId: record.providerId,
      method,
      aal: proof.assurance.aal,
      amr: proof.amr,
    });
    return {
      ok: true,
      userId: user.id,
      providerId: record.providerId,
      method,
      failOpen: false,
      ...proof,
      at: proved ? k.now() : 0,
    };
  }

  // Restore first, then refund: if the refund fails, the user's step is not lost.
  if (outcome.reason === 'WAITING') {
    const data = outcome.pending === undefined ? step.state.data : outcome.pending;
    await k.pending.restore(record, { state: { ...step.state, data } });
    await k.attempts.refund(user, ticket);
    await k.generations.endIfReset(user, record.id, 'challenge', generation);
    return { ok: false, waiting: true, id: record.id };
  }
  const row = REASONS[outcome.reason];
  if (outcome.reason === 'UNAVAILABLE') {
    await k.pending.restore(record, { state: { ...step.state, outage: true } });
    await k.attempts.refund(user, ticket);
    await k.generations.endIfReset(user, record.id, 'challenge', generation);
    throw await outageError(k, user, null, record.providerId, record.id, outcome.error);
  }
  await k.pushes.failed(user, record.providerId, outcome.reason, step.state.push === true);
  if (!row.counted) {
    await k.attempts.refund(user, ticket);
    throw failureError(outcome, { retryable: false });
  }
  const attempts = record.attempts + 1;
  const retryable =
    row.retry === 'answer' &&
    (outcome.retry ?? provider.capabilities.retryableChallenge) &&
    attempts < k.config.policy.pending.maxAttempts;
  // The state is unchanged: put back the stored payload rather than seal it again.
  if (retryable)
    await k.pending.restore(
      record,
      step.stateStored ? { attempts } : { attempts, state: step.state },
    );
  await failed(outcome.reason);
  await k.attempts.counted(user, ticket.failures);
  throw failureError(outcome, { retryable });
}
