import { applyQuotaTake, assertQuotaArguments, type QuotaWindow } from './quota-window.js';
import { applyRefund, applyReserve } from './throttle-schedule.js';
import type {
  QuotaTakeResult,
  ReserveResult,
  ThrottleSchedule,
  ThrottleState,
  ThrottleStore,
  ThrottleTicket,
} from './types.js';

/** In-memory failure counters and quota windows (see `MemoryStore`). */
export class MemoryThrottleStore implements ThrottleStore {
  private readonly throttles = new Map<string, ThrottleState>();
  /** Apart from `throttles`: a quota key never reads or resets a failure counter. */
  private readonly quotas = new Map<string, QuotaWindow>();

  async reserve(key: string, now: number, schedule: ThrottleSchedule): Promise<ReserveResult> {
    const state = this.throttles.get(key) ?? { failures: 0, blockedUntil: 0 };
    const r = applyReserve(state, now, schedule);
    if (!r.ok) return { ok: false, failures: state.failures, locked: r.locked, retryAt: r.retryAt };
    this.throttles.set(key, r.next);
    return { ok: true, failures: r.next.failures, previousBlockedUntil: state.blockedUntil };
  }

  async refund(key: string, ticket: ThrottleTicket): Promise<void> {
    const s = this.throttles.get(key);
    if (!s || s.failures === 0) return;
    this.throttles.set(key, applyRefund(s, ticket));
  }

  async reset(key: string): Promise<void> {
    this.throttles.delete(key);
  }

  async inspect(key: string): Promise<ThrottleState> {
    return { ...(this.throttles.get(key) ?? { failures: 0, blockedUntil: 0 }) };
  }

  async takeQuota(
    key: string,
    now: number,
    limit: number,
    windowMs: number,
  ): Promise<QuotaTakeResult> {
    assertQuotaArguments(now, limit, windowMs);
    const r = applyQuotaTake(this.quotas.get(key) ?? null, now, limit, windowMs);
    if (!r.ok) return { ok: false, retryAt: r.retryAt };
    this.quotas.set(key, r.next);
    return { ok: true, used: r.next.used };
  }

  async releaseQuota(key: string): Promise<void> {
    this.quotas.delete(key);
  }
}
