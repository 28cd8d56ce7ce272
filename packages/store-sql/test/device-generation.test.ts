/**
 * A remembered device works only in the generation it was trusted in (SECURITY.md FL-11): a
 * removal or reset written by an earlier version of store-sql during a rolling upgrade raises the
 * generation but deletes no device, and must end the device all the same.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { createSqlStores, type SqlStores } from '../src/index.js';
import { PG_URL, dropSchema, probePostgres, uniqueSchema } from './servers.js';

const NOW = 1_800_000_000_000;
const dir = mkdtempSync(join(tmpdir(), 'factorkit-device-generation-'));
const schemas: string[] = [];
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  for (const s of schemas) await dropSchema(s);
});
const server = await probePostgres();

async function check(s: SqlStores): Promise<void> {
  await s.migrate();
  const e = s.stores.enrollments;
  await e.activate({
    enrollment: {
      id: 'enr-1',
      userId: 'u1',
      providerId: 'totp',
      label: null,
      secret: 'sealed',
      counter: null,
      createdAt: NOW,
      lastUsedAt: null,
    },
  });
  const tokenHash = createHash('sha256').update('token-1').digest('hex');
  const device = {
    id: 'dev-1',
    userId: 'u1',
    tokenHash,
    label: null,
    createdAt: NOW,
    lastUsedAt: null,
    expiresAt: NOW + 86_400_000,
  };
  expect(await e.trustDevice({ device, limit: 3, generation: 0 })).toBe('trusted');
  expect(await e.useTrustedDevice('u1', tokenHash, NOW + 1)).not.toBeNull();
  // What an earlier version's reset wrote: the generation raised, the device row left in place.
  await s.db
    .insertInto('factorkit_user_generations')
    .values({ user_id: 'u1', generation: 1 })
    .execute();
  expect(await e.useTrustedDevice('u1', tokenHash, NOW + 2)).toBeNull();
}

describe('a remembered device ends with its generation', () => {
  it('FL-11: SQLite', async () => {
    const s = createSqlStores({ dialect: 'sqlite', filename: join(dir, 'g.db') });
    try {
      await check(s);
    } finally {
      await s.close();
    }
  });

  it.skipIf(!server.ok)(`FL-11: PostgreSQL ${server.reason}`, async () => {
    const schema = uniqueSchema('devgen');
    schemas.push(schema);
    const s = createSqlStores({ dialect: 'postgres', connectionString: PG_URL, schema });
    try {
      await check(s);
    } finally {
      await s.close();
    }
  });
});
