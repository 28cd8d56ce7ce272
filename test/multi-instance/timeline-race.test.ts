/**
 * The security timeline across app instances (SECURITY.md LG-05, FL-07): two services, each with
 * its own connection pool and clock, write one user's timeline on one shared database at the
 * same moment. The per-user bound holds, both read the same page, and the TOTP secret and
 * code never reach an entry or a notice.
 */
import { describe, expect, it } from 'vitest';
import type { SecurityNotice } from '@factorkit/core';
import { FakeClock, createHarness, testUser } from '@factorkit/core/testing';
import { TotpProvider } from '@factorkit/provider-totp';
import { openSqlStores, type SqlStores } from '@factorkit/store-sql';
import { PG_URL, dropSchema, encryptionKey, probeServers, totpCode, uniqueName } from './rig.js';

const server = await probeServers(false);
const NOW = Date.UTC(2026, 5, 1);
const KEEP = 10;

function instance(sql: SqlStores, clockMs: number, key: string, notices: SecurityNotice[]) {
  return createHarness({
    providers: [TotpProvider],
    settings: { totp: { issuer: 'factorkit timeline test' } },
    stores: sql.stores,
    clock: new FakeClock(clockMs),
    encryptionKey: key,
    timeline: { timelineKeepPerUser: KEEP, notifier: { send: (n) => void notices.push(n) } },
  });
}

async function race(open: () => Promise<SqlStores>): Promise<void> {
  const [one, two] = [await open(), await open()];
  try {
    const key = encryptionKey();
    const notices: SecurityNotice[] = [];
    const a = instance(one, NOW, key, notices);
    const b = instance(two, NOW + 777, key, notices);
    const user = testUser();
    const started = await a.service.beginActivation(user, 'totp');
    if (started.prompt.kind !== 'qr-enrollment') throw new Error('expected a QR prompt');
    const uri = started.prompt.otpauthUri;
    const code = totpCode(uri, NOW);
    const done = await a.service.completeActivation(started.activationId, user, code);
    expect(done.ok).toBe(true);
    // 30 regenerations at once, split over both instances: each is an entry and a notice.
    await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        (i % 2 ? a : b).service.regenerateRecoveryCodes(user, undefined, { ip: '198.51.100.4' }),
      ),
    );
    expect(notices.filter((n) => n.kind === 'recovery-codes-regenerated')).toHaveLength(30);
    const pageA = await a.service.securityTimeline(user, { limit: 100 });
    const pageB = await b.service.securityTimeline(user, { limit: 100 });
    expect(pageA.events).toHaveLength(KEEP);
    expect(pageB).toEqual(pageA);
    // The bound keeps the newest: the activation (the oldest entry) is gone.
    expect(pageA.events.map((e) => e.type)).toEqual(Array(KEEP).fill('recovery.regenerated'));
    const secret = new URL(uri).searchParams.get('secret')!;
    const text = JSON.stringify([pageA, notices]);
    for (const s of [secret, code, started.activationId]) expect(text).not.toContain(s);
  } finally {
    await one.close();
    await two.close();
  }
}

describe('the security timeline shared by instances', () => {
  // Not on SQLite: two instances in one process would share its thread, and better-sqlite3
  // waits for the other connection's write lock synchronously, so neither could go on. Separate
  // processes on one SQLite file are the multi-instance tests' business (worker.mjs).
  it.skipIf(!server.ok)(
    `LG-05: PostgreSQL: 30 entries written at once by two instances leave the newest 10 ${server.reason}`,
    async () => {
      const schema = uniqueName('timeline_pg');
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
