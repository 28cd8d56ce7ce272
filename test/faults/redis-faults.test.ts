/**
 * A private Redis (no persistence) holding pending steps and throttles, with enrollments on
 * PostgreSQL: restarted empty, paused beyond the command timeout. Every outcome is asserted
 * (OUT-05): STORE_UNAVAILABLE while Redis does not answer, never a success; after a restart the
 * pending steps and throttles are gone (the documented behaviour, SECURITY.md section 8 item 4)
 * while what SQL holds (the replay counter, recovery codes) still refuses a reuse.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisStores, type RedisStores } from '@factorkit/store-redis';
import { openSqlStores, type SqlStores } from '@factorkit/store-sql';
import { PG_URL, dropSchema, probeServers, totpCode, uniqueName } from '../multi-instance/rig.js';
import {
  STEP,
  enroll,
  newUser,
  outcome,
  serviceOn,
  type Rig,
  retryWhileUnavailable,
} from './fault-rig.js';
import { PrivateRedis } from './private-servers.js';

const servers = await probeServers(false);
const COMMAND_TIMEOUT_MS = 500;

describe.skipIf(!servers.ok)(`faults on a private Redis ${servers.reason}`, () => {
  const schema = uniqueName('redis_faults');
  let redisServer: PrivateRedis;
  let sql: SqlStores;
  let redis: RedisStores;
  let rig: Rig;

  beforeAll(async () => {
    redisServer = await PrivateRedis.start();
    sql = await openSqlStores({ dialect: 'postgres', connectionString: PG_URL, schema });
    redis = createRedisStores({
      url: redisServer.url,
      prefix: 'faults:',
      redisOptions: { commandTimeout: COMMAND_TIMEOUT_MS },
    });
    rig = serviceOn({ enrollments: sql.stores.enrollments, ...redis.stores });
  }, 60_000);
  afterAll(async () => {
    await redis?.close().catch(() => undefined);
    await sql?.close();
    await dropSchema(schema);
    await redisServer?.stop();
  });

  it('Redis restarted without persistence: down, every call is STORE_UNAVAILABLE; back, the pending step is gone (CHALLENGE_NOT_FOUND), the lock is forgotten as documented, and a used TOTP code is still refused by SQL (OUT-05, RP-01)', async () => {
    const user = newUser('redis-restart');
    const { uri, done } = await enroll(rig, user);
    rig.clock.set(rig.clock.now() + 2 * STEP);
    const now = rig.clock.now();
    // One code accepted (its step is now recorded in SQL), then five wrong ones lock the user.
    const first = await rig.service.beginChallenge(user);
    expect(
      await outcome(rig.service.completeChallenge(first.challengeId, user, totpCode(uri, now))),
    ).toBe('ok');
    for (let i = 0; i < 5; i++) {
      const c = await rig.service.beginChallenge(user);
      await outcome(rig.service.completeChallenge(c.challengeId, user, '000000'));
    }
    expect(await rig.service.throttleStatus(user)).toMatchObject({ locked: true });
    const pending = await outcome(rig.service.beginChallenge(user));
    expect(pending).toBe('LOCKED');

    await redisServer.kill();
    expect(await outcome(rig.service.beginChallenge(user))).toBe('STORE_UNAVAILABLE');
    expect(await outcome(rig.service.useRecoveryCode(user, done.recoveryCodes![0]!))).toBe(
      'STORE_UNAVAILABLE',
    );

    await redisServer.startServer();
    // Empty: the lock and the failures are gone (section 8 item 4: keep throttles in SQL or
    // turn on AOF to make locks durable). The scripts are loaded again on their own (NOSCRIPT).
    const status = await retryWhileUnavailable(() => rig.service.throttleStatus(user));
    expect(status.locked).toBe(false);
    // A command the caller already saw fail (the recovery-code attempt above reserves a
    // failure first) may still run once Redis is back: ioredis keeps it in its offline queue.
    // That can only add a failure, never take one away.
    expect(status.failures).toBeLessThanOrEqual(1);
    // The replay counter lives in SQL: the code accepted before the restart is still refused.
    const again = await rig.service.beginChallenge(user);
    expect(
      await outcome(rig.service.completeChallenge(again.challengeId, user, totpCode(uri, now))),
    ).toBe('CODE_ALREADY_USED');
    // A step begun before a restart is unknown after it: the user starts again.
    const before = await rig.service.beginChallenge(user);
    await redisServer.restart();
    await retryWhileUnavailable(() => rig.service.throttleStatus(user));
    expect(
      await outcome(
        rig.service.completeChallenge(before.challengeId, user, totpCode(uri, now + STEP)),
      ),
    ).toBe('CHALLENGE_NOT_FOUND');
  });

  it('Redis paused (SIGSTOP) beyond the command timeout: STORE_UNAVAILABLE within about the timeout, never a success; after SIGCONT the same answer is judged normally, once (OUT-05, RP-01)', async () => {
    const user = newUser('redis-slow');
    const { uri } = await enroll(rig, user);
    rig.clock.set(rig.clock.now() + 4 * STEP);
    const c = await rig.service.beginChallenge(user);
    const code = totpCode(uri, rig.clock.now());
    redisServer.pause();
    const t0 = Date.now();
    const paused = await outcome(rig.service.completeChallenge(c.challengeId, user, code));
    const waited = Date.now() - t0;
    redisServer.resume();
    expect(paused).toBe('STORE_UNAVAILABLE');
    expect(waited).toBeGreaterThanOrEqual(COMMAND_TIMEOUT_MS - 50);
    expect(waited).toBeLessThan(COMMAND_TIMEOUT_MS * 6);
    // The take sent before the pause ran when Redis resumed: that step is spent, so the user
    // begins a new one, and the code is accepted exactly once.
    const results: string[] = [];
    for (let i = 0; i < 2; i++) {
      const next = await retryWhileUnavailable(() => rig.service.beginChallenge(user));
      results.push(await outcome(rig.service.completeChallenge(next.challengeId, user, code)));
    }
    expect(results).toEqual(['ok', 'CODE_ALREADY_USED']);
  });
});
