import type { AudiencePolicy } from '../../config/deployment.js';
import type { GraceClock } from '../../policy/policy.js';
import type { TwoFactorUser } from '../../provider/contract.js';
import type { Kernel } from '../kernel/kernel.js';

const DAY_MS = 86_400_000;

/**
 * How the grace deadline is obtained: `start` stores it at the user's first enforced decision
 * (a sign-in); `peek` only reads it and, when none is stored, reports the one a sign-in now would
 * start (the dry-run must not change anyone's state).
 */
export type GraceMode = 'start' | 'peek';

/** The user's grace deadline with the clock it is judged by (SECURITY.md EN-06). */
export async function graceClock(
  k: Kernel,
  user: TwoFactorUser,
  policy: Pick<AudiencePolicy, 'graceDays'>,
  mode: GraceMode,
): Promise<GraceClock> {
  const now = k.now();
  const graceMs = policy.graceDays * DAY_MS;
  if (mode === 'peek') {
    const stored = await k.stores.enrollments.peekGraceDeadline(user.id);
    return { now, deadline: stored ?? now + graceMs };
  }
  const { deadline, started } = await k.stores.enrollments.graceDeadline(user.id, now, graceMs);
  // Exactly one instance sees `started`, so the grant is audited once however many race it.
  if (started) await k.audit.emit({ ...k.audit.base(user), type: 'grace.started', deadline });
  return { now, deadline };
}
