import { InvalidArgumentError, PolicyError } from '../../errors.js';
import type { TwoFactorUser } from '../../provider/contract.js';
import type { EnrollmentRecord } from '../../store/types.js';
import type { Kernel } from '../kernel/kernel.js';
import type { EnrollmentChoice, StepUpOptions } from '../types.js';
import { checkLabel, refuseTakenLabel } from './enrollment-labels.js';
import { stepUpIfRequired } from './step-up.js';
import { revokedEvent } from './trusted-devices.js';

/**
 * The user's own factor list, one enrollment at a time: rename, remove (SECURITY.md EN-03,
 * EN-08, FL-06). An enrollment id that is unknown, removed or another user's gets the same
 * answer (NOT_ENROLLED, same message, no details), so probing ids learns nothing.
 */

const MUST_KEEP_ONE =
  'Two-factor sign-in is required for your account: add another factor before removing this one.';

function noSuchFactor(): PolicyError {
  return new PolicyError('NOT_ENROLLED', 'This account has no such factor.');
}

/** An enrollment id as a caller may pass it: a short string (checked before any store read). */
export function checkEnrollmentId(enrollmentId: unknown): string {
  if (typeof enrollmentId !== 'string' || enrollmentId.length === 0 || enrollmentId.length > 128) {
    throw new InvalidArgumentError(
      "enrollmentId must be the id of one of the user's factors (a string of 1 to 128 characters, as listEnrollments returns it).",
    );
  }
  return enrollmentId;
}

/**
 * The enrollment a sign-in challenge is for, among the user's usable ones (oldest first): the
 * first, the first of a provider id, or the one with that enrollment id. The pending step keeps
 * its id, and only that enrollment can answer the challenge.
 */
export function chooseEnrollment(
  usable: readonly EnrollmentRecord[],
  choice: string | EnrollmentChoice | undefined,
): EnrollmentRecord {
  if (typeof choice === 'object') {
    const picked = usable.find((e) => e.id === choice.enrollmentId);
    if (!picked) throw noSuchFactor();
    return picked;
  }
  const picked = choice === undefined ? usable[0] : usable.find((e) => e.providerId === choice);
  if (!picked) {
    throw new PolicyError('NOT_ENROLLED', `This account does not use ${choice ?? 'any factor'}.`, {
      details: { providerId: choice },
    });
  }
  return picked;
}

/** Runs a provider's deactivate hook; its failure never stops a removal. */
export async function deactivateQuietly(k: Kernel, user: TwoFactorUser, e: EnrollmentRecord) {
  if (!k.providers.enabled(e.providerId)) return;
  const provider = k.providers.get(e.providerId);
  if (!provider.deactivate) return;
  try {
    await provider.deactivate(k.providers.context(e.providerId, user), user, k.secrets.open(e));
  } catch (err) {
    k.logger.warn('factorkit: provider deactivate hook failed', {
      providerId: e.providerId,
      error: err instanceof Error ? err.name : 'unknown',
    });
  }
}

/** Gives the factor a new name (checked like an activation's, unique among the user's). */
export async function renameEnrollment(
  k: Kernel,
  user: TwoFactorUser,
  enrollmentId: string,
  rawLabel: unknown,
): Promise<void> {
  const label = checkLabel(rawLabel);
  const all = await k.stores.enrollments.listByUser(user.id);
  const target = all.find((e) => e.id === enrollmentId);
  if (!target) throw noSuchFactor();
  refuseTakenLabel(all, label, target.id);
  // Scoped to the user in the store too: a removal in between changes nothing.
  if (!(await k.stores.enrollments.rename(user.id, target.id, label))) throw noSuchFactor();
  await k.audit.emit({
    ...k.audit.base(user),
    type: 'enrollment.renamed',
    providerId: target.providerId,
    enrollmentId: target.id,
  });
}

/** Removes one of the user's factors by its enrollment id. */
export async function removeEnrollment(
  k: Kernel,
  user: TwoFactorUser,
  enrollmentId: string,
  stepUp: StepUpOptions | undefined,
): Promise<void> {
  await removeChosen(k, user, stepUp, (all) => {
    const target = all.find((e) => e.id === enrollmentId);
    if (!target) throw noSuchFactor();
    return target;
  });
}

/**
 * The user turns off their factor of one provider (the call from before several enrollments per
 * provider existed). With several of that provider, which one is ambiguous: `removeEnrollment`.
 */
export async function disable(
  k: Kernel,
  user: TwoFactorUser,
  providerId: string,
  stepUp: StepUpOptions | undefined,
): Promise<void> {
  await removeChosen(k, user, stepUp, (all) => {
    const matching = all.filter((e) => e.providerId === providerId);
    if (matching.length === 0) {
      throw new PolicyError('NOT_ENROLLED', `This account does not use ${providerId}.`);
    }
    if (matching.length > 1) {
      throw new InvalidArgumentError(
        `This account has ${matching.length} factors of ${providerId}: remove one with removeEnrollment(user, enrollmentId), using an id from listEnrollments.`,
      );
    }
    return matching[0]!;
  });
}

/**
 * The rules of every removal by the user, where policy allows (EN-03, EN-08, FL-06): step-up
 * first (so a stale session learns nothing about the account's factors either), then
 * `allowUserDisable`, then never the last usable factor while forced, decided again by the
 * store in the removal's own transaction (`keepOneOf`: parallel removals on any number of
 * instances cannot strip a forced user).
 */
async function removeChosen(
  k: Kernel,
  user: TwoFactorUser,
  stepUp: StepUpOptions | undefined,
  choose: (all: readonly EnrollmentRecord[]) => EnrollmentRecord,
): Promise<void> {
  await stepUpIfRequired(k, user, 'disable', stepUp);
  const policy = k.providers.audiencePolicy(user.audience);
  if (!policy || !policy.allowUserDisable) {
    throw new PolicyError(
      'POLICY_DENIED',
      'Your organisation does not let you turn off two-factor sign-in. Ask an administrator.',
    );
  }
  const all = await k.stores.enrollments.listByUser(user.id);
  const target = choose(all);
  const allowed = k.providers.allowed(user.audience);
  const usableAfter = all.filter((e) => e.id !== target.id && allowed.includes(e.providerId));
  if (policy.force && usableAfter.length === 0)
    throw new PolicyError('POLICY_DENIED', MUST_KEEP_ONE);
  // Counted for the audit trail only: the removal itself revokes them, in its transaction (FL-11).
  const devices = (await k.stores.enrollments.listTrustedDevices(user.id)).length;
  const { removed } = await k.stores.enrollments.remove(
    user.id,
    target.id,
    policy.force ? allowed : undefined,
  );
  if (!removed) {
    // The store kept the user's last usable factor, or the target went meanwhile.
    const stillThere = await k.stores.enrollments.get(target.id);
    throw stillThere ? new PolicyError('POLICY_DENIED', MUST_KEEP_ONE) : noSuchFactor();
  }
  await deactivateQuietly(k, user, target);
  await k.pending.deleteForUser(user.id);
  await k.audit.emit({
    ...k.audit.base(user),
    type: 'deactivated',
    providerId: target.providerId,
    enrollmentId: target.id,
    by: 'user',
  });
  if (devices > 0) await revokedEvent(k, user, { count: devices }, 'factor-removed');
}
