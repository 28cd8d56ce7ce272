/**
 * Several app instances (separate Node processes, each with its own TwoFactorService) sharing
 * PostgreSQL, alone or with Redis for pending state and throttles. Every security decision
 * must hold across instances, because the stores make it atomically in the shared engine.
 */
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  ActivationCompleted,
  ActivationStarted,
  ChallengeStarted,
  QrEnrollmentPrompt,
  SecondFactorSuccess,
} from '@factorkit/core';
import { createSqlStores } from '@factorkit/store-sql';
import {
  Instance,
  PG_URL,
  REDIS_URL,
  deleteRedisPrefix,
  dropSchema,
  encryptionKey,
  probeServers,
  tally,
  totpCode,
  totpStep,
  uniqueName,
  type Service,
  type WorkerConfig,
} from './rig.js';
import { startRedisCluster, type TestCluster } from '../../packages/store-redis/test/cluster.js';

const server = await probeServers(true);
const STEP = 30_000;
// Repetitions of the 50-way race (CC-01 in docs/SECURITY.md asks for many; 4 keep the suite fast).
const ROUNDS = 4;
// Five seconds into a 30 s step, so every "now" below sits well inside its step.
const T0 = Math.floor(Date.UTC(2026, 2, 1, 12) / STEP) * STEP + 5_000;
const WIDE = { maxFailures: 100, freeFailures: 100, permanentLockAfter: 100 };
const STRICT = { maxFailures: 5, freeFailures: 5, lockSeconds: 900, permanentLockAfter: 100 };
let userSeq = 0;
const user = (tag: string) => ({
  id: `mi-${tag}-${process.pid}-${++userSeq}`,
  audience: 'client',
  username: `${tag}${userSeq}@example.test`,
});

function timing(what: string, ms: number): void {
  console.log(`[multi-instance timing] ${what}: ${ms.toFixed(0)} ms`);
}

/** A six-digit code that is none of the codes valid around `now` (window: one step back). */
function wrongCode(uri: string, now: number): string {
  const valid = new Set([totpCode(uri, now), totpCode(uri, now - STEP), totpCode(uri, now + STEP)]);
  for (let i = 0; ; i++) {
    const c = String(i).padStart(6, '0');
    if (!valid.has(c)) return c;
  }
}

const COMPOSITIONS = [
  { name: 'all stores on PostgreSQL', redis: false, cluster: false },
  {
    name: 'enrollments on PostgreSQL, pending and throttles on Redis',
    redis: true,
    cluster: false,
  },
  // CC-07: the same races on a private 3-master Redis Cluster (its keys go with it at the end).
  {
    name: 'enrollments on PostgreSQL, pending and throttles on a 3-master Redis Cluster',
    redis: true,
    cluster: true,
  },
];

