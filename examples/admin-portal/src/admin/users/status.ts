/**
 * A user's two-factor state as the admin pages show it, all from core's service: their factors
 * (never a secret: core's summaries carry none), the lock from the shared failure budget, and
 * the grace deadline where the audience is forced with a grace period.
 */
import type { EnrollmentSummary, ThrottleStatus } from '@factorkit/core';
import type { Portal } from '../../portal.js';
import { utcTime } from '../format.js';
import type { TwoFactorBuild } from '../../twofactor/live.js';
import { twoFactorUser, type PortalUser } from '../../users/user-store.js';

export interface Lock {
  readonly locked: boolean;
  /** Epoch ms the lock ends; null when only an administrator can lift it. */
  readonly until: number | null;
  readonly failures: number;
}

export interface UserTwoFactorSummary {
  readonly factors: readonly EnrollmentSummary[];
  readonly lock: Lock;
  /** Epoch ms from which the user must enroll, when a grace period applies to them. */
  readonly graceDeadline: number | null;
}

export function lockOf(throttle: ThrottleStatus, now: number): Lock {
  return {
    locked: throttle.locked,
    until: throttle.retryAfter === null ? null : now + throttle.retryAfter * 1000,
    failures: throttle.failures,
  };
}

export function lockText(lock: Lock): string {
  if (!lock.locked) return 'Not locked';
  return lock.until === null
    ? 'Locked until an administrator unlocks it'
    : `Locked until ${utcTime(lock.until)}`;
}

export async function summaryOf(
  portal: Portal,
  build: TwoFactorBuild,
  user: PortalUser,
): Promise<UserTwoFactorSummary> {
  const tfUser = twoFactorUser(user);
  const factors = await build.service.listEnrollments(tfUser);
  const lock = lockOf(await build.service.throttleStatus(tfUser), portal.now());
  const policy = build.config.policy.audiences[user.role];
  // Only a user without a factor, of an audience forced with a grace period, has a deadline
  // that matters. Peeking never starts one (only the user's own sign-in does, EN-06).
  const graced = policy?.force === true && policy.notEnrolled === 'grace' && factors.length === 0;
  const graceDeadline = graced
    ? await portal.db.sql.stores.enrollments.peekGraceDeadline(user.id)
    : null;
  return { factors, lock, graceDeadline };
}

/** The provider's name as people know it ("Authenticator app"), or its id if it is gone. */
export function providerName(portal: Portal, id: string): string {
  try {
    return portal.registry.get(id).displayName;
  } catch {
    return id;
  }
}
