/**
 * A TOTP factor enrolled by a service on a 0005 database keeps signing in after migration 0006,
 * and the user can then add a second authenticator app (SECURITY.md EN-07): the upgrade seen
 * from the service, on SQLite and PostgreSQL.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { FactorkitStores, QrEnrollmentPrompt, TwoFactorUser } from '@factorkit/core';
import {
  FakeClock,
  MemoryStore,
  createHarness,
  testUser,
  type Harness,
} from '@factorkit/core/testing';
import { TotpProvider } from '@factorkit/provider-totp';
import { createSqlStores, MIGRATION_NAMES, type SqlStores } from '@factorkit/store-sql';
// The migration list is internal to the package: its own test helper walks it to 0005.
import { migrateTo } from '../../packages/store-sql/test/migrate-to.js';
import { PG_URL, dropSchema, encryptionKey, probeServers, totpCode, uniqueName } from './rig.js';

const server = await probeServers(false);
const dir = mkdtempSync(join(tmpdir(), 'factorkit-several-upgrade-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const STEP = 30_000;
const T0 = Math.floor(Date.UTC(2026, 5, 1, 12) / STEP) * STEP + 5_000;

function service(sql: SqlStores, key: string, stores: FactorkitStores = sql.stores): Harness {
  return createHarness({
    providers: [TotpProvider],
    settings: { totp: { issuer: 'factorkit upgrade test' } },
    stores,
    clock: new FakeClock(T0),
    encryptionKey: key,
  });
}

async function enrollApp(h: Harness, user: TwoFactorUser, label?: string) {
  const a = await h.service.beginActivation(user, 'totp');
  const uri = (a.prompt as QrEnrollmentPrompt).otpauthUri;
  const done = await h.service.completeActivation(
    a.activationId,
    user,
    totpCode(uri, h.clock.now()),
    undefined,
    label === undefined ? undefined : { label },
  );
  if (done.ok !== true) throw new Error('enrollment did not complete');
  return { uri, enrollmentId: done.enrollmentId, label: done.label };
}

async function signIn(h: Harness, user: TwoFactorUser, app: { uri: string; enrollmentId: string }) {
  const c = await h.service.beginChallenge(user, { enrollmentId: app.enrollmentId });
  return h.service.completeChallenge(c.challengeId, user, totpCode(app.uri, h.clock.now()));
}

async function upgrade(open: () => SqlStores, schema?: string): Promise<void> {
  const key = encryptionKey();
  const user = testUser();
  const old = open();
  let first;
  try {
    await migrateTo(old, '0005_grace_deadlines', schema);
    // This code stands in for the 0005 version here; its throttle needs a column of a later
    // migration (0010), and what the test is about is the enrollment rows 0005 wrote, so the
    // stand-in counts its attempts in memory.
    const atOldSchema = { ...old.stores, throttle: new MemoryStore().throttle };
    first = await enrollApp(service(old, key, atOldSchema), user);
  } finally {
    await old.close();
  }
  const next = open();
  try {
    // Every migration after 0005 applies, in order (0006_several_enrollments among them).
    expect((await next.migrate()).applied).toEqual(
      MIGRATION_NAMES.slice(MIGRATION_NAMES.indexOf('0005_grace_deadlines') + 1),
    );
    const h = service(next, key);
    h.clock.set(T0 + STEP);
    expect((await signIn(h, user, first)).ok).toBe(true);
    const second = await enrollApp(h, user, 'Spare phone');
    expect((await h.service.listEnrollments(user)).map((e) => e.label)).toEqual([
      'Authenticator app',
      'Spare phone',
    ]);
    h.clock.set(T0 + 2 * STEP);
    expect((await signIn(h, user, second)).ok).toBe(true);
    expect((await signIn(h, user, first)).ok).toBe(true);
    // Recovery codes came with the first factor at 0005 and stay.
    expect((await h.service.recoveryCodeStatus(user)).remaining).toBe(10);
  } finally {
    await next.close();
  }
}

describe('a 0005 enrollment after migration 0006', () => {
  it('EN-07: SQLite: the old factor signs in and a second app can be added', async () => {
    const filename = join(dir, `${uniqueName('upgrade')}.db`);
    await upgrade(() => createSqlStores({ dialect: 'sqlite', filename }));
  });

  it.skipIf(!server.ok)(
    `EN-07: PostgreSQL: the old factor signs in and a second app can be added ${server.reason}`,
    async () => {
      const schema = uniqueName('upgrade_pg');
      try {
        await upgrade(
          () => createSqlStores({ dialect: 'postgres', connectionString: PG_URL, schema }),
          schema,
        );
      } finally {
        await dropSchema(schema);
      }
    },
  );
});
