import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { targets } from './targets.js';
import { newSecret, signsIn } from './totp-signin.js';
import { workspace } from './workspace.js';

const pair = targets('fk_cli_exp');
afterAll(() => pair.dropSchema());

const PASS = 'FK_TEST_EXPORT_PASSPHRASE';

describe.each(pair.targets)('factorkit export against $name (built binary)', (target) => {
  const ws = workspace(target.store);
  const store = target.options(ws.dir);
  const secrets = { u_ann: newSecret(), u_ben: newSecret(32) };
  beforeAll(() => {
    expect(ws.run('db', 'migrate').code).toBe(0);
    ws.write(
      'seed.txt',
      [
        `u_ann otpauth://totp/Old:ann?secret=${secrets.u_ann}&issuer=Old`,
        `u_ben otpauth://totp/${encodeURIComponent('=HYPERLINK("x")')}:ben?secret=${secrets.u_ben}&issuer=${encodeURIComponent('=HYPERLINK("x")')}&digits=8`,
      ].join('\n'),
    );
    expect(ws.run('import', 'seed.txt').code).toBe(0);
  });
  afterAll(() => {
    delete process.env[PASS];
    ws.cleanup();
  });

  it('SS-07: the inventory (JSON lines, CSV, --json) lists every enrollment and holds no secret', () => {
    const lines = ws.run('export');
    expect(lines.code).toBe(0);
    const rows = lines.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows.map((r) => r['userId']).sort()).toEqual(['u_ann', 'u_ben']);
    for (const r of rows) {
      expect(Object.keys(r).sort()).toEqual(
        ['createdAt', 'enrollmentId', 'label', 'lastUsedAt', 'providerId', 'userId'].sort(),
      );
      expect(r['providerId']).toBe('totp');
      expect(r['createdAt']).toMatch(/^\d{4}-\d\d-\d\dT/);
    }
    const csv = ws.run('export', '--format', 'csv');
    // A label that a spreadsheet would run as a formula is neutralised.
    expect(csv.stdout).toContain(`"'=HYPERLINK(""x"")"`);
    const json = ws.json('export');
    expect(json.code).toBe(0);
    expect(json.body).toMatchObject({ ok: true, command: 'export' });
    expect((json.body['result'] as { enrollments: unknown[] }).enrollments).toHaveLength(2);
    const out = ws.run('export', '--out', 'inventory.jsonl');
    expect(out.stdout).toContain(
      'wrote 2 enrollment(s) of 2 user(s) to inventory.jsonl, no secrets',
    );
    expect(statSync(join(ws.dir, 'inventory.jsonl')).mode & 0o077).toBe(0);
    const everything =
      lines.all +
      csv.all +
      JSON.stringify(json.body) +
      readFileSync(join(ws.dir, 'inventory.jsonl'), 'utf8');
    for (const s of Object.values(secrets)) {
      expect(everything).not.toContain(s);
      expect(everything.toLowerCase()).not.toContain(s.toLowerCase());
    }
  });

  it('SS-07: --include-secrets is refused without a passphrase from the environment, or without --out', () => {
    const none = ws.json('export', '--include-secrets', '--out', 'x.bin');
    expect(none.code).toBe(2);
    expect(none.body['error']).toMatchObject({ code: 'PASSPHRASE_REQUIRED' });
    delete process.env[PASS];
    expect(
      ws.json('export', '--include-secrets', '--passphrase-env', PASS, '--out', 'x.bin').code,
    ).toBe(2);
    process.env[PASS] = 'short';
    const short = ws.json(
      'export',
      '--include-secrets',
      '--passphrase-env',
      PASS,
      '--out',
      'x.bin',
    );
    expect(short.body['error']).toMatchObject({ code: 'PASSPHRASE_TOO_SHORT' });
    process.env[PASS] = 'correct horse battery staple';
    const noOut = ws.json('export', '--include-secrets', '--passphrase-env', PASS);
    expect(noOut.code).toBe(2);
    expect(noOut.body['error']).toMatchObject({ code: 'OUT_REQUIRED' });
    expect(() => statSync(join(ws.dir, 'x.bin'))).toThrow();
  });

  it('SS-07: an encrypted export round-trips through import --encrypted; a wrong passphrase or a changed byte fails clearly', async () => {
    process.env[PASS] = 'correct horse battery staple';
    const r = ws.json('export', '--include-secrets', '--passphrase-env', PASS, '--out', 'all.fkx');
    expect(r).toEqual({
      code: 0,
      body: {
        ok: true,
        command: 'export',
        result: { file: 'all.fkx', enrollments: 2, encrypted: true },
      },
    });
    const file = readFileSync(join(ws.dir, 'all.fkx'));
    expect(file[0]).toBe(1); // the version byte
    expect(statSync(join(ws.dir, 'all.fkx')).mode & 0o077).toBe(0);
    for (const s of Object.values(secrets)) expect(file.toString('latin1')).not.toContain(s);

    // Lose every factor, then restore them from the export.
    for (const id of Object.keys(secrets))
      expect(ws.run('users', 'reset', id, '--reason', 'restore drill').code).toBe(0);
    expect(await signsIn(ws, store, 'u_ann', secrets.u_ann)).toBe(false);

    process.env[PASS] = 'correct horse battery stapler';
    const wrong = ws.json('import', 'all.fkx', '--encrypted', '--passphrase-env', PASS);
    expect(wrong.code).toBe(4);
    expect(wrong.body['error']).toMatchObject({ code: 'DECRYPT_FAILED' });
    process.env[PASS] = 'correct horse battery staple';
    const tampered = Buffer.from(file);
    tampered[5] = tampered[5]! ^ 1; // inside the salt: the header is authenticated too
    writeFileSync(join(ws.dir, 'tampered.fkx'), tampered);
    const bad = ws.json('import', 'tampered.fkx', '--encrypted', '--passphrase-env', PASS);
    expect(bad.code).toBe(4);
    expect(bad.body['error']).toMatchObject({ code: 'DECRYPT_FAILED' });
    expect(await signsIn(ws, store, 'u_ann', secrets.u_ann)).toBe(false);

    const restored = ws.run('--json', 'import', 'all.fkx', '--encrypted', '--passphrase-env', PASS);
    expect(restored.code).toBe(0);
    expect(JSON.parse(restored.stdout)).toMatchObject({ result: { imported: 2 } });
    for (const s of Object.values(secrets)) expect(restored.all).not.toContain(s);
    expect(await signsIn(ws, store, 'u_ann', secrets.u_ann)).toBe(true);
    expect(await signsIn(ws, store, 'u_ben', secrets.u_ben, { digits: 8 })).toBe(true);
  }, 60_000); // scrypt (N=2^17) runs four times: slow on a loaded machine
});
