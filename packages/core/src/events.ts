import type { StepUpRefusal } from './errors.js';

/** A sensitive action that can require a recent second factor (see `requireRecentSecondFactor`). */
export type StepUpAction = 'disable' | 'regenerate-recovery-codes' | 'trust-device' | 'host-action';

/** Who or what revoked remembered devices (`device.revoked`). */
export type DeviceRevokedBy = 'user' | 'password-change' | 'admin' | 'factor-removed';

/**
 * Why a presented remembered-device token was not trusted: `unknown` (never issued, tampered,
 * revoked or another user's), `expired`, `disabled` (the audience's `rememberDeviceDays` is 0 now)
 * or `locked` (the account is locked: the token itself may still be good).
 */
export type DeviceRejection = 'unknown' | 'expired' | 'disabled' | 'locked';

/**
 * Typed audit events (ASVS 16.3.1: every authentication decision, success and failure, with the
 * factor used). Events never carry a secret, a submitted code, a pending token or a ciphertext.
 */
interface Base {
  /** ISO-8601 UTC time from core's clock. */
  readonly at: string;
  readonly userId: string;
  readonly audience: string;
  /** Client IP, user agent and request id, when the host passed them (LG-01). */
  readonly request?: {
    readonly ip?: string;
    readonly userAgent?: string;
    readonly requestId?: string;
  };
}

export type AuditEvent =
  | (Base & { readonly type: 'activation.started'; readonly providerId: string })
  | (Base & {
      readonly type: 'activation.failed';
      readonly providerId: string;
      readonly reason: string;
    })
  | (Base & {
      readonly type: 'activated';
      readonly providerId: string;
      readonly enrollmentId: string;
      readonly recoveryCodesIssued: boolean;
    })
  | (Base & {
      readonly type: 'deactivated';
      readonly providerId: string;
      readonly enrollmentId: string;
      readonly by: 'user' | 'admin';
    })
  | (Base & {
      readonly type: 'verified';
      readonly providerId: string;
      readonly method: string;
      /** The assurance level the success reached and its RFC 8176 values (AS-05). */
      readonly aal: 1 | 2 | 3;
      readonly amr: readonly string[];
    })
  | (Base & {
      /** The user renamed a factor. The name itself is user text: kept out of the trail (LG-01). */
      readonly type: 'enrollment.renamed';
      readonly providerId: string;
      readonly enrollmentId: string;
    })
  | (Base & {
      readonly type: 'challenge.started';
      readonly providerId: string;
      /** The enrollment the challenge is for (a user may hold several of one provider). */
      readonly enrollmentId: string;
    })
  | (Base & {
      readonly type: 'failed';
      readonly providerId: string;
      readonly reason: string;
      readonly failures: number;
    })
  | (Base & {
      readonly type: 'replay.rejected';
      readonly providerId: string;
      readonly counter: number;
    })
  | (Base & { readonly type: 'locked'; readonly failures: number; readonly permanent: boolean })
  | (Base & { readonly type: 'recovery.used'; readonly remaining: number; readonly low: boolean })
  | (Base & {
      readonly type: 'recovery.failed';
      readonly reason: string;
      readonly failures: number;
    })
  | (Base & { readonly type: 'recovery.regenerated'; readonly count: number })
  | (Base & {
      readonly type: 'step-up.refused';
      readonly action: StepUpAction;
      readonly refusal: StepUpRefusal;
      readonly maxAgeSeconds: number;
    })
  | (Base & {
      readonly type: 'admin.reset';
      readonly actorId: string;
      readonly reason: string;
      readonly enrollmentsRemoved: number;
      /** Remembered devices revoked by the reset. */
      readonly devicesRevoked: number;
    })
  | (Base & {
      /** A forced user without a factor was first let in under a grace period (EN-06). */
      readonly type: 'grace.started';
      /** Epoch ms from which the user must enroll. */
      readonly deadline: number;
    })
  | (Base & {
      /**
       * Pushes went unanswered, were denied or hit the provider's cap (BF-05); emitted at most
       * once per user and window, across instances.
       */
      readonly type: 'push.unanswered';
      readonly providerId: string;
      readonly why: 'denied' | 'unanswered' | 'rate-limited';
    })
  | (Base & { readonly type: 'admin.unlocked'; readonly actorId: string; readonly reason: string })
  | (Base & { readonly type: 'fail-open'; readonly providerId: string; readonly detail: string })
  | {
      readonly type: 'provider.unhealthy';
      readonly at: string;
      readonly providerId: string;
      readonly detail: string;
    }
  | (Base & {
      /** A device was remembered after a recent second factor (FL-09). */
      readonly type: 'device.remembered';
      readonly deviceId: string;
      readonly expiresAt: number;
    })
  | (Base & {
      /** Remembered devices revoked: one (`deviceId`) or all of the user's (`count`) (FL-11). */
      readonly type: 'device.revoked';
      readonly deviceId?: string;
      readonly count?: number;
      readonly by: DeviceRevokedBy;
    })
  | (Base & {
      /** A sign-in skipped the challenge on a remembered device: an authentication decision. */
      readonly type: 'device.trusted';
      readonly deviceId: string;
    })
  | (Base & {
      /** A device token was presented and not trusted; the user goes through normal 2FA. */
      readonly type: 'device.rejected';
      readonly why: DeviceRejection;
    })
  | (Base & {
      readonly type: 'pending.rejected';
      readonly kind: string;
      readonly why: 'unknown' | 'foreign' | 'expired' | 'wrong-kind';
    });

export type AuditEventType = AuditEvent['type'];

/** Where audit events go: a log pipeline, a SIEM, a database table, a notifier. */
export interface AuditSink {
  emit(event: AuditEvent): void | Promise<void>;
}

/** Keeps events in memory (tests, the demo's audit page). */
export class MemoryAuditSink implements AuditSink {
  readonly events: AuditEvent[] = [];
  emit(event: AuditEvent): void {
    this.events.push(event);
  }
  ofType<T extends AuditEventType>(type: T): Extract<AuditEvent, { type: T }>[] {
    return this.events.filter((e): e is Extract<AuditEvent, { type: T }> => e.type === type);
  }
}
