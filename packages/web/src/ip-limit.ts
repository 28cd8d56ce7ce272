import { InvalidArgumentError } from '@factorkit/core';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { WebError } from './errors.js';

/** Requests per client IP on the 2FA routes, on top of core's per-user failure budget. */
export interface IpRateLimitOptions {
  /** Requests allowed per window (1..100000). @default 60 */
  readonly points?: number;
  /** The window (1..86400 s). @default 60 */
  readonly durationSeconds?: number;
}

function whole(name: string, value: number | undefined, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1 || value > max)
    throw new InvalidArgumentError(
      `ipRateLimit.${name} must be a whole number from 1 to ${max}; got ${String(value)}.`,
    );
  return value;
}

export class IpRateLimit {
  private readonly limiter: RateLimiterMemory;

  constructor(options: IpRateLimitOptions = {}) {
    this.limiter = new RateLimiterMemory({
      points: whole('points', options.points, 60, 100_000),
      duration: whole('durationSeconds', options.durationSeconds, 60, 86_400),
    });
  }

  /** Counts one request from `ip`; past the limit, a 429 with the seconds to wait. */
  async take(ip: string): Promise<void> {
    try {
      await this.limiter.consume(ip);
    } catch (refusal) {
      if (!(refusal instanceof RateLimiterRes)) throw refusal;
      const retryAfter = Math.max(1, Math.ceil(refusal.msBeforeNext / 1000));
      throw new WebError(
        429,
        'IP_RATE_LIMITED',
        `Too many requests from this address. Try again in ${retryAfter} s.`,
        retryAfter,
      );
    }
  }
}
