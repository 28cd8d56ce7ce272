import type { AuditEvent, AuditEventType } from '../../events.js';
import type { SecurityEventDetail } from '../../store/timeline-types.js';

/** What a `SecurityNotifier` is asked to tell the user. */
export type SecurityNoticeKind =
  | 'factor-added'
  | 'factor-removed'
  | 'recovery-code-used'
  | 'recovery-codes-regenerated'
  | 'account-locked'
  | 'account-unlocked'
  | 'admin-reset'
  /** A device was remembered: if it was not the user, they revoke it and change the password. */
  | 'device-remembered'
  /** A reused one-time code was refused: it was phished or observed; suggest a password change (LG-02). */
  | 'code-reused'
  /** Pushes went unanswered or were denied: someone may hold the password (BF-05). */
  | 'pushes-unanswered'
  /**
   * A security key answered with a counter that went backwards: it may have been copied; the user
   * should remove it and register their key again (WA-09).
   */
  | 'possible-cloned-key';

type EventOf<T extends AuditEventType> = Extract<AuditEvent, { type: T }>;

interface TimelineRow<E> {
  /** The notice this event sends, or null for a timeline entry alone. */
  readonly notice: SecurityNoticeKind | null;
  /** The non-secret fields of the event the entry keeps (request ip and agent are added). */
  readonly detail: (event: E) => SecurityEventDetail;
}

/**
 * The one table of what reaches a user's security timeline and notifier: audit event type to
 * notice and kept fields. An event type absent here reaches neither. A plain failed code
 * (`failed`, `recovery.failed`) is absent on purpose: anyone holding the password can produce
 * those at will, so they would flood the page and, the timeline being bounded per user, push
 * the entries that matter out of it; the lock they lead to is here. Also absent:
 * `device.trusted` (every sign-in on a remembered device: the page would become a login log)
 * and `device.rejected` (an old cookie on each sign-in).
 */
export const TIMELINE_EVENTS: { readonly [T in AuditEventType]?: TimelineRow<EventOf<T>> } = {
  activated: {
    notice: 'factor-added',
    detail: (e) => ({ providerId: e.providerId, enrollmentId: e.enrollmentId }),
  },
  deactivated: {
    notice: 'factor-removed',
    detail: (e) => ({ providerId: e.providerId, enrollmentId: e.enrollmentId }),
  },
  // Renaming is cosmetic: on the page, but no notice.
  'enrollment.renamed': {
    notice: null,
    detail: (e) => ({ providerId: e.providerId, enrollmentId: e.enrollmentId }),
  },
  'device.remembered': {
    notice: 'device-remembered',
    detail: (e) => ({ deviceId: e.deviceId }),
  },
  'device.revoked': {
    notice: null,
    detail: (e) => (e.deviceId === undefined ? {} : { deviceId: e.deviceId }),
  },
  'recovery.used': { notice: 'recovery-code-used', detail: () => ({}) },
  'recovery.regenerated': { notice: 'recovery-codes-regenerated', detail: () => ({}) },
  locked: { notice: 'account-locked', detail: () => ({}) },
  'admin.reset': { notice: 'admin-reset', detail: (e) => ({ actor: e.actorId }) },
  'admin.unlocked': { notice: 'account-unlocked', detail: (e) => ({ actor: e.actorId }) },
  'replay.rejected': { notice: 'code-reused', detail: (e) => ({ providerId: e.providerId }) },
  'clone.suspected': {
    notice: 'possible-cloned-key',
    detail: (e) => ({ providerId: e.providerId, enrollmentId: e.enrollmentId }),
  },
  'push.unanswered': { notice: 'pushes-unanswered', detail: (e) => ({ providerId: e.providerId }) },
};

/** The row of an event, if its type has one. */
export function timelineRow(
  event: AuditEvent,
): { notice: SecurityNoticeKind | null; detail: SecurityEventDetail } | null {
  const row = TIMELINE_EVENTS[event.type] as TimelineRow<AuditEvent> | undefined;
  return row ? { notice: row.notice, detail: row.detail(event) } : null;
}
