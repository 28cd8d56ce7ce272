/**
 * Migration 0006 (several enrollments per provider, SECURITY.md EN-07): a database left by 0005
 * upgrades in place. Its enrollments, recovery codes, generations and pending steps keep working,
 * the user can add a second enrollment of the same provider, and the limit is then the store's.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { EnrollmentConflictError, type EnrollmentRecord } from '@factorkit/core';
import { createSqlStores, MIGRATION_NAMES, type SqlStores } from '../src/index.js';
import { migrateTo } from './migrate-to.js';
import { PG_URL, dropSchema, probePostgres, uniqueSchema } from './servers.js';

const NOW = 1_800_000_000_000;
const dir = mkdtempSync(join(tmpdir(), 'factorkit-sqlite-0006-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const written: EnrollmentRecord = {
  id: 'enrollment-written-by-0005',
  userId: 'u1',
  providerId: 'totp',
  label: 'Authenticator app',
  secret: 'sealed-0005',
  counter: 2_000_000_000_123,
  createdAt: NOW,
  lastUsedAt: NOW + 1,
};

/** A database as 0005 left it, with an enrollment, recovery codes and a pending step. */
async function atVersion5(s: SqlStores, schema?: string): Promise<void> {
  await migrateTo(s, '0005_grace_deadlines', schema);
  expect(
    await s.stores.enrollments.activate({ enrollment: written, recoveryCodeHashes: ['h1', 'h2'] }),
  ).toEqual({ recoveryCodesIssued: true });
  // A row without a label, as a host may have written one.
  await s.db
    .insertInto('factorkit_enrollments')
    .values({
      id: 'unlabelled-0005',
      user_id: 'u2',
      provider_id: 'totp',
      label: null,
      secret: 'sealed-u2',
      counter: null,
      created_at: NOW,
      last_used_at: null,
    })
    .execute();
  // The 0001 constraint is still there at 0005: a second row of the provider is refused by it.
  await expect(
    s.db
      .insertInto('factorkit_enrollments')
      .values({
        id: 'second-at-0005',
        user_id: 'u1',
        provider_id: 'totp',
        label: 'x',
        secret: 's',
        counter: null,
        created_at: NOW,
        last_used_at: null,
      })
      .execute(),
  ).rejects.toThrow();
  await s.stores.pending.create({
    id: 'pending-0005',
    kind: 'challenge',
    userId: 'u1',
    providerId: 'totp',
    enrollmentId: written.id,
    payload: 'sealed',
    attempts: 1,
    createdAt: NOW,
    expiresAt: NOW + 300_000,
  });
  await s.stores.enrollments.graceDeadline('u1', NOW, 1000);
}

async function expectUpgraded(s: SqlStores): Promise<void> {
  const generation = await s.stores.enrollments.generation('u1');
  // Every migration after 0005 applies, in order (0006_several_enrollments among them).
  expect((await s.migrate()).applied).toEqual(
    MIGRATION_NAMES.slice(MIGRATION_NAMES.indexOf('0005_grace_deadlines') + 1),
  );
  const e = s.stores.enrollments;
  // Every row of 0005 reads back as it was written.
  expect(await e.get(written.id)).toEqual(written);
  expect(await e.listByUser('u2')).toMatchObject([{ id: 'unlabelled-0005', label: null }]);
  expect(await e.countRecoveryCodes('u1')).toBe(2);
  expect(await e.generation('u1')).toBe(generation);
  expect(await e.peekGraceDeadline('u1')).toBe(NOW + 1000);
  expect(await s.stores.pending.take('pending-0005', 'u1', 'challenge')).toMatchObject({
    enrollmentId: written.id,
    attempts: 1,
  });
  // A sign-in with the old enrollment: its replay counter moves on, only upwards.
  expect(await e.advanceCounter(written.id, written.counter! + 1, NOW + 5)).toBe(true);
  expect(await e.advanceCounter(written.id, written.counter! + 1, NOW + 6)).toBe(false);
  expect(await e.rename('u1', written.id, 'Old phone')).toBe(true);
  expect(await e.rename('u2', written.id, 'Not yours')).toBe(false);
  // A second enrollment of the same provider, within the limit; the third is over it.
  const second = { ...written, id: 'second-after-0006', label: 'New phone', createdAt: NOW + 10 };
  expect(
    await e.activate({ enrollment: second, maxPerProvider: 2, recoveryCodeHashes: ['x'] }),
  ).toEqual({
    recoveryCodesIssued: false,
  });
  await expect(
    e.activate({ enrollment: { ...second, id: 'third' }, maxPerProvider: 2 }),
  ).rejects.toBeInstanceOf(EnrollmentConflictError);
  // Absent maxPerProvider is the previous rule: one.
  await expect(
    e.activate({ enrollment: { ...written, id: 'u2-second', userId: 'u2' } }),
  ).rejects.toBeInstanceOf(EnrollmentConflictError);
  expect((await e.listByUser('u1')).map((r) => [r.id, r.label])).toEqual([
    [written.id, 'Old phone'],
    [second.id, 'New phone'],
  ]);
  // Removing the old one keeps the new one and the codes.
  expect(await e.remove('u1', written.id, ['totp'])).toEqual({ removed: true, remaining: 1 });
  expect(await e.countRecoveryCodes('u1')).toBe(2);
}

