/**
 * Limits password guessing, the host's half of brute-force protection (factorkit's core
 * throttles the second factor): failed logins per email address and per client address, in
 * memory for one process or in Redis when the deployment shares one (rate-limiter-flexible).
 * Only failures count; a success clears the email's count.
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

  /** Seconds to wait before another try, or 0 when a try is allowed. */
  async retryAfter(email: string, ip: string): Promise<number> {
    const [e, i] = await Promise.all([this.byEmail.get(email), this.byIp.get(ip)]);
    const blocked = (r: RateLimiterRes | null, points: number) =>
      r !== null && r.consumedPoints >= points ? Math.ceil(r.msBeforeNext / 1000) : 0;
    return Math.max(blocked(e, FAILURES_PER_EMAIL), blocked(i, FAILURES_PER_IP));
  }

  async failed(email: string, ip: string): Promise<void> {
    // A rejection only means the limit is now reached: the next try is refused by retryAfter.
    await Promise.allSettled([this.byEmail.consume(email), this.byIp.consume(ip)]);
  }

  async succeeded(email: string): Promise<void> {
    await this.byEmail.delete(email);
  }

  async close(): Promise<void> {
    await this.redis?.quit();
  }
}
