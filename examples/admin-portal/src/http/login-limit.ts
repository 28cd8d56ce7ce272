/**
 * Limits password guessing, the host's half of brute-force protection (factorkit's core
 * throttles the second factor): failed logins per email address and per client address, in
 * memory for one process or in Redis when the deployment shares one (rate-limiter-flexible).
 * Every try takes a point before the password is checked; a success gives it back.
 */
import { Redis } from 'ioredis';
import {
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';

const WINDOW_SECONDS = 15 * 60;
export const FAILURES_PER_EMAIL = 10;
export const FAILURES_PER_IP = 100;

export class LoginLimit {
  private readonly byEmail: RateLimiterAbstract;
  private readonly byIp: RateLimiterAbstract;
  private readonly redis: Redis | undefined;

  constructor(redisUrl: string | undefined) {
    this.redis = redisUrl ? new Redis(redisUrl, { maxRetriesPerRequest: 2 }) : undefined;
    const make = (keyPrefix: string, points: number) =>
      this.redis
        ? new RateLimiterRedis({
            storeClient: this.redis,
            keyPrefix,
            points,
            duration: WINDOW_SECONDS,
          })
        : new RateLimiterMemory({ keyPrefix, points, duration: WINDOW_SECONDS });
    this.byEmail = make('portal:login:email', FAILURES_PER_EMAIL);
    this.byIp = make('portal:login:ip', FAILURES_PER_IP);
  }

  /**
   * Takes one try for this email and address BEFORE the password is checked, atomically in the
   * store, so parallel guesses cannot all pass a read-then-count check: returns the seconds to
   * wait when either limit is used up (the try is refused), or 0.
   */
  async take(email: string, ip: string): Promise<number> {
    const results = await Promise.allSettled([this.byEmail.consume(email), this.byIp.consume(ip)]);
    let wait = 0;
    for (const r of results) {
      if (r.status === 'fulfilled') continue;
      // rate-limiter-flexible rejects with the result when the points are used up, and with an
      // Error when the store failed: then refuse too (a guess is never let through unchecked).
      const res = r.reason as unknown;
      wait = Math.max(
        wait,
        res instanceof RateLimiterRes ? Math.ceil(res.msBeforeNext / 1000) : 60,
      );
    }
    return wait;
  }

  /** A right password: the email's failures are forgotten and the address gets its try back. */
  async succeeded(email: string, ip: string): Promise<void> {
    await Promise.allSettled([this.byEmail.delete(email), this.byIp.reward(ip, 1)]);
  }

  async close(): Promise<void> {
    await this.redis?.quit();
  }
}
