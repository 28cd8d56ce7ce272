import { InvalidArgumentError } from '../../errors.js';
import type { TwoFactorUser } from '../../provider/contract.js';
import type { Kernel } from '../kernel/kernel.js';
import type { AdminAction } from '../types.js';
import { deactivateQuietly } from './factor-management.js';
import { revokedEvent } from './trusted-devices.js';

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
