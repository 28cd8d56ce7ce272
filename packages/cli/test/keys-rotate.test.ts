/**
 * `factorkit keys generate|rotate` run as an operator runs them: a new key, every stored secret
 * moved onto it, and a rotation killed with SIGKILL part-way that a second run finishes with no
 * secret lost or sealed twice (SS-08).
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EnrollmentRecord } from '@factorkit/core';
import { createSqlStores } from '@factorkit/store-sql';
import { targets } from './targets.js';
import { newSecret, signsIn } from './totp-signin.js';
import { BIN, deployment, workspace } from './workspace.js';

const pair = targets('fk_cli_keys');
afterAll(() => pair.dropSchema());

const USERS = 40;

describe('factorkit keys generate', () => {
  const ws = workspace("{ dialect: 'sqlite', filename: './data.db' }");
  afterAll(() => ws.cleanup());

  it('prints a fresh 32-byte key, different each time; a bad id is exit 2', () => {
    const a = ws.json('keys', 'generate', '--id', 'k2');
    const b = ws.json('keys', 'generate', '--id', 'k2');
    expect(a.code).toBe(0);
    const key = (a.body['result'] as { key: string }).key;
    expect(Buffer.from(key, 'base64')).toHaveLength(32);
    expect((b.body['result'] as { key: string }).key).not.toBe(key);
    expect(ws.run('keys', 'generate', '--id', 'no spaces').code).toBe(2);
  });
});

describe.each(pair.targets)('factorkit keys rotate against $name (built binary)', (target) => {
  const ws = workspace(target.store);
  const store = target.options(ws.dir);
  const secrets = new Map<string, string>();
  const key2 = ws.json('keys', 'generate', '--id', 'k2');
  process.env['FACTORKIT_CLI_TEST_KEY2'] = (key2.body['result'] as { key: string }).key;

  beforeAll(() => {
    expect(ws.run('db', 'migrate').code).toBe(0);
    const lines: string[] = [];
    for (let i = 0; i < USERS; i++) {
      const secret = newSecret();
      secrets.set(`u_${i}`, secret);
      lines.push(`u_${i} otpauth://totp/Old:u_${i}?secret=${secret}&issuer=Old`);
    }
    ws.write('factors.txt', lines.join('\n'));
    expect(ws.run('import', 'factors.txt').code).toBe(0);
  });
  afterAll(() => ws.cleanup());

  /** The key id each stored secret is sealed under (`fk1.<keyId>.…`). */
  async function keyIds(): Promise<Record<string, number>> {
    const sql = createSqlStores(store);
    try {
      const counts: Record<string, number> = {};
      let after: string | null = null;
      for (;;) {
        const page: EnrollmentRecord[] = await sql.stores.enrollments.listAll(after, 100);
        if (page.length === 0) return counts;
        for (const e of page) {
          const id = e.secret.split('.')[1]!;
          counts[id] = (counts[id] ?? 0) + 1;
        }
        after = page[page.length - 1]!.id;
      }
    } finally {
      await sql.close();
    }
  }

  it('SS-08: a run killed part-way leaves every secret whole; the next run finishes; all sign in on the new key alone', async () => {
    expect(await keyIds()).toEqual({ k1: USERS });
    // Both keys known, the new one active: what an operator deploys before rotating.
    const both = {
      activeKeyId: 'k2',
      keys: { k1: { $env: 'FACTORKIT_CLI_TEST_KEY' }, k2: { $env: 'FACTORKIT_CLI_TEST_KEY2' } },
    };
    ws.write('factorkit.json', JSON.stringify(deployment({ encryption: both })));

    const report = join(ws.dir, 'rotation.json');
    const child = spawn(
      process.execPath,
      [BIN, 'keys', 'rotate', '--batch', '4', '--pause-ms', '150', '--report', report],
      { cwd: ws.dir, env: { ...process.env, FACTORKIT_CLI_TEST_KEY: ws.key }, stdio: 'ignore' },
    );
    const exited = new Promise((done) => child.on('exit', done));
    // Kill once the report shows some progress: mid-run, by the pauses between pages.
    for (let i = 0; i < 200; i++) {
      if (existsSync(report)) {
        const seen = JSON.parse(readFileSync(report, 'utf8')) as { rotated: number };
        if (seen.rotated >= 8) break;
      }
      await sleep(20);
    }
    child.kill('SIGKILL');
    await exited;
    const partial = JSON.parse(readFileSync(report, 'utf8')) as {
      rotated: number;
      finished: boolean;
      total: number;
    };
    expect(partial.finished).toBe(false);
    expect(partial.total).toBe(USERS);
    const mid = await keyIds();
    expect(mid['k2']).toBeGreaterThanOrEqual(8);
    expect(mid['k1']).toBeGreaterThan(0);
    expect((mid['k1'] ?? 0) + (mid['k2'] ?? 0)).toBe(USERS);

    const resumed = ws.json('keys', 'rotate', '--report', report);
    expect(resumed.code).toBe(0);
    expect(resumed.body['result']).toEqual({
      activeKeyId: 'k2',
      total: USERS,
      rotated: mid['k1'],
      unchanged: mid['k2'],
      failed: [],
    });
    expect(JSON.parse(readFileSync(report, 'utf8'))).toMatchObject({ finished: true });
    expect(await keyIds()).toEqual({ k2: USERS });

    // The old key gone from the config: every factor still signs in.
    const onlyNew = { activeKeyId: 'k2', keys: { k2: { $env: 'FACTORKIT_CLI_TEST_KEY2' } } };
    for (const id of ['u_0', 'u_17', `u_${USERS - 1}`])
      expect(await signsIn(ws, store, id, secrets.get(id)!, {}, { encryption: onlyNew })).toBe(
        true,
      );
    expect(ws.json('keys', 'rotate').body['result']).toMatchObject({
      rotated: 0,
      unchanged: USERS,
    });
  });

  it('without a terminal there is no progress bar, and a finished rotation moves nothing', () => {
    const r = ws.run('keys', 'rotate');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain(`0 secret(s) moved to key "k2", ${USERS} already on it, 0 failed`);
  });
});
