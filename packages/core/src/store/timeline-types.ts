import { InvalidArgumentError } from '../errors.js';

/**
 * What a timeline entry may say besides its type and time. Core fills it from the audit event
 * and the request scope; it never holds a secret, a submitted code, a pending token or a
 * ciphertext (SECURITY.md LG-05).
 */
export interface SecurityEventDetail {
  readonly providerId?: string;
  readonly enrollmentId?: string;
  readonly deviceId?: string;
  readonly ip?: string;
  readonly userAgent?: string;
  /** Who acted when it was not the user: the administrator's actor id. */
  readonly actor?: string;
}

/** One entry of a user's security timeline ("recent security activity"). */
export interface SecurityEventRecord {
  /** Random, unique; the tie-breaker of the order. */
  readonly id: string;
  readonly userId: string;
  /** The audit event type it records (`activated`, `recovery.used`, ...). */
  readonly type: string;
  /** Epoch ms. */
  readonly at: number;
  readonly detail: SecurityEventDetail;
}

/** A position in a user's timeline: the last entry of a page, exclusive. */
export interface SecurityEventPosition {
  readonly at: number;
  readonly id: string;
}

export interface SecurityEventQuery {
  /** Only entries strictly older than this position, in (at, id) order. */
  readonly before?: SecurityEventPosition;
  /** 1..100. */
  readonly limit: number;
}

export interface SecurityEventPage {
  /** Newest first: at descending, then id descending. */
  readonly events: SecurityEventRecord[];
  /** Where the next page starts, or null when this page holds the oldest entry. */
  readonly next: SecurityEventPosition | null;
}

/** Most entries one page may hold. */
export const MAX_TIMELINE_PAGE = 100;
/** Most entries one `purgeSecurityEvents` call deletes (run it again until it returns 0). */
export const TIMELINE_PURGE_BATCH = 1000;

/**
 * The durable per-user security timeline. Every decision is atomic in the store: an append and
 * the trim of that user's oldest entries beyond `keepPerUser` happen in one transaction, so no
 * number of parallel appends leaves more than `keepPerUser` entries (SECURITY.md LG-05).
 */
export interface SecurityTimelineStore {
  /**
   * Inserts the entry and, in the same transaction, deletes the user's entries beyond the
   * newest `keepPerUser` (by at, then id). `keepPerUser` is an integer 1..100000.
   */
  appendSecurityEvent(entry: SecurityEventRecord, keepPerUser: number): Promise<void>;
  /** One page of one user's entries, newest first; never another user's. */
  listSecurityEvents(userId: string, query: SecurityEventQuery): Promise<SecurityEventPage>;
  /**
   * Deletes up to `TIMELINE_PURGE_BATCH` entries (of any user) older than `olderThan` (epoch
   * ms); returns how many. For an operator's retention job.
   */
  purgeSecurityEvents(olderThan: number): Promise<number>;
}

/** The argument checks every timeline store applies (InvalidArgumentError). */
export function assertTimelineKeep(keepPerUser: number): void {
  if (!Number.isInteger(keepPerUser) || keepPerUser < 1 || keepPerUser > 100_000)
    throw new InvalidArgumentError(
      `keepPerUser must be an integer from 1 to 100000 (got ${String(keepPerUser)}).`,
    );
}

export function assertTimelineQuery(query: SecurityEventQuery): void {
  const { limit, before } = query ?? ({} as SecurityEventQuery);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_TIMELINE_PAGE)
    throw new InvalidArgumentError(
      `limit must be an integer from 1 to ${MAX_TIMELINE_PAGE} (got ${String(limit)}).`,
    );
  if (
    before !== undefined &&
    (typeof before !== 'object' ||
      before === null ||
      !Number.isSafeInteger(before.at) ||
      typeof before.id !== 'string')
  )
    throw new InvalidArgumentError('before must be a position { at: integer, id: string }.');
}

export function assertTimelinePurge(olderThan: number): void {
  if (!Number.isSafeInteger(olderThan))
    throw new InvalidArgumentError('olderThan must be an epoch time in ms (a safe integer).');
}

/** Newest first: at descending, then id descending (byte order of the ids). */
export function newerFirst(a: SecurityEventPosition, b: SecurityEventPosition): number {
  if (a.at !== b.at) return b.at - a.at;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}
