/**
 * Per-user quotas across app instances in separate processes: right after a used-up window
 * ends, parallel takes from every instance together get exactly `limit` units, on each backend
 * a host can share (CC-03, BF-05: one outstanding push, N pushes per window; ASVS
 * 15.4.2; NIST SP 800-63B-4 §3.1.3.2). The SQL stores' read-to-write gap is widened by a test
 * seam, so a read-then-write implementation would overbook here every time.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QuotaTakeResult } from '@factorkit/core';
import { createSqlStores } from '@factorkit/store-sql';
import {
  Instance,
  PG_URL,
  REDIS_URL,
  deleteRedisPrefix,
  dropSchema,
  encryptionKey,
  probeServers,
  uniqueName,
  type WorkerConfig,
} from './rig.js';

const server = await probeServers(true);
const NOW = Date.UTC(2026, 2, 1, 12);
const WINDOW = 60_000;
const INSTANCES = 3;
const TAKES_PER_INSTANCE = 12;
const dir = mkdtempSync(join(tmpdir(), 'factorkit-quota-race-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Backend {
  name: string;
  /** Creates and migrates the shared database; returns the workers' config and a cleanup. */
  setUp(): Promise<{ config: WorkerConfig; cleanup: () => Promise<void> }>;
}

const BACKENDS: Backend[] = [
  {
    name: 'SQLite (one file, one connection per process)',
    async setUp() {
      const filename = join(dir, `${uniqueName('quota')}.db`);
      const admin = createSqlStores({ dialect: 'sqlite', filename });
      await admin.migrate();
      await admin.close();
      return {
        config: { sql: { dialect: 'sqlite', filename }, encryptionKey: encryptionKey() },
        cleanup: async () => undefined,
      };
    },
  },
  {
    name: 'PostgreSQL',
    async setUp() {
      const schema = uniqueName('quota_pg');
      const admin = createSqlStores({ dialect: 'postgres', connectionString: PG_URL, schema });
      await admin.migrate();
      await admin.close();
      return {
        config: {
          sql: { dialect: 'postgres', connectionString: PG_URL, schema, poolSize: 4 },
          encryptionKey: encryptionKey(),
        },
        cleanup: () => dropSchema(schema),
      };
    },
  },
  {
    name: 'Redis',
    async setUp() {
      const schema = uniqueName('quota_redis');
      const prefix = `factorkit-test:${schema}:`;
      const admin = createSqlStores({ dialect: 'postgres', connectionString: PG_URL, schema });
      await admin.migrate();
      await admin.close();
      return {
        config: {
          sql: { dialect: 'postgres', connectionString: PG_URL, schema, poolSize: 2 },
          redis: { url: REDIS_URL, prefix },
          encryptionKey: encryptionKey(),
        },
        async cleanup() {
          await dropSchema(schema);
          await deleteRedisPrefix(prefix);
        },
      };
    },
  },
];

for (const backend of BACKENDS) {
  describe.skipIf(!server.ok)(`quota takes from ${INSTANCES} processes on ${backend.name}`, () => {
    let instances: Instance[] = [];
    let cleanup: () => Promise<void> = async () => undefined;

    beforeAll(async () => {
      const set = await backend.setUp();
      cleanup = set.cleanup;
      const config = { ...set.config, quotaTakeDelayMs: 3 };
      instances = await Promise.all(
        Array.from({ length: INSTANCES }, () => Instance.start(config)),
      );
    });

    afterAll(async () => {
      await Promise.all(instances.map((i) => i.stop()));
      await cleanup();
    });

    const take = async (i: Instance, key: string, now: number, limit: number) => {
      const r = await i.call<QuotaTakeResult>('throttle', 'takeQuota', [key, now, limit, WINDOW]);
      if (!r.ok) throw new Error(`takeQuota failed: ${r.error.code} ${r.error.message}`);
      return r.value;
    };

    for (const limit of [1, 3]) {
      it(`${INSTANCES * TAKES_PER_INSTANCE} takes right after a used-up window ended grant exactly ${limit} (CC-03, BF-05)`, async () => {
        const key = `quota:push:${limit}`;
        for (let used = 1; used <= limit; used++)
          expect(await take(instances[0]!, key, NOW, limit)).toEqual({ ok: true, used });
        const got = await Promise.all(
          instances.flatMap((i) =>
            Array.from({ length: TAKES_PER_INSTANCE }, () => take(i, key, NOW + WINDOW, limit)),
          ),
        );
        const granted = got.filter((g): g is Extract<QuotaTakeResult, { ok: true }> => g.ok);
        expect(granted.map((g) => g.used).sort()).toEqual(
          Array.from({ length: limit }, (_, i) => i + 1),
        );
        for (const g of got.filter((x) => !x.ok))
          expect(g).toEqual({ ok: false, retryAt: NOW + 2 * WINDOW });
      });
    }
  });
}
