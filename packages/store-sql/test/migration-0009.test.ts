/**
 * Migration 0009_enrollment_lookup_keys (SECURITY.md WA-12) on a database 0008 left behind: its
 * enrollments keep working unchanged (they have no lookup key, and NULLs never collide), and from
 * then on the engine refuses a second enrollment of a provider with a lookup key already held.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LookupKeyTakenError } from '@factorkit/core';
import { createSqlStores, MIGRATION_NAMES, type SqlStores } from '../src/index.js';
import { migrateTo } from './migrate-to.js';
import { PG_URL, dropSchema, probePostgres, uniqueSchema } from './servers.js';

const NOW = 1_800_000_000_000;
const dir = mkdtempSync(join(tmpdir(), 'factorkit-lookup-migrate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const server = await probePostgres();

const row = (id: string, userId: string, providerId: string) => ({
  id,
  userId,
  providerId,
  label: null,
  secret: `sealed-${id}`,
  counter: 3,
  createdAt: NOW,
  lastUsedAt: null,
});

async function atPreviousVersion(s: SqlStores, schema?: string): Promise<void> {
  await migrateTo(s, '0008_security_timeline', schema);
  // Two users with a factor of one provider each, written before lookup keys existed.
  await s.stores.enrollments.activate({ enrollment: row('old-1', 'u1', 'webauthn') });
  await s.stores.enrollments.activate({ enrollment: row('old-2', 'u2', 'webauthn') });
}

async function expectUpgraded(s: SqlStores): Promise<void> {
  // 0009 and every migration after it (0010 adds a throttle column, unrelated to lookup keys).
  const from = MIGRATION_NAMES.indexOf('0009_enrollment_lookup_keys');
  expect(from).toBeGreaterThan(0);
  expect((await s.migrate()).applied).toEqual(MIGRATION_NAMES.slice(from));
  const e = s.stores.enrollments;
  expect(await e.get('old-1')).toEqual(row('old-1', 'u1', 'webauthn'));
  expect(await e.advanceCounter('old-2', 4, NOW + 1)).toBe(true);
  // New enrollments with a lookup key: one holder per (provider, key), any user.
  await e.activate({ enrollment: row('new-1', 'u3', 'webauthn'), lookupKey: 'k1' });
  await expect(
    e.activate({ enrollment: row('new-2', 'u4', 'webauthn'), lookupKey: 'k1' }),
  ).rejects.toBeInstanceOf(LookupKeyTakenError);
  await e.activate({ enrollment: row('new-3', 'u4', 'other'), lookupKey: 'k1' });
  expect((await e.findByLookupKey('webauthn', 'k1'))?.id).toBe('new-1');
  // Removal frees the key; the old rows never held one.
  expect((await e.remove('u3', 'new-1')).removed).toBe(true);
  await e.activate({ enrollment: row('new-4', 'u4', 'webauthn'), lookupKey: 'k1' });
  expect((await e.findByLookupKey('webauthn', 'k1'))?.id).toBe('new-4');
}

describe('0009_enrollment_lookup_keys', () => {
  it('WA-12: SQLite: upgrades a 0008 database in place; a lookup key is then held once', async () => {
    const s = createSqlStores({ dialect: 'sqlite', filename: join(dir, 'upgrade.db') });
    try {
      await atPreviousVersion(s);
      await expectUpgraded(s);
    } finally {
      await s.close();
    }
  });

  it.skipIf(!server.ok)(
    `WA-12: PostgreSQL: upgrades a 0008 schema in place; a lookup key is then held once ${server.reason}`,
    async () => {
      const schema = uniqueSchema('upgrade_0009');
      const s = createSqlStores({ dialect: 'postgres', connectionString: PG_URL, schema });
      try {
        await atPreviousVersion(s, schema);
        await expectUpgraded(s);
      } finally {
        await s.close();
        await dropSchema(schema);
      }
    },
  );
});
