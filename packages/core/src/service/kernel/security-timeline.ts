import { InvalidArgumentError } from '../../errors.js';
import type { AuditEvent } from '../../events.js';
import type { Logger, RandomSource } from '../../services.js';
import type { SecurityTimelineStore } from '../../store/timeline-types.js';
import type { SecurityNotice, SecurityNotifier, TwoFactorServiceOptions } from '../types.js';
import { timelineRow } from './timeline-events.js';

export interface TimelineSettings {
  readonly keepPerUser: number;
  readonly notifyTimeoutMs: number;
}

export const DEFAULT_TIMELINE_KEEP_PER_USER = 200;
export const DEFAULT_NOTIFY_TIMEOUT_MS = 2000;

/** The service options of the timeline, checked once when the service is built. */
export function timelineSettings(options: TwoFactorServiceOptions): TimelineSettings {
  const keepPerUser = options.timelineKeepPerUser ?? DEFAULT_TIMELINE_KEEP_PER_USER;
  const notifyTimeoutMs = options.notifyTimeoutMs ?? DEFAULT_NOTIFY_TIMEOUT_MS;
  if (!Number.isInteger(keepPerUser) || keepPerUser < 1 || keepPerUser > 100_000)
    throw new InvalidArgumentError('timelineKeepPerUser must be an integer from 1 to 100000.');
  if (!Number.isInteger(notifyTimeoutMs) || notifyTimeoutMs < 1 || notifyTimeoutMs > 60_000)
    throw new InvalidArgumentError('notifyTimeoutMs must be an integer from 1 to 60000 (ms).');
  const notifier: unknown = options.notifier;
  if (
    notifier !== undefined &&
    (typeof notifier !== 'object' ||
      notifier === null ||
      typeof (notifier as { send?: unknown }).send !== 'function')
  )
    throw new InvalidArgumentError('notifier must be an object with a send(notice) method.');
  return { keepPerUser, notifyTimeoutMs };
}

/**
 * Writes the timeline entry and sends the notice for the event types of `TIMELINE_EVENTS`. It
 * runs after the audit sink, so after the decision the event reports is committed. A failed
 * write, a throwing notifier and a slow one (beyond `notifyTimeoutMs`) are logged and never
 * change the outcome of the call that emitted the event (SECURITY.md LG-06).
 */
export class SecurityTimeline {
  constructor(
    private readonly store: SecurityTimelineStore,
    private readonly notifier: SecurityNotifier | undefined,
    private readonly logger: Logger,
    private readonly random: RandomSource,
    private readonly settings: TimelineSettings,
  ) {}

  async record(event: AuditEvent): Promise<void> {
    const row = timelineRow(event);
    if (!row || !('userId' in event)) return;
    const at = Date.parse(event.at);
    const ip = event.request?.ip;
    const userAgent = event.request?.userAgent;
    const detail = { ...row.detail, ...(ip ? { ip } : {}), ...(userAgent ? { userAgent } : {}) };
    const id = this.random.token(16);
    let written = false;
    try {
      await this.store.appendSecurityEvent(
        { id, userId: event.userId, type: event.type, at, detail },
        this.settings.keepPerUser,
      );
      written = true;
    } catch (err) {
      this.logger.error('factorkit: security timeline write failed', {
        type: event.type,
        error: String(err),
      });
    }
    if (!row.notice || !this.notifier) return;
    const requestId = event.request?.requestId;
    await this.notify({
      kind: row.notice,
      userId: event.userId,
      audience: event.audience,
      at,
      ...(detail.providerId ? { providerId: detail.providerId } : {}),
      ...(detail.enrollmentId ? { enrollmentId: detail.enrollmentId } : {}),
      ...(ip ? { ip } : {}),
      ...(userAgent ? { userAgent } : {}),
      ...(requestId ? { requestId } : {}),
      ...(written ? { eventId: id } : {}),
    });
  }

  /** Waits for the notifier at most `notifyTimeoutMs`; a late send goes on without us. */
  private async notify(notice: SecurityNotice): Promise<void> {
    const notifier = this.notifier!;
    const fields = { kind: notice.kind };
    const sending = Promise.resolve()
      .then(() => notifier.send(notice))
      .then(
        () => 'sent' as const,
        (err: unknown) => {
          this.logger.error('factorkit: security notifier failed', {
            ...fields,
            error: String(err),
          });
          return 'failed' as const;
        },
      );
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), this.settings.notifyTimeoutMs);
      timer.unref();
    });
    try {
      if ((await Promise.race([sending, late])) === 'late') {
        this.logger.warn('factorkit: security notifier timed out', {
          ...fields,
          timeoutMs: this.settings.notifyTimeoutMs,
        });
      }
    } finally {
      clearTimeout(timer);
    }
  }
}
