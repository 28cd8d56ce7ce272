/**
 * Enrollment grace deadlines across app instances (SECURITY.md EN-06): two services, each with
 * its own connection pool and its own clock, race a forced user's first sign-ins on one shared
 * database and must agree on one deadline, granted (and audited) once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Requirement } from '@factorkit/core';
import { FakeClock, createHarness, testUser } from '@factorkit/core/testing';
import { TotpProvider } from '@factorkit/provider-totp';
import { openSqlStores, type SqlStores } from '@factorkit/store-sql';
import { PG_URL, dropSchema, probeServers, uniqueName } from './rig.js';

const server = await probeServers(false);
const dir = mkdtempSync(join(tmpdir(), 'factorkit-grace-race-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const NOW = Date.UTC(2026, 5, 1);
const DAY = 86_400_000;

function instance(sql: SqlStores, clockMs: number) {
  return createHarness({
    providers: [TotpProvider],
    settings: { totp: { issuer: 'factorkit grace test' } },
    policy: { audiences: { client: { force: true, notEnrolled: 'grace', graceDays: 7 } } },
    stores: sql.stores,
    clock: new FakeClock(clockMs),
  });
}

async function race(open: () => Promise<SqlStores>): Promise<void> {
  const [one, two] = [await open(), await open()];
  try {
    const a = instance(one, NOW);
    const b = instance(two, NOW + 1234);
    const user = testUser();
    const answers: Requirement[] = await Promise.all(
      Array.from({ length: 16 }, (_, i) => (i % 2 ? a : b).service.requirement(user)),
    );
    const deadlines = new Set(answers.map((r) => (r.action === 'grace' ? r.deadline : -1)));
    expect(deadlines.size).toBe(1);
    expect([NOW + 7 * DAY, NOW + 1234 + 7 * DAY]).toContain([...deadlines][0]);
    const started = [...a.audit.ofType('grace.started'), ...b.audit.ofType('grace.started')];
    expect(started).toHaveLength(1);
    // A dry-run on another instance reports the newcomer in grace and stores nothing for them.
    const newcomer = testUser();
    const report = await a.service.dryRunEnforcement([user, newcomer]);
    expect(report['client']).toMatchObject({ grace: 2 });
    expect(await two.stores.enrollments.peekGraceDeadline(newcomer.id)).toBeNull();
  } finally {
    await one.close();
    await two.close();
  }
}

describe('grace deadlines shared by instances', () => {
  it('SQLite: racing first sign-ins on two instances agree on one deadline', async () => {
    const filename = join(dir, `${uniqueName('grace')}.db`);
    await race(() => openSqlStores({ dialect: 'sqlite', filename }));
  });

  it.skipIf(!server.ok)(
    `PostgreSQL: racing first sign-ins on two instances agree on one deadline ${server.reason}`,
    async () => {
      const schema = uniqueName('grace_pg');
      try {
        await race(() =>
          openSqlStores({ dialect: 'postgres', connectionString: PG_URL, schema, poolSize: 4 }),
        );
      } finally {
        await dropSchema(schema);
      }
    },
  );
});
