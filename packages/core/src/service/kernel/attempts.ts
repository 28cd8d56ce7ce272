import type { ThrottlePolicy } from '../../config/deployment.js';
import { LockedError, RateLimitedError } from '../../errors.js';
import type { TwoFactorUser } from '../../provider/contract.js';
import type { Clock } from '../../services.js';
import type {
  ThrottleSchedule,
  ThrottleState,
  ThrottleStore,
  ThrottleTicket,
} from '../../store/types.js';
import type { ThrottleStatus } from '../types.js';
import type { AuditTrail } from './audit-trail.js';

/** Whole seconds until `at`, at least 1 (a host shows "try again in 0 s" as a bug). */
function secondsUntil(at: number, now: number): number {
  return Math.max(1, Math.ceil((at - now) / 1000));
}

/** Builds the store's schedule from the deployment policy. */
export function throttleSchedule(t: ThrottlePolicy): ThrottleSchedule {
  return {
    freeFailures: t.freeFailures,
    baseDelayMs: t.baseDelaySeconds * 1000,
    maxDelayMs: t.maxDelaySeconds * 1000,
    lockAfter: t.maxFailures,
    lockMs: t.lockSeconds * 1000,
    permanentAfter: t.permanentLockAfter,
  };
}

/**
 * The per-user failure budget shared by every factor and every instance (SECURITY.md BF-01,
 * BF-04). An attempt is reserved before its answer is evaluated, so parallel guesses cannot
 * exceed the budget (CC-03); what turns out not to be a guess is refunded exactly; only a full
 * second-factor success resets it (BF-02). The lock arithmetic lives here and nowhere else.
 */
export class Attempts {
  constructor(
    private readonly store: ThrottleStore,
    readonly schedule: ThrottleSchedule,
    private readonly clock: Clock,
    private readonly audit: AuditTrail,
  ) {}

  /** The user's throttle key: their internal id, namespaced so no other key can collide. */
  private key(user: TwoFactorUser): string {
    return `user:${encodeURIComponent(user.id)}`;
  }

  /** Counts one attempt, or throws LOCKED / RATE_LIMITED without evaluating anything. */
  async reserve(user: TwoFactorUser): Promise<ThrottleTicket> {
    const now = this.clock.now();
    const r = await this.store.reserve(this.key(user), now, this.schedule);
    if (r.ok) return { failures: r.failures, previousBlockedUntil: r.previousBlockedUntil };
    const after = r.retryAt === null ? null : secondsUntil(r.retryAt, now);
    if (r.locked) throw new LockedError(after);
    throw new RateLimitedError(after ?? 1);
  }

  /** Gives back exactly one reserved attempt (an outage, an unknown id, a push poll). */
  refund(user: TwoFactorUser, ticket: ThrottleTicket): Promise<void> {
    return this.store.refund(this.key(user), ticket);
  }

  /** Refunds on a path that is already failing: the original error matters more. */
  async refundQuietly(user: TwoFactorUser, ticket: ThrottleTicket): Promise<void> {
    await this.refund(user, ticket).catch(() => undefined);
  }

  reset(user: TwoFactorUser): Promise<void> {
    return this.store.reset(this.key(user));
  }

  /** The lock as a user sees it: locked, permanently or for how long. */
  describe(state: ThrottleState): ThrottleStatus {
    const now = this.clock.now();
    const permanent = state.failures >= this.schedule.permanentAfter;
    const blocked = now < state.blockedUntil;
    return {
      failures: state.failures,
      locked: permanent || (state.failures >= this.schedule.lockAfter && blocked),
      retryAfter: permanent ? null : blocked ? secondsUntil(state.blockedUntil, now) : 0,
    };
  }

  async status(user: TwoFactorUser): Promise<ThrottleStatus> {
    return this.describe(await this.store.inspect(this.key(user)));
  }

  /** A locked user starts nothing either: no push, no outbound call (SECURITY.md DA-07). */
  async refuseIfLocked(user: TwoFactorUser): Promise<void> {
    const s = await this.status(user);
    if (s.locked) throw new LockedError(s.retryAfter);
  }

  /** After a counted failure: the one that reached the lock threshold is an audit event. */
  async counted(user: TwoFactorUser, failures: number): Promise<void> {
    if (failures < this.schedule.lockAfter) return;
    await this.audit.emit({
      ...this.audit.base(user),
      type: 'locked',
      failures,
      permanent: failures >= this.schedule.permanentAfter,
    });
  }
}
