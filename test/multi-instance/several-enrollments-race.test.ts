/**
 * Removing factors one at a time across app instances (SECURITY.md EN-08): a forced user with two
 * authenticator apps removes both at once, from two app instances (separate Node processes,
 * each with its own TwoFactorService and connection) on one SQLite file, on one PostgreSQL
 * schema, and on PostgreSQL with pending steps and throttles on Redis. Exactly one removal wins,
 * one app stays, and it still signs the user in. Before that, a challenge begun for one app is
 * answered with the other app's code across instances: a wrong code (EN-09).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type {
  ActivationCompleted,
  ActivationStarted,
  ChallengeStarted,
  QrEnrollmentPrompt,
  Requirement,
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
  uniqueName,
  type Service,
  type WorkerConfig,
} from './rig.js';

const server = await probeServers(true);
const dir = mkdtempSync(join(tmpdir(), 'factorkit-several-race-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const STEP = 30_000;
const T0 = Math.floor(Date.UTC(2026, 5, 1, 12) / STEP) * STEP + 5_000;
let seq = 0;
const newUser = () => ({
  id: `several-${process.pid}-${++seq}`,
  audience: 'client',
  username: `several${seq}@example.test`,
});

async function enrollApp(s: Service, user: object, label: string, now: number) {
  const a = await s.ok<ActivationStarted>('beginActivation', [user, 'totp'], now);
  const uri = (a.prompt as QrEnrollmentPrompt).otpauthUri;
  const done = await s.ok<ActivationCompleted>(
    'completeActivation',
    [a.activationId, user, totpCode(uri, now), {}, { label }],
    now,
  );
  return { uri, enrollmentId: done.enrollmentId };
}

async function race(sql: WorkerConfig['sql'], redis?: WorkerConfig['redis']): Promise<void> {
  const config: WorkerConfig = {
    sql,
    ...(redis ? { redis } : {}),
    encryptionKey: encryptionKey(),
    audiences: { client: { force: true } },
  };
  const [one, two] = await Promise.all([Instance.start(config), Instance.start(config)]);
  try {
    const a = one.policy('default');
    const b = two.policy('default');
    const user = newUser();
    const phone = await enrollApp(a, user, 'Phone', T0);
    const tablet = await enrollApp(b, user, 'Tablet', T0 + 1000);
    // Both instances list both apps, oldest first.
    for (const s of [a, b]) {
      const req = await s.ok<Requirement>('requirement', [user], T0 + 2000);
      expect(req.action === 'challenge' && req.factors.map((f) => f.label)).toEqual([
        'Phone',
        'Tablet',
      ]);
    }
    // A challenge begun for the phone on one instance is answered with the tablet's code on the
    // other: the pending step's enrollment decides, so it is a wrong code (EN-09).
    const onPhone = await a.ok<ChallengeStarted>(
      'beginChallenge',
      [user, { enrollmentId: phone.enrollmentId }],
      T0 + 2500,
    );
    const crossed = await b.service(
      'completeChallenge',
      [onPhone.challengeId, user, totpCode(tablet.uri, T0 + 2500)],
      T0 + 2500,
    );
    expect(tally([crossed])).toEqual({ INVALID_CODE: 1 });
    const replies = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        (i % 2 ? a : b).service(
          'removeEnrollment',
          [user, (i % 4 < 2 ? phone : tablet).enrollmentId],
          T0 + 3000,
        ),
      ),
    );
    const outcomes = tally(replies);
    expect(outcomes['ok']).toBe(1);
    expect(
      Object.keys(outcomes).every((k) => ['ok', 'POLICY_DENIED', 'NOT_ENROLLED'].includes(k)),
    ).toBe(true);
    const left = await a.call<{ id: string }[]>('enrollments', 'listByUser', [user.id]);
    if (!left.ok) throw new Error('listByUser failed');
    expect(left.value).toHaveLength(1);
    // The app that stayed still signs the user in, on either instance.
    const kept = left.value[0]!.id === phone.enrollmentId ? phone : tablet;
    const now = T0 + 2 * STEP;
    const c = await b.ok<ChallengeStarted>(
      'beginChallenge',
      [user, { enrollmentId: kept.enrollmentId }],
      now,
    );
    const done = await b.ok<SecondFactorSuccess>(
      'completeChallenge',
      [c.challengeId, user, totpCode(kept.uri, now)],
      now,
    );
    expect(done.ok).toBe(true);
  } finally {
    await Promise.all([one.stop(), two.stop()]);
  }
}

describe('a forced user removes both apps on two instances at once', () => {
  it('EN-08: SQLite: exactly one removal succeeds, one app stays and signs in', async () => {
    const filename = join(dir, `${uniqueName('several')}.db`);
    const admin = createSqlStores({ dialect: 'sqlite', filename });
    await admin.migrate();
    await admin.close();
    await race({ dialect: 'sqlite', filename });
  });

  it.skipIf(!server.ok)(
    `EN-08: PostgreSQL: exactly one removal succeeds, one app stays and signs in ${server.reason}`,
    async () => {
      const schema = uniqueName('several_pg');
      try {
        const admin = createSqlStores({ dialect: 'postgres', connectionString: PG_URL, schema });
        await admin.migrate();
        await admin.close();
        await race({ dialect: 'postgres', connectionString: PG_URL, schema, poolSize: 4 });
      } finally {
        await dropSchema(schema);
      }
    },
  );

  it.skipIf(!server.ok)(
    `EN-08: PostgreSQL with Redis pending steps and throttles: exactly one removal succeeds ${server.reason}`,
    async () => {
      const schema = uniqueName('several_redis');
      const prefix = `factorkit-test:${schema}:`;
      try {
        const admin = createSqlStores({ dialect: 'postgres', connectionString: PG_URL, schema });
        await admin.migrate();
        await admin.close();
        await race(
          { dialect: 'postgres', connectionString: PG_URL, schema, poolSize: 4 },
          { url: REDIS_URL, prefix },
        );
      } finally {
        await dropSchema(schema);
        await deleteRedisPrefix(prefix);
      }
    },
  );
});
