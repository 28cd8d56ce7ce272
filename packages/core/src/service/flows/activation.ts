import { recoveryCodesUsable } from '../../policy/policy.js';
import { formatRecoveryCode, hashRecoveryCode } from '../../crypto/recovery-codes.js';
import { PendingStateError, PolicyError, ProviderError } from '../../errors.js';
import {
  PROMPT_KINDS,
  type ActivationPrompt,
  type EnrolledFactor,
  type JsonValue,
  type TwoFactorProvider,
  type TwoFactorUser,
} from '../../provider/contract.js';
import {
  EnrollmentConflictError,
  GenerationChangedError,
  LookupKeyTakenError,
  type EnrollmentRecord,
} from '../../store/types.js';
import type { Kernel } from '../kernel/kernel.js';
import { lookupKeyTaken } from '../kernel/lookup-keys.js';
import { REASONS, failureError, runHook } from '../kernel/outcomes.js';
import type {
  ActivationCompleted,
  ActivationStarted,
  CompleteActivationOptions,
  StillWaiting,
} from '../types.js';
import { decide } from './enforcement.js';
import { chooseLabel, cleanLabel, defaultLabel } from './enrollment-labels.js';
import { makeRecoveryCodes } from './recovery-codes.js';

function notAllowed(providerId: string, audience: string): PolicyError {
  return new PolicyError(
    'PROVIDER_NOT_ALLOWED',
    `Provider "${providerId}" is not offered to ${audience} users.`,
    { details: { providerId } },
  );
}

/**
 * Starts binding a new factor. The same decision as `requirement` applies: a user it denies
 * cannot bind a factor even when the host forgets to ask (SECURITY.md EN-04).
 */
export async function beginActivation(
  k: Kernel,
  user: TwoFactorUser,
  providerId: string,
): Promise<ActivationStarted> {
  const policy = k.providers.audiencePolicy(user.audience);
  if (!policy) {
    throw new PolicyError('POLICY_DENIED', `Audience "${user.audience}" has no two-factor policy.`);
  }
  if (!k.providers.allowed(user.audience).includes(providerId)) {
    throw notAllowed(providerId, user.audience);
  }
  // Setting up a factor is not a sign-in: it reads a grace deadline, never starts one.
  const { requirement, enrollments } = await decide(k, user, undefined, 'peek');
  if (requirement.action === 'deny') {
    throw new PolicyError(
      'POLICY_DENIED',
      'Two-factor sign-in is refused for this account, so it cannot set up a factor. Ask an administrator.',
      { details: { requirement: 'deny', reason: requirement.reason } },
    );
  }
  refuseAtLimit(k, enrollments, providerId);
  const provider = k.providers.get(providerId);
  // Read before the provider is asked: a reset that lands after this point ends the step (EN-05).
  const generation = await k.generations.current(user.id);
  const id = k.pending.newId();
  const enrolled = enrolledFactors(k, provider, enrollments, providerId);
  const ctx = k.providers.context(providerId, user, { pendingId: id, enrolled });
  const begun = await k.providers.begin<ActivationPrompt>(
    () => provider.beginActivation(ctx, user),
    PROMPT_KINDS,
  );
  const record = await k.pending.create(
    { id, userId: user.id, providerId, kind: 'activation' },
    { data: begun.pending, outage: false, generation },
  );
  await k.audit.emit({ ...k.audit.base(user), type: 'activation.started', providerId });
  return { activationId: id, providerId, prompt: begun.prompt, expiresAt: record.expiresAt };
}

/**
 * The user's enrollments of the provider as its `publicInfo` hook shows them. One that cannot be
 * opened (a retired key) or described is listed with null: it must not block adding a factor,
 * and the store's lookup key still refuses a duplicate (WA-12).
 */
function enrolledFactors(
  k: Kernel,
  provider: TwoFactorProvider,
  enrollments: readonly EnrollmentRecord[],
  providerId: string,
): EnrolledFactor[] {
  return enrollments
    .filter((e) => e.providerId === providerId)
    .map((e) => {
      let publicInfo: JsonValue = null;
      try {
        if (provider.publicInfo) publicInfo = provider.publicInfo(k.secrets.open(e)) ?? null;
      } catch {
        k.logger.warn('factorkit: an enrollment could not be described to its provider', {
          providerId,
        });
      }
      return { enrollmentId: e.id, label: e.label, publicInfo };
    });
}

/** The early answer to "one more of this provider?"; the store decides it again atomically. */
function refuseAtLimit(k: Kernel, enrollments: readonly EnrollmentRecord[], providerId: string) {
  const max = k.providers.maxEnrollments(providerId);
  if (enrollments.filter((e) => e.providerId === providerId).length >= max)
    throw atLimit(providerId, max);
}

function atLimit(providerId: string, max: number): PolicyError {
  return new PolicyError(
    'ALREADY_ENROLLED',
    max === 1
      ? `This account already uses ${providerId}. Remove it before setting it up again.`
      : `This account already has ${max} factors of ${providerId}, the most allowed. Remove one first.`,
    { details: { providerId, maxEnrollments: max } },
  );
}

/**
 * Checks the answer and binds the factor. Activation answers count against the same per-user
 * budget: a provider whose activation checks a remote secret (a Duo passcode) must not become a
 * free guessing oracle (SECURITY.md DA-07, BF-04). What is not a guess is refunded exactly.
 */
