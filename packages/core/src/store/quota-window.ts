import { InvalidArgumentError } from '../errors.js';

/** What a store keeps per quota key: units taken in the window, and when it ends (epoch ms). */
export interface QuotaWindow {
  readonly used: number;
  readonly endsAt: number;
}

/**
 * Refuses quota arguments an adapter could not store exactly (SQL bigint, Lua doubles) or that
 * would make the quota meaningless (a zero limit refuses forever, a zero window never counts).
 */
export function assertQuotaArguments(now: number, limit: number, windowMs: number): void {
  if (
    !Number.isSafeInteger(now) ||
    !Number.isSafeInteger(limit) ||
    limit < 1 ||
    !Number.isSafeInteger(windowMs) ||
    windowMs < 1 ||
    !Number.isSafeInteger(now + windowMs)
  ) {
    throw new InvalidArgumentError(
      'takeQuota: now, limit and windowMs must be safe integers, limit and windowMs at least 1.',
    );
  }
}

/**
 * One take applied to a key's window (`null` when none is stored): the pure core of every
 * adapter's `takeQuota`, which runs it while holding the key exclusively (the memory store by
 * not awaiting, SQL under the row's write lock; the Redis script is this function in Lua).
 * A window whose end is at or before `now` is over: the take starts a new one.
 */
export function applyQuotaTake(
  window: QuotaWindow | null,
  now: number,
  limit: number,
  windowMs: number,
): { ok: true; next: QuotaWindow } | { ok: false; retryAt: number } {
  if (!window || window.endsAt <= now)
    return { ok: true, next: { used: 1, endsAt: now + windowMs } };
  if (window.used < limit)
    return { ok: true, next: { used: window.used + 1, endsAt: window.endsAt } };
  return { ok: false, retryAt: window.endsAt };
}
