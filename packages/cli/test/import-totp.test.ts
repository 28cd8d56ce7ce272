import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqlStores } from '@factorkit/store-sql';
import { targets } from './targets.js';
import { newSecret, signsIn } from './totp-signin.js';
import { workspace } from './workspace.js';

const pair = targets('fk_cli_imp');
afterAll(() => pair.dropSchema());

const uri = (account: string, secret: string, extra = '') =>
  `otpauth://totp/Old%20IdP:${encodeURIComponent(account)}?secret=${secret}&issuer=Old%20IdP${extra}`;

describe.each(pair.targets)('factorkit import against $name (built binary)', (target) => {
  const ws = workspace(target.store);
  const store = target.options(ws.dir);
  beforeAll(() => {
    expect(ws.run('db', 'migrate').code).toBe(0);
  });
  afterAll(() => ws.cleanup());

  const enrollments = (id: string) =>
    (ws.json('users', 'status', id).body['result'] as { enrollments: unknown[] }).enrollments;

  it('EN-10: a good otpauth file imports every user, who then signs in with codes of their secret', async () => {
    const alice = newSecret();
    const bob = newSecret(32);
    ws.write(
      'good.txt',
      [
        '# exported from the old IdP',
        `u_alice ${uri('alice@example.com', alice)}`,
        '',
        uri('u_bob', bob, '&algorithm=SHA256&digits=8&period=60'),
      ].join('\n'),
    );
    const r = ws.run('--json', 'import', 'good.txt');
    expect(r.code).toBe(0);
    const body = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(body).toEqual({
      ok: true,
      command: 'import',
      result: {
        dryRun: false,
        users: ['u_alice', 'u_bob'],
        replaced: [],
        refused: [],
        imported: 2,
      },
    });
    for (const s of [alice, bob]) expect(r.all).not.toContain(s);
    expect(await signsIn(ws, store, 'u_alice', alice)).toBe(true);
    expect(
      await signsIn(ws, store, 'u_bob', bob, { algorithm: 'SHA256', digits: 8, period: 60 }),
    ).toBe(true);
    // The stored row is a core envelope, not the Base32 secret (SS-02).
    const sql = createSqlStores(store);
    const rows = await sql.db.selectFrom('factorkit_enrollments').select('secret').execute();
    await sql.close();
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(row.secret).toMatch(/^fk1\.k1\./);
      for (const s of [alice, bob]) expect(row.secret).not.toContain(s);
    }
    const exported = ws.run('export', '--format', 'csv');
    expect(exported.stdout).toMatch(/^userId,providerId,enrollmentId,label,createdAt,lastUsedAt\n/);
    expect(exported.stdout).toContain('u_alice,totp,');
  });

  it('EN-10: a file with bad rows is refused with each line and reason, nothing is written, no secret echoed', () => {
    const good = newSecret();
    const short = newSecret(10); // 80 bits, under the provider's 128
    const md5 = newSecret();
    const nine = newSecret();
    ws.write(
      'bad.txt',
      [
        `u_good ${uri('good', good)}`,
        `u_short ${uri('short', short)}`,
        `u_md5 otpauth://totp/x:y?secret=${md5}&algorithm=MD5`,
        `u_nine ${uri('nine', nine, '&digits=9')}`,
        'u_junk https://example.com/not-otpauth',
        `u_good ${uri('good', newSecret())}`,
        'too many fields here',
      ].join('\n'),
    );
    const r = ws.run('--json', 'import', 'bad.txt');
    expect(r.code).toBe(4);
    const body = JSON.parse(r.stdout) as {
      ok: boolean;
      error: { code: string; issues: { path: string; message: string }[] };
    };
    expect(body.ok).toBe(false);
    expect(body.error.code).toBe('IMPORT_REFUSED');
    expect(body.error.issues.map((i) => i.path)).toEqual([
      'line 2',
      'line 3',
      'line 4',
      'line 5',
      'line 6',
      'line 7',
    ]);
    expect(body.error.issues[0]!.message).toMatch(/^u_short: .*128 bits/);
    expect(body.error.issues[4]!.message).toContain('also on line 1');
    for (const s of [good, short, md5, nine]) expect(r.all).not.toContain(s);
    const text = ws.run('import', 'bad.txt');
    expect(text.code).toBe(4);
    expect(text.stderr).toContain('nothing was written');
    expect(text.stderr).toContain('line 4: u_nine: digits must be 6 or 8');
    expect(enrollments('u_good')).toEqual([]);
  });

  it('EN-10: --dry-run validates and reports what would happen, and writes nothing', () => {
    const s = newSecret();
    ws.write('dry.txt', `u_dry ${uri('dry', s)}\n`);
    const r = ws.json('import', 'dry.txt', '--dry-run');
    expect(r).toEqual({
      code: 0,
      body: {
        ok: true,
        command: 'import',
        result: { dryRun: true, users: ['u_dry'], replaced: [], refused: [], imported: 0 },
      },
    });
    expect(ws.run('import', 'dry.txt', '--dry-run').stdout).toContain('would import 1 TOTP');
    expect(enrollments('u_dry')).toEqual([]);
  });

  it('EN-11: a user who already has a TOTP factor is refused (whole file) unless --replace, which retires the old secret', async () => {
    const old = newSecret();
    ws.write('first.txt', `u_carol ${uri('carol', old)}\n`);
    expect(ws.run('import', 'first.txt').code).toBe(0);
    const next = newSecret();
    const other = newSecret();
    ws.write('again.txt', `u_carol ${uri('carol', next)}\nu_dave ${uri('dave', other)}\n`);
    const refused = ws.json('import', 'again.txt');
    expect(refused.code).toBe(4);
    expect(refused.body['error']).toMatchObject({
      issues: [
        { path: 'line 1', message: 'u_carol: the user already has a TOTP factor (use --replace)' },
      ],
    });
    expect(enrollments('u_dave')).toEqual([]);
    expect(await signsIn(ws, store, 'u_carol', old)).toBe(true);

    const replaced = ws.json('import', 'again.txt', '--replace');
    expect(replaced.code).toBe(0);
    expect(replaced.body['result']).toMatchObject({ replaced: ['u_carol'], imported: 2 });
    expect(enrollments('u_carol')).toHaveLength(1);
    expect(await signsIn(ws, store, 'u_carol', old)).toBe(false);
    expect(await signsIn(ws, store, 'u_carol', next)).toBe(true);
    expect(await signsIn(ws, store, 'u_dave', other)).toBe(true);
  });

  it("EN-11: --replace raises the user's generation and revokes their remembered devices in the import's transaction", async () => {
    ws.write('hank.txt', `u_hank ${uri('hank', newSecret())}\n`);
    expect(ws.run('import', 'hank.txt').code).toBe(0);
    const sql = createSqlStores(store);
    try {
      const e = sql.stores.enrollments;
      const before = await e.generation('u_hank');
      const now = Date.now();
      const device = {
        id: 'dev_hank',
        userId: 'u_hank',
        tokenHash: 'ab'.repeat(32),
        label: null,
        createdAt: now,
        lastUsedAt: null,
        expiresAt: now + 86_400_000,
      };
      expect(await e.trustDevice({ device, limit: 5, generation: before })).toBe('trusted');
      ws.write('hank2.txt', `u_hank ${uri('hank', newSecret())}\n`);
      expect(ws.run('import', 'hank2.txt', '--replace').code).toBe(0);
      expect(await e.generation('u_hank')).toBe(before + 1);
      expect(await e.listTrustedDevices('u_hank')).toEqual([]);
      expect(await e.useTrustedDevice('u_hank', device.tokenHash, Date.now())).toBeNull();
    } finally {
      await sql.close();
    }
  });

  it("EN-10: Authelia's totp export CSV imports by column name; --skip-bad imports the good rows and reports the rest", async () => {
    const erin = newSecret();
    const frank = newSecret();
    ws.write(
      'authelia.csv',
      [
        'created_at,last_used_at,username,issuer,algorithm,digits,period,secret',
        `2024-01-02T03:04:05Z,,u_erin,Authelia,SHA1,6,30,${erin}`,
        `2024-01-02T03:04:05Z,,u_frank,Authelia,SHA512,8,30,${frank}`,
        '2024-01-02T03:04:05Z,,u_gina,Authelia,SHA1,6,45,JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
      ].join('\n'),
    );
    const all = ws.json('import', 'authelia.csv', '--format', 'authelia-csv');
    expect(all.code).toBe(4);
    expect(all.body['error']).toMatchObject({
      issues: [{ path: 'line 4', message: 'u_gina: period must be 30 or 60' }],
    });
    expect(enrollments('u_erin')).toEqual([]);
    const some = ws.json('import', 'authelia.csv', '--format', 'authelia-csv', '--skip-bad');
    expect(some.code).toBe(0);
    expect(some.body['result']).toMatchObject({
      users: ['u_erin', 'u_frank'],
      refused: [{ line: 4, userId: 'u_gina', reason: 'period must be 30 or 60' }],
      imported: 2,
    });
    expect(await signsIn(ws, store, 'u_erin', erin)).toBe(true);
    expect(await signsIn(ws, store, 'u_frank', frank, { algorithm: 'SHA512', digits: 8 })).toBe(
      true,
    );
    expect(enrollments('u_gina')).toEqual([]);
  });

  it('a CSV without the needed columns, a missing file and an unknown format are clear errors', () => {
    ws.write('cols.csv', 'user,secret\nx,JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP\n');
    const cols = ws.run('import', 'cols.csv', '--format', 'authelia-csv');
    expect(cols.code).toBe(4);
    expect(cols.stderr).toContain('missing column(s): username, algorithm, digits, period');
    const missing = ws.json('import', 'nope.txt');
    expect(missing.code).toBe(2);
    expect(missing.body['error']).toMatchObject({ code: 'IMPORT_FILE_UNREADABLE' });
    const format = ws.run('import', 'cols.csv', '--format', 'yaml');
    expect(format.code).toBe(2);
    expect(format.stderr).toContain('Allowed choices are otpauth, authelia-csv');
    expect(cols.all + JSON.stringify(missing.body) + format.all).not.toMatch(/\n\s+at /); // no stack trace
  });
});

describe('factorkit import and export with an unreachable store', () => {
  const ws = workspace(
    "{ dialect: 'postgres', connectionString: 'postgres://postgres@127.0.0.1:1/none' }",
  );
  afterAll(() => ws.cleanup());

  it('exit 3 with STORE_UNAVAILABLE, and the secret of the file is not echoed', () => {
    const secret = newSecret();
    ws.write('one.txt', `u_x ${uri('x', secret)}\n`);
    for (const args of [['import', 'one.txt'], ['export']]) {
      const r = ws.run('--json', ...args);
      expect(r.code).toBe(3);
      expect(JSON.parse(r.stdout)).toMatchObject({
        ok: false,
        error: { code: 'STORE_UNAVAILABLE' },
      });
      expect(r.all).not.toContain(secret);
    }
  });
});
