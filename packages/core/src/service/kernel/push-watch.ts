import type { TwoFactorUser, VerifyFailureReason } from '../../provider/contract.js';
import type { Clock } from '../../services.js';
import type { ThrottleStore } from '../../store/types.js';
import type { AuditTrail } from './audit-trail.js';

/** Unanswered pushes (timed out, cancelled, expired) within a window that raise a notice. */
export const UNANSWERED_PUSHES_NOTICE_AFTER = 3;
/** The window of that count, and the least time between two notices to one user. */
export const PUSH_NOTICE_WINDOW_MS = 15 * 60_000;

/**
 * Notices repeated unanswered or denied pushes for any provider (SECURITY.md BF-05), in core's
 * shared quota so the rule holds across instances:
 * - a denied push, or a push refused by the provider's cap (PUSH_RATE_LIMITED), raises it at once;
 * - an unanswered one counts; the one that makes `UNANSWERED_PUSHES_NOTICE_AFTER` in a window
 *   raises it (`takeQuota` reports `used` atomically, so exactly one caller sees that number);
 * - a raise sends the `push.unanswered` event (timeline and notifier) only if it takes the one
 *   unit of the notice quota, so parallel requests on any number of instances send one notice
 *   per user and window;
 * - a successful sign-in clears the unanswered count.
 */
export class PushWatch {
  constructor(
    private readonly throttle: ThrottleStore,
    private readonly clock: Clock,
    private readonly audit: AuditTrail,
  ) {}

  private key(kind: 'unanswered' | 'notice', userId: string): string {
    return `push-${kind}:${encodeURIComponent(userId)}`;
  }

  /** Never throws: a store fault here must not change the sign-in's own outcome. */
  async pushEnded(
    user: TwoFactorUser,
    providerId: string,
    why: 'denied' | 'unanswered' | 'rate-limited',
  ): Promise<void> {
    try {
      const now = this.clock.now();
      if (why === 'unanswered') {
        const n = await this.throttle.takeQuota(
          this.key('unanswered', user.id),
          now,
          UNANSWERED_PUSHES_NOTICE_AFTER,
          PUSH_NOTICE_WINDOW_MS,
        );
        if (!n.ok || n.used < UNANSWERED_PUSHES_NOTICE_AFTER) return;
      }
      const once = await this.throttle.takeQuota(
        this.key('notice', user.id),
        now,
        1,
        PUSH_NOTICE_WINDOW_MS,
      );
      if (!once.ok) return;
      await this.audit.emit({ ...this.audit.base(user), type: 'push.unanswered', providerId, why });
    } catch {
      // The store is down: the push outcome the user gets is unchanged (LG-06).
    }
  }

  /** A challenge's failed answer: what it says about the push, if anything. */
  async failed(
    user: TwoFactorUser,
    providerId: string,
    reason: VerifyFailureReason,
    push: boolean,
  ): Promise<void> {
    if (reason === 'PUSH_RATE_LIMITED') return this.pushEnded(user, providerId, 'rate-limited');
    if (push && reason === 'DENIED') return this.pushEnded(user, providerId, 'denied');
    if (push && reason === 'EXPIRED') return this.pushEnded(user, providerId, 'unanswered');
  }

  async signedIn(user: TwoFactorUser): Promise<void> {
    await this.throttle.releaseQuota(this.key('unanswered', user.id)).catch(() => undefined);
  }
}