export async function completeActivation(
  k: Kernel,
  activationId: string,
  user: TwoFactorUser,
  input: unknown,
  options?: CompleteActivationOptions,
): Promise<ActivationCompleted | StillWaiting> {
  // Before the step is taken: a bad or taken name must not burn the user's QR code.
  const naming = await chooseLabel(k, user, options);
  const ticket = await k.attempts.reserve(user);
  const refund = () => k.attempts.refund(user, ticket);
  let step;
  try {
    const record = await k.pending.take(activationId, user, 'activation');
    // Disabled, or no longer offered to this audience, since the activation began.
    if (!k.providers.allowed(user.audience).includes(record.providerId)) {
      throw notAllowed(record.providerId, user.audience);
    }
    step = {
      record,
      provider: k.providers.get(record.providerId),
      state: k.pending.open(record),
      ctx: k.providers.context(record.providerId, user, { pendingId: record.id }),
    };
  } catch (err) {
    await k.attempts.refundQuietly(user, ticket);
    throw err;
  }
  const { record, provider, ctx } = step;
  const generation = await k.generations.of(step.state.generation, user.id);
  const state = { ...step.state, generation };
  // A step sealed without a generation gets one when it is put back.
  const reseal = step.state.generation === undefined ? { state } : {};
  const outcome = await runHook(
    'activation',
    () => provider.completeActivation(ctx, user, state.data, input),
    k.logger,
  ).catch(async (err: unknown) => {
    // Our store failed under the provider: the step stays, the attempt is given back.
    await k.pending.restore(record).catch(() => undefined);
    await k.attempts.refundQuietly(user, ticket);
    throw err;
  });
  const failed = async (reason: string) => {
    await k.audit.emit({
      ...k.audit.base(user),
      type: 'activation.failed',
      providerId: record.providerId,
      reason,
    });
  };

  if (outcome.ok === false && outcome.reason === 'WAITING') {
    // Restore first, then refund: if the refund fails, the user's step is not lost.
    const next =
      outcome.pending === undefined ? reseal : { state: { ...state, data: outcome.pending } };
    await k.pending.restore(record, next);
    await refund();
    await k.generations.endIfReset(user, record.id, 'activation', generation);
    return { ok: false, waiting: true, id: record.id };
  }
  if (outcome.ok === false) {
    const row = REASONS[outcome.reason];
    const attempts = record.attempts + 1;
    const retryable = row.retry !== 'never' && attempts < k.config.policy.pending.maxAttempts;
    if (retryable) await k.pending.restore(record, { attempts, ...reseal });
    if (!row.counted) await refund();
    await failed(outcome.reason);
    if (row.counted) await k.attempts.counted(user, ticket.failures);
    throw failureError(outcome, { retryable });
  }
  if (
    provider.capabilities.replayCounter &&
    outcome.counter === undefined &&
    outcome.counterless !== true
  ) {
    await failed('ERROR');
    throw new ProviderError(
      'The provider confirmed activation without reporting the counter used.',
    );
  }

  // A right activation answer is not a failure, but neither is it a sign-in: give the attempt
  // back without resetting earlier failures (only a full second-factor success does that).
  await refund();
  const lookup = outcome.lookupKey;
  const keyTaken = async () => {
    await failed(lookup!.takenReason);
    return lookupKeyTaken(record.providerId, lookup!);
  };
  // The early answer; the store decides it again atomically in `activate` (WA-12).
  if (lookup && (await k.stores.enrollments.findByLookupKey(record.providerId, lookup.key)))
    throw await keyTaken();
  const shell = { id: k.random.token(16), userId: user.id, providerId: record.providerId };
  const enrollment: EnrollmentRecord = {
    ...shell,
    // The provider's own name for it is held to the rules of a typed one (EN-09).
    label:
      naming.label ??
      defaultLabel(
        naming.existing,
        cleanLabel(outcome.label) ?? cleanLabel(provider.displayName) ?? provider.id,
      ),
    secret: k.secrets.seal(shell, outcome.enrollment ?? null),
    // The code that confirmed activation seeds replay protection (SECURITY.md RP-02).
    counter: outcome.counter ?? null,
    createdAt: k.now(),
    lastUsedAt: null,
  };
  // Always offer a set: the store issues it only if this is the user's first factor, decided
  // inside its transaction (a removal racing this activation cannot leave a lone factor without
  // codes). The set is shown only when issued.
  // An audience that does not accept recovery codes gets none (AS-04).
  const policy = k.providers.audiencePolicy(user.audience);
  const codes = policy && recoveryCodesUsable(policy) ? makeRecoveryCodes(k) : [];
  let issued: boolean;
  try {
    ({ recoveryCodesIssued: issued } = await k.stores.enrollments.activate({
      enrollment,
      ...(codes.length > 0
        ? { recoveryCodeHashes: codes.map((c) => hashRecoveryCode(user.id, c)) }
        : {}),
      generation,
      maxPerProvider: k.providers.maxEnrollments(record.providerId),
      ...(lookup ? { lookupKey: lookup.key } : {}),
    }));
  } catch (err) {
    if (err instanceof GenerationChangedError) {
      await failed('RESET');
      throw new PendingStateError('CHALLENGE_NOT_FOUND');
    }
    if (err instanceof LookupKeyTakenError) throw await keyTaken();
    if (err instanceof EnrollmentConflictError) {
      throw atLimit(record.providerId, k.providers.maxEnrollments(record.providerId));
    }
    throw err;
  }
  await k.audit.emit({
    ...k.audit.base(user),
    type: 'activated',
    providerId: record.providerId,
    enrollmentId: shell.id,
    recoveryCodesIssued: issued,
  });
  return {
    ok: true,
    enrollmentId: shell.id,
    providerId: record.providerId,
    label: enrollment.label,
    ...(issued ? { recoveryCodes: codes.map(formatRecoveryCode) } : {}),
  };
}
