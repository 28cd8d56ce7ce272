import { InvalidArgumentError } from '../../errors.js';
import type { TwoFactorUser } from '../../provider/contract.js';
import {
  MAX_TIMELINE_PAGE,
  type SecurityEventPosition,
  type SecurityEventRecord,
} from '../../store/timeline-types.js';
import type { Kernel } from '../kernel/kernel.js';
import type {
  SecurityTimelineEntry,
  SecurityTimelineOptions,
  SecurityTimelinePage,
} from '../types.js';

export const DEFAULT_TIMELINE_PAGE = 20;
const CURSOR_RE = /^(0|[1-9][0-9]{0,15})\.([A-Za-z0-9_-]{1,64})$/;

/**
 * A page of the caller's own security timeline, newest first. The cursor only says where the
 * page starts; the query is always by this user's id, so a cursor taken from another user's
 * page reads this user's entries older than that point, never the other's (SECURITY.md LG-05).
 */
export async function securityTimeline(
  k: Kernel,
  user: TwoFactorUser,
  options: SecurityTimelineOptions = {},
): Promise<SecurityTimelinePage> {
  const limit = options?.limit ?? DEFAULT_TIMELINE_PAGE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_TIMELINE_PAGE) {
    throw new InvalidArgumentError(
      `limit must be an integer from 1 to ${MAX_TIMELINE_PAGE} (default ${DEFAULT_TIMELINE_PAGE}).`,
    );
  }
  const before = options?.before === undefined ? undefined : decodeCursor(options.before);
  const page = await k.stores.enrollments.listSecurityEvents(user.id, {
    limit,
    ...(before ? { before } : {}),
  });
  return {
    events: page.events.filter((e) => e.userId === user.id).map(toEntry),
    next: page.next ? encodeCursor(page.next) : null,
  };
}

function toEntry(e: SecurityEventRecord): SecurityTimelineEntry {
  const d = e.detail;
  return {
    id: e.id,
    type: e.type,
    at: e.at,
    ...(d.providerId ? { providerId: d.providerId } : {}),
    ...(d.enrollmentId ? { enrollmentId: d.enrollmentId } : {}),
    ...(d.deviceId ? { deviceId: d.deviceId } : {}),
    ...(d.ip ? { ip: d.ip } : {}),
    ...(d.userAgent ? { userAgent: d.userAgent } : {}),
    ...(d.actor ? { by: d.actor } : {}),
  };
}

export function encodeCursor(p: SecurityEventPosition): string {
  return Buffer.from(`${p.at}.${p.id}`, 'utf8').toString('base64url');
}

function decodeCursor(cursor: unknown): SecurityEventPosition {
  const bad = () =>
    new InvalidArgumentError('before must be the `next` value of a previous timeline page.');
  if (typeof cursor !== 'string' || cursor.length === 0 || cursor.length > 120) throw bad();
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw bad();
  const m = CURSOR_RE.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  const at = m ? Number(m[1]) : NaN;
  if (!m || !Number.isSafeInteger(at)) throw bad();
  return { at, id: m[2]! };
}