for (const comp of COMPOSITIONS) {
  describe.skipIf(!server.ok)(`two instances, ${comp.name} ${server.reason}`, () => {
    const schema = uniqueName(comp.redis ? 'mi_redis' : 'mi_pg');
    const prefix = `factorkit-test:${schema}:`;
    let one: Instance, two: Instance;
    let cluster: TestCluster | undefined;
    // The same two processes, each seen through its wide-budget and its strict service.
    let a: Service, b: Service, sa: Service, sb: Service;

    beforeAll(async () => {
      // Migrate once, as a deploy step would, then start the instances.
      const admin = createSqlStores({ dialect: 'postgres', connectionString: PG_URL, schema });
      await admin.migrate();
      await admin.close();
      if (comp.cluster) cluster = await startRedisCluster(3);
      const config: WorkerConfig = {
        sql: { dialect: 'postgres', connectionString: PG_URL, schema, poolSize: 6 },
        ...(comp.redis
          ? {
              redis: {
                url: REDIS_URL,
                prefix,
                ...(cluster ? { clusterNodes: cluster.nodes } : {}),
              },
            }
          : {}),
        encryptionKey: encryptionKey(),
        throttles: { wide: WIDE, strict: STRICT },
      };
      const started = performance.now();
      [one, two] = await Promise.all([Instance.start(config), Instance.start(config)]);
      timing(`${comp.name}: start 2 instance processes`, performance.now() - started);
      expect(one.child.pid).not.toBe(two.child.pid);
      [a, b, sa, sb] = [
        one.policy('wide'),
        two.policy('wide'),
        one.policy('strict'),
        two.policy('strict'),
      ];
    });

    afterAll(async () => {
      await Promise.all([one, two].filter(Boolean).map((i) => i.stop()));
      await dropSchema(schema);
      if (cluster) await cluster.stop();
      else if (comp.redis) await deleteRedisPrefix(prefix);
    });

    /** Activation begun on `first`, completed on `second` with the code at `now`. */
    async function enroll(
      first: Service,
      second: Service,
      u: ReturnType<typeof user>,
      now: number,
    ) {
      const started = await first.ok<ActivationStarted>('beginActivation', [u, 'totp'], now);
      expect(started.prompt.kind).toBe('qr-enrollment');
      const uri = (started.prompt as QrEnrollmentPrompt).otpauthUri;
      const done = await second.ok<ActivationCompleted>(
        'completeActivation',
        [started.activationId, u, totpCode(uri, now)],
        now,
      );
      return { uri, done };
    }

    it('an activation begun on one instance completes on the other; so does a challenge, both ways', async () => {
      const u = user('cross');
      const t0 = performance.now();
      const { uri, done } = await enroll(a, b, u, T0);
      expect(done.ok).toBe(true);
      expect(done.recoveryCodes?.length).toBe(10);
      expect((await a.ok<{ id: string }[]>('listEnrollments', [u], T0)).map((e) => e.id)).toEqual([
        done.enrollmentId,
      ]);

      let now = T0 + 2 * STEP;
      const c1 = await b.ok<ChallengeStarted>('beginChallenge', [u], now);
      const r1 = await a.ok<SecondFactorSuccess>(
        'completeChallenge',
        [c1.challengeId, u, totpCode(uri, now)],
        now,
      );
      expect(r1).toMatchObject({ ok: true, userId: u.id, providerId: 'totp', failOpen: false });

      now += STEP;
      const c2 = await a.ok<ChallengeStarted>('beginChallenge', [u], now);
      const r2 = await b.ok<SecondFactorSuccess>(
        'completeChallenge',
        [c2.challengeId, u, totpCode(uri, now)],
        now,
      );
      expect(r2.ok).toBe(true);
      // The challenge was single use: completing it again on the first instance finds nothing.
      const again = await a.service(
        'completeChallenge',
        [c2.challengeId, u, totpCode(uri, now)],
        now,
      );
      expect(again.ok ? 'ok' : again.error.code).toBe('CHALLENGE_NOT_FOUND');
      timing(`${comp.name}: activation + 2 cross-instance challenges`, performance.now() - t0);
    });

    it('the same valid TOTP code submitted 50 times concurrently across two instances is accepted exactly once, in each of 4 rounds (RFC 6238 §5.2, CC-01)', async () => {
      const u = user('replay');
      const { uri, done } = await enroll(a, b, u, T0);
      for (let round = 0; round < ROUNDS; round++) {
        const now = T0 + (2 + round) * STEP;
        const challenges = await Promise.all(
          Array.from({ length: 50 }, (_, i) =>
            (i % 2 ? a : b).ok<ChallengeStarted>('beginChallenge', [u], now),
          ),
        );
        const code = totpCode(uri, now);
        const t0 = performance.now();
        // Each challenge is answered on the other instance than the one that began it.
        const replies = await Promise.all(
          challenges.map((c, i) =>
            (i % 2 ? b : a).service('completeChallenge', [c.challengeId, u, code], now),
          ),
        );
        timing(
          `${comp.name}: round ${round + 1}, 50 concurrent submissions of one code across 2 instances`,
          performance.now() - t0,
        );
        expect(tally(replies)).toEqual({ ok: 1, CODE_ALREADY_USED: 49 });
        const enrollment = await a.call<{ counter: number }>('enrollments', 'get', [
          done.enrollmentId,
        ]);
        expect(enrollment.ok && enrollment.value.counter).toBe(totpStep(uri, now));
      }
    });

    it('with instance clocks 30 s apart, the same code sent 50 times to both is still accepted exactly once (CC-06)', async () => {
      const u = user('skew');
      const { uri } = await enroll(a, b, u, T0);
      // The device shows the code of step n. Instance one's clock is in step n, instance two's
      // already in step n + 1 (it accepts step n through the one-step back window).
      const device = T0 + 4 * STEP;
      const [nowA, nowB] = [device, device + STEP];
      const cs = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          (i % 2 ? b : a).ok<ChallengeStarted>('beginChallenge', [u], i % 2 ? nowB : nowA),
        ),
      );
      const code = totpCode(uri, device);
      const replies = await Promise.all(
        cs.map((c, i) =>
          (i % 2 ? b : a).service(
            'completeChallenge',
            [c.challengeId, u, code],
            i % 2 ? nowB : nowA,
          ),
        ),
      );
      expect(tally(replies)).toEqual({ ok: 1, CODE_ALREADY_USED: 49 });
    });

    it('120 parallel wrong codes across both instances against a budget of 100: exactly 100 are evaluated and the shared counter ends at 100 (CC-03, NIST SP 800-63B-4 §3.2.2)', async () => {
      const u = user('budget');
      const { uri } = await enroll(b, a, u, T0);
      const now = T0 + 2 * STEP;
      const bad = wrongCode(uri, now);
      const cs = await Promise.all(
        Array.from({ length: 120 }, (_, i) =>
          (i % 2 ? a : b).ok<ChallengeStarted>('beginChallenge', [u], now),
        ),
      );
      const t0 = performance.now();
      const replies = await Promise.all(
        cs.map((c, i) =>
          (i % 2 ? b : a).service('completeChallenge', [c.challengeId, u, bad], now),
        ),
      );
      timing(
        `${comp.name}: 120 concurrent wrong guesses against a budget of 100 across 2 instances`,
        performance.now() - t0,
      );
      expect(tally(replies)).toEqual({ INVALID_CODE: 100, LOCKED: 20 });
      for (const i of [a, b])
        expect(await i.ok('throttleStatus', [u], now)).toEqual({
          failures: 100,
          locked: true,
          retryAfter: null,
        });
    });

    it('a recovery code raced 30 times from both instances is consumed once; the remaining count drops by exactly one (CC-02, RP-03)', async () => {
      const u = user('recovery');
      const { done } = await enroll(b, a, u, T0);
      const code = done.recoveryCodes![0]!;
      const t0 = performance.now();
      const replies = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          (i % 2 ? a : b).service('useRecoveryCode', [u, code], T0 + 1000),
        ),
      );
      timing(
        `${comp.name}: 30 concurrent uses of one recovery code across 2 instances`,
        performance.now() - t0,
      );
      expect(tally(replies)).toEqual({ ok: 1, CODE_ALREADY_USED: 29 });
      expect(await a.ok('recoveryCodeStatus', [u], T0)).toEqual({ remaining: 9, low: false });
      expect(await b.ok('recoveryCodeStatus', [u], T0)).toEqual({ remaining: 9, low: false });
    });

    it('the failure counter and the lockout are shared: failures on one instance count on the other, and a lock holds everywhere (NIST SP 800-63B-4 §3.2.2, BF-01, CC-03)', async () => {
      const u = user('lockout');
      const { uri } = await enroll(sa, sb, u, T0);
      let now = T0 + 2 * STEP;
      const bad = wrongCode(uri, now);

      // One failure on each instance: each sees both.
      const c1 = await sa.ok<ChallengeStarted>('beginChallenge', [u], now);
      expect((await sa.service('completeChallenge', [c1.challengeId, u, bad], now)).ok).toBe(false);
      expect(await sb.ok('throttleStatus', [u], now)).toMatchObject({ failures: 1, locked: false });
      const c2 = await sb.ok<ChallengeStarted>('beginChallenge', [u], now);
      expect((await sb.service('completeChallenge', [c2.challengeId, u, bad], now)).ok).toBe(false);
      expect(await sa.ok('throttleStatus', [u], now)).toMatchObject({ failures: 2, locked: false });

      // 20 concurrent wrong guesses across both: the shared budget (5) admits exactly 3 more.
      const cs = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          (i % 2 ? sa : sb).ok<ChallengeStarted>('beginChallenge', [u], now),
        ),
      );
      const t0 = performance.now();
      const replies = await Promise.all(
        cs.map((c, i) =>
          (i % 2 ? sb : sa).service('completeChallenge', [c.challengeId, u, bad], now),
        ),
      );
      timing(
        `${comp.name}: 20 concurrent wrong guesses across 2 instances`,
        performance.now() - t0,
      );
      expect(tally(replies)).toEqual({ INVALID_CODE: 3, LOCKED: 17 });
      for (const i of [sa, sb])
        expect(await i.ok('throttleStatus', [u], now)).toEqual({
          failures: 5,
          locked: true,
          retryAfter: 900,
        });

      // Locked everywhere: the right code on an open challenge is refused on both instances,
      // and neither will start a new challenge.
      const good = totpCode(uri, now);
      for (const [i, inst] of [sa, sb].entries()) {
        const r = await inst.service('completeChallenge', [cs[i]!.challengeId, u, good], now);
        expect(r.ok ? 'ok' : r.error.code).toBe('LOCKED');
        const begin = await inst.service('beginChallenge', [u], now);
        expect(begin.ok ? 'ok' : begin.error.code).toBe('LOCKED');
      }

      // After the lock, the right code works on either instance and clears the shared count.
      now += 900_000;
      const c3 = await sb.ok<ChallengeStarted>('beginChallenge', [u], now);
      expect(
        (await sa.service('completeChallenge', [c3.challengeId, u, totpCode(uri, now)], now)).ok,
      ).toBe(true);
      expect(await sb.ok('throttleStatus', [u], now)).toEqual({
        failures: 0,
        locked: false,
        retryAfter: 0,
      });
    });
  });
}
