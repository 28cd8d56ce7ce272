/**
 * Remembered devices across app instances in separate processes (SECURITY.md FL-10): two
 * services, each with its own connection and clock, remember devices for one user at the same
 * moment on one SQLite file or one PostgreSQL schema, far past the per-user limit; exactly the
 * limit remain, and only their tokens skip the challenge.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type {
  ActivationCompleted,
  ActivationStarted,
  QrEnrollmentPrompt,
  RememberedDevice,
  Requirement,
  TrustedDeviceSummary,
} from '@factorkit/core';
import { createSqlStores } from '@factorkit/store-sql';
import {
  Instance,
  PG_URL,
  dropSchema,
  encryptionKey,
  probeServers,
  totpCode,
  uniqueName,
  type WorkerConfig,
} from './rig.js';

const server = await probeServers(false);
const dir = mkdtempSync(join(tmpdir(), 'factorkit-device-race-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const NOW = Date.UTC(2026, 5, 1);
const LIMIT = 3;
const PER_INSTANCE = 12;

async function race(sql: WorkerConfig['sql']): Promise<void> {
  const config: WorkerConfig = {
    sql,
    encryptionKey: encryptionKey(),
    audiences: { client: { maxRememberedDevices: LIMIT } },
  };
  const [one, two] = await Promise.all([Instance.start(config), Instance.start(config)]);
  try {
    const [a, b] = [one.policy('default'), two.policy('default')];
    const user = {
      id: uniqueName('device-user'),
      audience: 'client',
      username: 'dev@example.test',
    };
    const started = await a.ok<ActivationStarted>('beginActivation', [user, 'totp'], NOW);
    const uri = (started.prompt as QrEnrollmentPrompt).otpauthUri;
    const done = await b.ok<ActivationCompleted>(
      'completeActivation',
      [started.activationId, user, totpCode(uri, NOW)],
      NOW,
    );
    expect(done.ok).toBe(true);
    // Each instance's session passed the second factor a moment ago, by the shared timeline.
    const at = NOW + 1000;
    const devices = await Promise.all(
      Array.from({ length: 2 * PER_INSTANCE }, (_, i) =>
        (i % 2 ? a : b).ok<RememberedDevice>('rememberDevice', [user, { secondFactorAt: at }], at),
      ),
    );
    expect(new Set(devices.map((d) => d.deviceId)).size).toBe(2 * PER_INSTANCE);
    const kept = await a.ok<TrustedDeviceSummary[]>('listTrustedDevices', [user], at);
    expect(kept).toHaveLength(LIMIT);
    const skipped: string[] = [];
    for (const d of devices) {
      const r = await b.ok<Requirement>('requirement', [user, { deviceToken: d.token }], at + 1);
      if (r.action === 'skip') skipped.push(d.deviceId);
    }
    expect(skipped.sort()).toEqual(kept.map((d) => d.id).sort());
  } finally {
    await Promise.all([one.stop(), two.stop()]);
  }
}

describe('remembered devices shared by instances', () => {
  it('FL-10 SQLite: two processes remembering devices at once keep exactly the limit', async () => {
    const filename = join(dir, `${uniqueName('devices')}.db`);
    const admin = createSqlStores({ dialect: 'sqlite', filename });
    await admin.migrate();
    await admin.close();
    await race({ dialect: 'sqlite', filename });
  });

  it.skipIf(!server.ok)(
    `FL-10 PostgreSQL: two processes remembering devices at once keep exactly the limit ${server.reason}`,
    async () => {
      const schema = uniqueName('devices_pg');
      const admin = createSqlStores({ dialect: 'postgres', connectionString: PG_URL, schema });
      try {
        await admin.migrate();
        await race({ dialect: 'postgres', connectionString: PG_URL, schema, poolSize: 4 });
      } finally {
        await admin.close();
        await dropSchema(schema);
      }
    },
  );
});
