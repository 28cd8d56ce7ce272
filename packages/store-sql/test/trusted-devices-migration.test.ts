/**
 * Migration 0007_trusted_devices on a database the previous version (0005) left behind: its
 * enrollments, codes and generations keep working, and remembered devices work for its users at
 * once (SECURITY.md FL-09, FL-11). Also the table's own guarantees: one row per token hash.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createSqlStores, MIGRATION_NAMES, type SqlStores } from '../src/index.js';
import { migrateTo } from './migrate-to.js';
import { PG_URL, dropSchema, probePostgres, uniqueSchema } from './servers.js';

const NOW = 1_800_000_000_000;
const dir = mkdtempSync(join(tmpdir(), 'factorkit-devices-migrate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const server = await probePostgres();

/** 0001..0005 applied, then a user with a factor, codes and a raised generation. */
async function atPreviousVersion(s: SqlStores, schema?: string): Promise<void> {
  await migrateTo(s, '0005_grace_deadlines', schema);
  await s.db
    .insertInto('factorkit_enrollments')
    .values(
      [
        { id: 'e-old-a', user_id: 'u1', provider_id: 'a', label: null, secret: 'sealed' },
        { id: 'e-old-b', user_id: 'u1', provider_id: 'b', label: null, secret: 'sealed' },
      ].map((e) => ({ ...e, counter: 7, created_at: NOW, last_used_at: null })),
    )
    .execute();
  await s.db
    .insertInto('factorkit_recovery_codes')
    .values({ user_id: 'u1', code_hash: 'h1', created_at: NOW, used_at: null })
    .execute();
  await s.db
    .insertInto('factorkit_user_generations')
    .values({ user_id: 'u1', generation: 3 })
    .execute();
}

const device = (id: string, tokenHash: string) => ({
  id,
  userId: 'u1',
  tokenHash,
  label: 'Firefox on Linux',
  createdAt: NOW,
  lastUsedAt: null,
  expiresAt: NOW + 1000,
});

async function expectUpgraded(s: SqlStores): Promise<void> {
  // Every migration after 0005 applies, in order (0007_trusted_devices among them).
  expect((await s.migrate()).applied).toEqual(
    MIGRATION_NAMES.slice(MIGRATION_NAMES.indexOf('0005_grace_deadlines') + 1),
  );
  expect(MIGRATION_NAMES).toContain('0007_trusted_devices');
  const e = s.stores.enrollments;
  expect((await e.listByUser('u1')).map((x) => x.id)).toEqual(['e-old-a', 'e-old-b']);
  expect(await e.generation('u1')).toBe(3);
  expect(await e.countRecoveryCodes('u1')).toBe(1);
  expect(
    await e.trustDevice({ device: device('d1', 'a'.repeat(64)), limit: 5, generation: 3 }),
  ).toBe('trusted');
  expect(await e.useTrustedDevice('u1', 'a'.repeat(64), NOW + 1)).toMatchObject({ id: 'd1' });
  // One row per token hash, whatever the caller: the engine refuses a second.
  await expect(
    e.trustDevice({ device: device('d2', 'a'.repeat(64)), limit: 5, generation: 3 }),
  ).rejects.toThrow();
  expect((await e.listTrustedDevices('u1')).map((d) => d.id)).toEqual(['d1']);
  // The old enrollment's removal revokes the new device, in its transaction.
  expect(await e.remove('u1', 'e-old-a')).toEqual({ removed: true, remaining: 1 });
  expect(await e.listTrustedDevices('u1')).toEqual([]);
  expect(await e.generation('u1')).toBe(4);
}

describe('0007_trusted_devices', () => {
  it('SQLite: upgrades a 0005 database in place; its rows keep working and gain devices', async () => {
    const s = createSqlStores({ dialect: 'sqlite', filename: join(dir, 'upgrade.db') });
    try {
      await atPreviousVersion(s);
      await expectUpgraded(s);
    } finally {
      await s.close();
    }
  });

  it.skipIf(!server.ok)(
    `PostgreSQL: upgrades a 0005 schema in place ${server.reason}`,
    async () => {
      const schema = uniqueSchema('devices_upgrade');
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