describe('0006 on SQLite', () => {
  it('EN-07: rebuilds the enrollments table without the unique constraint; rows written at 0005 keep working', async () => {
    const filename = join(dir, 'upgrade-0006.db');
    const s = createSqlStores({ dialect: 'sqlite', filename });
    try {
      await atVersion5(s);
      await expectUpgraded(s);
    } finally {
      await s.close();
    }
    const raw = new BetterSqlite3(filename, { readonly: true });
    try {
      const indexes = raw.prepare("pragma index_list('factorkit_enrollments')").all() as {
        name: string;
        unique: number;
        origin: string;
      }[];
      const columns = (name: string) =>
        (raw.prepare(`pragma index_info('${name}')`).all() as { name: string }[]).map(
          (c) => c.name,
        );
      // The later 0009 adds the one other unique index: (provider_id, lookup_key), WA-12.
      expect(
        indexes
          .filter((i) => i.unique === 1)
          .map((i) => columns(i.name))
          .sort(),
      ).toEqual([['id'], ['provider_id', 'lookup_key']]);
      expect(indexes.filter((i) => i.unique === 0).map((i) => [i.name, columns(i.name)])).toEqual([
        ['factorkit_enrollments_user_provider_idx', ['user_id', 'provider_id']],
      ]);
      expect(raw.prepare("select name from sqlite_master where name like '%_0006'").all()).toEqual(
        [],
      );
    } finally {
      raw.close();
    }
  });
});

const server = await probePostgres();

describe.skipIf(!server.ok)(`0006 on PostgreSQL ${server.reason}`, () => {
  it('EN-07: drops the unique constraint and adds the (user_id, provider_id) index; rows written at 0005 keep working', async () => {
    const schema = uniqueSchema('upgrade_0006');
    const s = createSqlStores({ dialect: 'postgres', connectionString: PG_URL, schema });
    try {
      await atVersion5(s, schema);
      await expectUpgraded(s);
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      try {
        const { rows } = await client.query<{ indexname: string; indexdef: string }>(
          'select indexname, indexdef from pg_indexes where schemaname = $1 and tablename = $2 order by indexname',
          [schema, 'factorkit_enrollments'],
        );
        expect(
          rows
            .map((r) =>
              r.indexdef.replace(/^CREATE (UNIQUE )?INDEX (\S+) .* USING btree /, '$1$2 '),
            )
            .sort(),
        ).toEqual([
          'UNIQUE factorkit_enrollments_lookup_key_uq (provider_id, lookup_key)',
          'UNIQUE factorkit_enrollments_pkey (id)',
          'factorkit_enrollments_user_provider_idx (user_id, provider_id)',
        ]);
      } finally {
        await client.end();
      }
    } finally {
      await s.close();
      await dropSchema(schema);
    }
  });
});
