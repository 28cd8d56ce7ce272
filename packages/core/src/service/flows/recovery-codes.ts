import {
  canonicalRecoveryCode,
  formatRecoveryCode,
  generateRecoveryCode,
  hashRecoveryCode,
} from '../../crypto/recovery-codes.js';
import {
  CodeAlreadyUsedError,
  InvalidCodeError,
  InvalidFormatError,
  PolicyError,
  type FactorkitError,
} from '../../errors.js';
import { recoveryCodesUsable } from '../../policy/policy.js';
import { RECOVERY_CODE_AMR, RECOVERY_CODE_ASSURANCE } from '../../provider/assurance.js';
import type { TwoFactorUser } from '../../provider/contract.js';
import type { Kernel } from '../kernel/kernel.js';
import type { SecondFactorSuccess, StepUpOptions } from '../types.js';
import { decide } from './enforcement.js';
import { stepUpIfRequired } from './step-up.js';

/** A fresh set of distinct codes from the CSPRNG (SECURITY.md SS-01). */
export function makeRecoveryCodes(k: Kernel): string[] {
  const out = new Set<string>();
  while (out.size < k.config.policy.recoveryCodes.count) out.add(generateRecoveryCode(k.random));
  return [...out];
}

/** Recovery codes are off for this audience, or fall short of its assurance (AS-04). */
function refuseUnlessCodesUsable(k: Kernel, user: TwoFactorUser): void {
  const policy = k.providers.audiencePolicy(user.audience);
  if (!policy || !recoveryCodesUsable(policy)) {
    throw new PolicyError(
      'POLICY_DENIED',
      'Recovery codes are not accepted for this account. Use a second factor, or ask an administrator.',
    );
  }
}

function notEnrolled(message: string): PolicyError {
  return new PolicyError('NOT_ENROLLED', message);
}

/** Signs in with a recovery code; counted in the same failure budget as every factor (BF-04). */
export async function useRecoveryCode(
  k: Kernel,
  user: TwoFactorUser,
  code: unknown,
): Promise<SecondFactorSuccess> {
  // The same decision as every other sign-in path: a user it denies (an audience without a
  // policy, say) cannot get in with a code either.
  const { requirement, enrollments } = await decide(k, user);
  // Before any attempt is counted: a code policy does not accept is no guess either (AS-04).
  refuseUnlessCodesUsable(k, user);
  // A user without a factor (or one core has never seen) is answered as a wrong code, after the
  // same work and counted in the same budget: the answer does not tell them apart (BF-07).
  const enrolled = enrollments.length > 0;
  if (!enrolled)
    await k.stores.enrollments.countRecoveryCodes(user.id); // decide()'s read
  else if (requirement.action !== 'challenge') {
    throw new PolicyError('POLICY_DENIED', 'Two-factor sign-in is refused for this account.', {
      details: { requirement: requirement.action },
    });
  }
  const { failures } = await k.attempts.reserve(user);
  const fail = async (reason: string, err: FactorkitError): Promise<never> => {
    await k.audit.emit({ ...k.audit.base(user), type: 'recovery.failed', reason, failures });
    await k.attempts.counted(user, failures);
    throw err;
  };
  const canonical = canonicalRecoveryCode(code);
  if (canonical === undefined) {
    return fail('INVALID_FORMAT', new InvalidFormatError('That is not a recovery code.'));
  }
  // Single use across instances: the store marks the code used only if it was unused (CC-02).
  const result = await k.stores.enrollments.consumeRecoveryCode(
    user.id,
    hashRecoveryCode(user.id, canonical),
    k.now(),
  );
  if (result === 'already_used') {
    return fail(
      'CODE_ALREADY_USED',
      new CodeAlreadyUsedError('This recovery code was already used.'),
    );
  }
  if (result !== 'consumed' || !enrolled) {
    // `notEnrolled` is for the host's logs only; the HTTP answer shows code and message.
    const details = enrolled ? undefined : { details: { notEnrolled: true } };
    const err = new InvalidCodeError('That recovery code is not valid.', details);
    return fail(enrolled ? 'INVALID_CODE' : 'NOT_ENROLLED', err);
  }
  await k.attempts.reset(user);
  const { remaining, low } = await recoveryCodeStatus(k, user);
  await k.audit.emit({ ...k.audit.base(user), type: 'recovery.used', remaining, low });
  return {
    ok: true,
    userId: user.id,
    providerId: 'recovery-code',
    method: 'recovery-code',
    failOpen: false,
    assurance: RECOVERY_CODE_ASSURANCE,
    amr: RECOVERY_CODE_AMR,
    at: k.now(),
    recoveryCodesRemaining: remaining,
    lowRecoveryCodes: low,
  };
}

export async function recoveryCodeStatus(
  k: Kernel,
  user: TwoFactorUser,
): Promise<{ remaining: number; low: boolean }> {
  const remaining = await k.stores.enrollments.countRecoveryCodes(user.id);
  return { remaining, low: remaining <= k.config.policy.recoveryCodes.lowWatermark };
}

/**
 * Issues a new set and revokes the old one at once. Only for a user with a factor (SECURITY.md
 * EN-03), and after a recent second factor where policy requires a step-up (FL-06).
 */
export async function regenerateRecoveryCodes(
  k: Kernel,
  user: TwoFactorUser,
  stepUp?: StepUpOptions,
): Promise<string[]> {
  await stepUpIfRequired(k, user, 'regenerate-recovery-codes', stepUp);
  refuseUnlessCodesUsable(k, user);
  const message = 'Set up a second factor before creating recovery codes.';
  const enrollments = await k.stores.enrollments.listByUser(user.id);
  if (enrollments.length === 0) throw notEnrolled(message);
  const codes = makeRecoveryCodes(k);
  // The store re-checks, in the same transaction, that a factor still exists: a reset or the
  // removal of the last factor racing this call can never leave codes behind (CC-05).
  const replaced = await k.stores.enrollments.replaceRecoveryCodes(
    user.id,
    codes.map((c) => hashRecoveryCode(user.id, c)),
    k.now(),
  );
  if (!replaced) throw notEnrolled(message);
  await k.audit.emit({ ...k.audit.base(user), type: 'recovery.regenerated', count: codes.length });
  return codes.map(formatRecoveryCode);
}
