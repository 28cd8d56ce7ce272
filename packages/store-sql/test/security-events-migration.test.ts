/**
 * Migration 0008 (the security timeline) on a database the previous release left at 0005: the
 * rows it wrote keep working, the timeline starts empty, and the timeline's queries use the
 * (user_id, at, id) index. Migrates to 0005 by name, so it holds whatever is numbered between.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { createSqlStores, type SqlStores } from '../src/index.js';
import { migrateTo } from './migrate-to.js';
import { PG_URL, dropSchema, probePostgres, uniqueSchema } from './servers.js';

const NOW = 1_800_000_000_000;
const dir = mkdtempSync(join(tmpdir(), 'factorkit-timeline-migrate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function atPreviousRelease(s: SqlStores, schema?: string): Promise<void> {
  await migrateTo(s, '0005_grace_deadlines', schema);
  const e = s.stores.enrollments;
  await e.activate({
    enrollment: {
      id: 'e-0005',
      userId: 'u1',
      providerId: 'p',
      label: 'P',
      secret: 'sealed',
      counter: 7,
      createdAt: NOW,
      lastUsedAt: null,
    },
    recoveryCodeHashes: ['h1', 'h2'],
  });
  await e.graceDeadline('u1', NOW, 1000);
}

async function expectUpgraded(s: SqlStores): Promise<void> {
  const { applied } = await s.migrate();
  expect(applied).toContain('0008_security_timeline');
  const e = s.stores.enrollments;
  expect(await e.listByUser('u1')).toMatchObject([{ id: 'e-0005', counter: 7 }]);
  expect(await e.advanceCounter('e-0005', 8, NOW + 1)).toBe(true);
  expect(await e.consumeRecoveryCode('u1', 'h1', NOW + 2)).toBe('consumed');
  expect(await e.peekGraceDeadline('u1')).toBe(NOW + 1000);
  // The timeline of a user written by 0005 starts empty and takes entries.
  expect(await e.listSecurityEvents('u1', { limit: 5 })).toEqual({ events: [], next: null });
  const entry = { id: 'ev1', userId: 'u1', type: 'activated', at: NOW + 3, detail: {} };
  await e.appendSecurityEvent(entry, 200);
  expect(await e.listSecurityEvents('u1', { limit: 5 })).toEqual({ events: [entry], next: null });
}

describe('migration 0008 on SQLite', () => {
  it('LG-05: upgrades a 0005 database in place; its enrollments, codes and deadlines keep working', async () => {
    const filename = join(dir, 'upgrade.db');
    const s = createSqlStores({ dialect: 'sqlite', filename });
    try {
      await atPreviousRelease(s);
      await expectUpgraded(s);
    } finally {
      await s.close();
    }
    const raw = new BetterSqlite3(filename, { readonly: true });
    try {
      const plan = raw
        .prepare(
          "explain query plan select * from factorkit_security_events where user_id = 'u1' order by at desc, id desc limit 21",
        )
        .all() as { detail: string }[];
      expect(plan.map((p) => p.detail).join(' ')).toMatch(
        /INDEX factorkit_security_events_user_at_idx/,
      );
    } finally {
      raw.close();
    }
  });
});

const server = await probePostgres();

describe.skipIf(!server.ok)(`migration 0008 on PostgreSQL ${server.reason}`, () => {
  it('LG-05: upgrades a 0005 schema in place; its enrollments, codes and deadlines keep working', async () => {
    const schema = uniqueSchema('timeline_upgrade');
    const s = createSqlStores({ dialect: 'postgres', connectionString: PG_URL, schema });
    try {
      await atPreviousRelease(s, schema);
      await expectUpgraded(s);
    } finally {
      await s.close();
      await dropSchema(schema);
    }
  });
});
