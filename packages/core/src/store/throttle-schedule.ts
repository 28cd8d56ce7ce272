import type { ThrottleSchedule, ThrottleTicket } from './types.js';

/**
 * The block that follows the `failures`-th consecutive failure, in ms; `Infinity` means only an
 * administrator can lift it. Shared by every store adapter so they all throttle identically.
 *   failures <= freeFailures          -> 0
 *   freeFailures < failures < lock    -> baseDelay * 2^(failures - freeFailures - 1), capped
 *   lockAfter <= failures < permanent -> lockMs
 *   failures >= permanentAfter        -> Infinity
 */
export function throttleBlockMs(failures: number, s: ThrottleSchedule): number {
  if (failures >= s.permanentAfter) return Infinity;
  if (failures >= s.lockAfter) return s.lockMs;
  if (failures <= s.freeFailures) return 0;
  const exp = Math.min(failures - s.freeFailures - 1, 30);
  return Math.min(s.baseDelayMs * 2 ** exp, s.maxDelayMs);
}

/** Applies one reservation to a state; the pure core of every adapter's `reserve`. */
export function applyReserve(
  state: { failures: number; blockedUntil: number },
  now: number,
  s: ThrottleSchedule,
):
  | { ok: true; next: { failures: number; blockedUntil: number } }
  | { ok: false; locked: boolean; retryAt: number | null } {
  if (state.failures >= s.permanentAfter) return { ok: false, locked: true, retryAt: null };
  if (now < state.blockedUntil) {
    return { ok: false, locked: state.failures >= s.lockAfter, retryAt: state.blockedUntil };
  }
  const failures = state.failures + 1;
  const block = throttleBlockMs(failures, s);
  return {
    ok: true,
    next: {
      failures,
      blockedUntil: block === Infinity ? Number.MAX_SAFE_INTEGER : block === 0 ? 0 : now + block,
    },
  };
}

/**
 * Undoes one reservation: exactly (block included) when no other reservation came after it,
 * otherwise only the count goes down and the newer block stands.
 */
export function applyRefund(
  state: { failures: number; blockedUntil: number },
  ticket: ThrottleTicket,
): { failures: number; blockedUntil: number } {
  if (state.failures <= 0) return state;
  if (state.failures === ticket.failures) {
    return { failures: state.failures - 1, blockedUntil: ticket.previousBlockedUntil };
  }
  return { failures: state.failures - 1, blockedUntil: state.blockedUntil };
}
