import { InvalidArgumentError, PolicyError } from '../../errors.js';
import type { TwoFactorUser } from '../../provider/contract.js';
import type { EnrollmentRecord } from '../../store/types.js';
import type { Kernel } from '../kernel/kernel.js';
import type { AdminAction, StepUpOptions } from '../types.js';
import { stepUpIfRequired } from './step-up.js';
import { revokedEvent } from './trusted-devices.js';

const MUST_KEEP_ONE =
  'Two-factor sign-in is required for your account: add another factor before removing this one.';

/** Runs a provider's deactivate hook; its failure never stops a removal. */
async function deactivateQuietly(k: Kernel, user: TwoFactorUser, e: EnrollmentRecord) {
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

/** The user turns off one of their factors, where policy allows (SECURITY.md EN-03, FL-06). */
export async function disable(
  k: Kernel,
  user: TwoFactorUser,
  providerId: string,
  stepUp?: StepUpOptions,
): Promise<void> {
  // First, so a stale session learns nothing about the account's factors either.
  await stepUpIfRequired(k, user, 'disable', stepUp);
  const policy = k.providers.audiencePolicy(user.audience);
  if (!policy || !policy.allowUserDisable) {
    throw new PolicyError(
      'POLICY_DENIED',
      'Your organisation does not let you turn off two-factor sign-in. Ask an administrator.',
    );
  }
  const all = await k.stores.enrollments.listByUser(user.id);
  const target = all.find((e) => e.providerId === providerId);
  if (!target) throw new PolicyError('NOT_ENROLLED', `This account does not use ${providerId}.`);
  const allowed = k.providers.allowed(user.audience);
  const usableAfter = all.filter((e) => e.id !== target.id && allowed.includes(e.providerId));
  if (policy.force && usableAfter.length === 0)
    throw new PolicyError('POLICY_DENIED', MUST_KEEP_ONE);
  // Counted for the audit trail only: the removal itself revokes them, in its transaction (FL-11).
  const devices = (await k.stores.enrollments.listTrustedDevices(user.id)).length;
  // While 2FA is forced, the store removes the factor only if another usable one remains,
  // checked in the same transaction (two parallel removals cannot strip the last factor).
  const { removed } = await k.stores.enrollments.remove(
    user.id,
    target.id,
    policy.force ? allowed : undefined,
  );
  if (!removed) throw new PolicyError('POLICY_DENIED', MUST_KEEP_ONE);
  await deactivateQuietly(k, user, target);
  await k.pending.deleteForUser(user.id);
  await k.audit.emit({
    ...k.audit.base(user),
    type: 'deactivated',
    providerId,
    enrollmentId: target.id,
    by: 'user',
  });
  if (devices > 0) await revokedEvent(k, user, { count: devices }, 'factor-removed');
}

/** Checks an admin action; lengths first, so a huge field costs nothing (SECURITY.md LG-01). */
export function checkAdmin(action: AdminAction): { actorId: string; reason: string } {
  const actorId: unknown = action?.actorId;
  const reason: unknown = action?.reason;
  if (typeof actorId !== 'string' || actorId.length > 255 || actorId.trim() === '') {
    throw new InvalidArgumentError(
      'An admin action needs the actorId of the administrator (at most 255 characters).',
    );
  }
  if (typeof reason !== 'string' || reason.length > 500 || reason.trim().length < 3) {
    throw new InvalidArgumentError(
      'An admin action needs a reason (3 to 500 characters), kept in the audit trail.',
    );
  }
  return { actorId, reason: reason.trim() };
}

/**
 * Removes all of a user's two-factor material in one step (enrollments, recovery codes,
 * counters, pending steps, failure count): how an administrator helps a user who lost a device.
 */
export async function adminReset(
  k: Kernel,
  action: AdminAction,
  user: TwoFactorUser,
): Promise<{ enrollmentsRemoved: number; devicesRevoked: number }> {
  const { actorId, reason } = checkAdmin(action);
  k.checkUser(user);
  const all = await k.stores.enrollments.listByUser(user.id);
  for (const e of all) await deactivateQuietly(k, user, e);
  // Counted here; `removeAllForUser` then revokes any trusted since, in its transaction (FL-11).
  const devicesRevoked = await k.stores.enrollments.revokeTrustedDevices(user.id);
  const removed = await k.stores.enrollments.removeAllForUser(user.id);
  await k.pending.deleteForUser(user.id);
  await k.attempts.reset(user);
  await k.audit.emit({
    ...k.audit.base(user),
    type: 'admin.reset',
    actorId,
    reason,
    enrollmentsRemoved: removed,
    devicesRevoked,
  });
  if (devicesRevoked > 0) await revokedEvent(k, user, { count: devicesRevoked }, 'admin');
  return { enrollmentsRemoved: removed, devicesRevoked };
}

/** Lifts a lock without removing any factor. */
export async function adminUnlock(k: Kernel, action: AdminAction, user: TwoFactorUser) {
  const { actorId, reason } = checkAdmin(action);
  k.checkUser(user);
  await k.attempts.reset(user);
  await k.audit.emit({ ...k.audit.base(user), type: 'admin.unlocked', actorId, reason });
}
