import { PolicyError } from '../../errors.js';
import type { TwoFactorUser } from '../../provider/contract.js';
import type { Kernel } from '../kernel/kernel.js';
import type { AccountControls, StepUpOptions } from '../types.js';
import { removeEnrollment } from './factor-management.js';
import { stepUpIfRequired } from './step-up.js';

/**
 * What a user's own security settings may offer them, decided by the audience's policy here so
 * an account page never re-implements it (SECURITY.md EN-08, FL-06): the providers they may add
 * one more factor of, whether they may remove factors, and whether they may turn two-factor
 * authentication off altogether.
 */
export async function accountControls(k: Kernel, user: TwoFactorUser): Promise<AccountControls> {
  const policy = k.providers.audiencePolicy(user.audience);
  const held = await k.stores.enrollments.listByUser(user.id);
  const enrollable = policy
    ? k.providers
        .allowed(user.audience)
        .filter(
          (id) => held.filter((e) => e.providerId === id).length < k.providers.maxEnrollments(id),
        )
    : [];
  const mayRemoveFactors = policy?.allowUserDisable === true;
  return { enrollable, mayRemoveFactors, mayTurnOff: mayRemoveFactors && policy?.force !== true };
}

/**
 * The user turns two-factor authentication off: every factor of theirs is removed, each under
 * the rules of a removal (audited, remembered devices revoked, recovery codes gone with the last
 * one). Only where the audience lets users disable it and does not force it: while it is
 * forced, no factor is removed at all (a partial turn-off would leave the user one factor short
 * of what they asked and still enrolled). Returns how many factors were removed.
 */
export async function turnOffTwoFactor(
  k: Kernel,
  user: TwoFactorUser,
  stepUp: StepUpOptions | undefined,
): Promise<number> {
  await stepUpIfRequired(k, user, 'disable', stepUp);
  const controls = await accountControls(k, user);
  if (!controls.mayTurnOff)
    throw new PolicyError(
      'POLICY_DENIED',
      'Your organisation does not let you turn off two-factor sign-in. Ask an administrator.',
    );
  const all = await k.stores.enrollments.listByUser(user.id);
  let removed = 0;
  for (const enrollment of all) {
    try {
      await removeEnrollment(k, user, enrollment.id, stepUp);
      removed += 1;
    } catch (err) {
      // Removed meanwhile by another request: it is gone either way.
      if (!(err instanceof PolicyError && err.code === 'NOT_ENROLLED')) throw err;
    }
  }
  return removed;
}
