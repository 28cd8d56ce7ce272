/**
 * Where the test Redis is, and whether to run against it. Outside CI an unreachable server skips
 * its tests with the reason printed; under CI=true it fails the run instead.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

export const REDIS_URL = process.env['FACTORKIT_TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
export const IN_CI = process.env['CI'] === 'true';

export async function probeRedis(): Promise<{ ok: boolean; reason: string }> {
  const client = new Redis(REDIS_URL, {
    lazyConnect: true,
    connectTimeout: 3000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
    return { ok: true, reason: '' };
  } catch (err) {
    const reason = `Redis not reachable at ${REDIS_URL.replace(/\/\/[^@/]*@/, '//')}: ${(err as Error).message}`;
    if (IN_CI) throw new Error(`CI=true requires Redis. ${reason}`, { cause: err });
    console.warn(`SKIPPED (not CI): ${reason}`);
    return { ok: false, reason };
  } finally {
    client.disconnect();
  }
}

/** A key prefix unique to this test run and check. */
export function uniquePrefix(tag: string): string {
  return `factorkit-test:${tag}:${process.pid}:${randomBytes(6).toString('hex')}:`;
}

/** Deletes every key under a prefix (SCAN, never KEYS). */
export async function deletePrefix(client: Redis, prefix: string): Promise<number> {
  let n = 0;
  const pattern = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
  for await (const batch of client.scanStream({ match: pattern, count: 500 }) as AsyncIterable<
    string[]
  >) {
    if (batch.length > 0) n += await client.del(...batch);
  }
  return n;
}
