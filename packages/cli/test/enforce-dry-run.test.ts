/**
 * `factorkit enforce dry-run --users FILE` run as an operator runs it, against SQLite and
 * PostgreSQL: the report is exactly core's `dryRunEnforcement` for the same users and policy
 * change, bad rows are named by line, and nothing is written.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ProviderRegistry,
  TwoFactorService,
  loadDeploymentConfig,
  type AudienceDryRun,
  type PolicyOverride,
} from '@factorkit/core';
import { TotpProvider } from '@factorkit/provider-totp';
import { createSqlStores, type SqlStoreOptions } from '@factorkit/store-sql';
import { targets } from './targets.js';
import { runOnTerminal } from './terminal.js';
import { newSecret } from './totp-signin.js';
import { deployment, workspace, type Workspace } from './workspace.js';

const pair = targets('fk_cli_enf');
afterAll(() => pair.dropSchema());

const audiences = { client: {}, admin: { force: true }, staff: {} };
const people = Array.from({ length: 30 }, (_, i) => ({
  id: `u_${i}`,
  audience: ['client', 'admin', 'staff'][i % 3]!,
  enrolled: i % 4 === 0,
}));

/** Core's own answer for the same users, store and change: what the CLI must print. */
async function coreReport(
  ws: Workspace,
  store: SqlStoreOptions,
  overrides: Record<string, PolicyOverride>,
) {
  process.env['FACTORKIT_CLI_TEST_KEY'] = ws.key;
  const registry = new ProviderRegistry();
  registry.register(TotpProvider);
  const sql = createSqlStores(store);
  try {
    const service = new TwoFactorService({
      registry,
      config: loadDeploymentConfig(deployment({ policy: { audiences } }), registry),
      stores: sql.stores,
    });
    const users = people.map((p) => ({ id: p.id, audience: p.audience, username: p.id }));
    return await service.dryRunEnforcement(users, overrides);
  } finally {
    await sql.close();
  }
}

/** Grace deadlines not yet stored are "now + graceDays": equal up to the seconds between runs. */
function withoutDeadlines(report: Record<string, AudienceDryRun>) {
  return Object.fromEntries(
    Object.entries(report).map(([k, r]) => [
      k,
      { ...r, graceDeadlines: r.graceDeadlines !== null },
    ]),
  );
}

describe.each(pair.targets)('factorkit enforce dry-run against $name (built binary)', (target) => {
  const ws = workspace(target.store);
  const store = target.options(ws.dir);
  beforeAll(() => {
    ws.write('factorkit.json', JSON.stringify(deployment({ policy: { audiences } })));
    expect(ws.run('db', 'migrate').code).toBe(0);
    const factors = people
      .filter((p) => p.enrolled)
      .map((p) => `${p.id} otpauth://totp/Old:${p.id}?secret=${newSecret()}&issuer=Old`);
    ws.write('factors.txt', factors.join('\n'));
    expect(ws.run('import', 'factors.txt').code).toBe(0);
    ws.write(
      'users.csv',
      ['id,audience', ...people.map((p) => `${p.id},${p.audience}`)].join('\n'),
    );
    ws.write(
      'users.jsonl',
      people.map((p) => JSON.stringify({ id: p.id, audience: p.audience })).join('\n'),
    );
  });
  afterAll(() => ws.cleanup());

  it('--force AUDIENCE: the report is core dryRunEnforcement, from CSV and from JSON lines alike', async () => {
    const expected = await coreReport(ws, store, { client: { force: true } });
    for (const file of ['users.csv', 'users.jsonl']) {
      const { code, body } = ws.json('enforce', 'dry-run', '--users', file, '--force', 'client');
      expect(code).toBe(0);
      expect(body['result']).toEqual({
        users: people.length,
        overrides: { client: { force: true } },
        report: expected,
        refused: [],
      });
    }
    // Forced client users without a factor must enroll; staff stays unforced (skip).
    expect(expected['client']).toMatchObject({ users: 10, enrolled: 3, challenge: 3, enroll: 7 });
    expect(expected['staff']).toMatchObject({ users: 10, enrolled: 2, challenge: 2, skip: 8 });
  });

  it('EN-06: --next-config: the audience policies of another deployment file are the change previewed', async () => {
    const next = {
      client: {},
      admin: { force: true },
      staff: { force: true, notEnrolled: 'grace', graceDays: 7 },
    };
    ws.write('next.json', JSON.stringify(deployment({ policy: { audiences: next } })));
    const { code, body } = ws.json(
      'enforce',
      'dry-run',
      '-u',
      'users.jsonl',
      '--next-config',
      'next.json',
    );
    expect(code).toBe(0);
    const result = body['result'] as {
      overrides: Record<string, PolicyOverride>;
      report: Record<string, AudienceDryRun>;
    };
    const expected = await coreReport(ws, store, result.overrides);
    expect(result.overrides['staff']).toMatchObject({
      force: true,
      notEnrolled: 'grace',
      graceDays: 7,
    });
    expect(withoutDeadlines(result.report)).toEqual(withoutDeadlines(expected));
    const staff = result.report['staff']!;
    expect(staff.grace).toBe(8);
    const inSevenDays = Date.now() + 7 * 86_400_000;
    expect(Math.abs(staff.graceDeadlines!.earliest - inSevenDays)).toBeLessThan(120_000);
    // EN-06: a dry run stores no deadline, so a second run a moment later computes a later one.
    const again = ws.json('enforce', 'dry-run', '-u', 'users.jsonl', '--next-config', 'next.json');
    const later = (again.body['result'] as typeof result).report['staff']!.graceDeadlines!;
    expect(later.earliest).toBeGreaterThan(staff.graceDeadlines!.earliest);

    const text = ws.run('enforce', 'dry-run', '-u', 'users.jsonl', '--next-config', 'next.json');
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(
      'staff: 10 user(s), 2 enrolled; challenge 2, enroll 0, grace 8, skip 0, deny 0; grace ends',
    );
    expect(text.stdout.trim().split('\n').at(-1)).toBe(
      '30 user(s) checked: 7 would have to enroll, 0 would be refused (nothing was changed)',
    );
    ws.write(
      'bad-next.json',
      JSON.stringify(deployment({ policy: { audiences: { staff: { notEnrolled: 'maybe' } } } })),
    );
    const invalid = ws.json(
      'enforce',
      'dry-run',
      '-u',
      'users.jsonl',
      '--next-config',
      'bad-next.json',
    );
    expect(invalid.code).toBe(1);
    expect(invalid.body).toMatchObject({ ok: false, error: { code: 'CONFIG_INVALID' } });
  });

  it('bad rows are reported by line number and give no report (exit 4) unless --skip-bad', () => {
    ws.write(
      'bad.csv',
      [
        'ID,Audience',
        'u_1,client',
        ',client',
        'u_2,nobody',
        'u_1,client',
        'has space,admin',
        'u_4,',
      ].join('\n'),
    );
    const refused = ws.json('enforce', 'dry-run', '-u', 'bad.csv', '--force', 'client');
    expect(refused.code).toBe(4);
    const error = refused.body['error'] as {
      code: string;
      issues: { path: string; message: string }[];
    };
    expect(error.code).toBe('USERS_FILE_INVALID');
    expect(error.issues.map((i) => i.path)).toEqual([
      'line 3',
      'line 4',
      'line 5',
      'line 6',
      'line 7',
    ]);
    expect(error.issues[1]!.message).toContain('audience "nobody" is not in policy.audiences');
    expect(error.issues[2]!.message).toBe('u_1: also on line 2');
    const text = ws.run('enforce', 'dry-run', '-u', 'bad.csv');
    expect(text.stderr).toContain('  - line 7: u_4: no audience');

    const skipped = ws.json(
      'enforce',
      'dry-run',
      '-u',
      'bad.csv',
      '--skip-bad',
      '--force',
      'client',
    );
    expect(skipped.code).toBe(0);
    const result = skipped.body['result'] as {
      users: number;
      report: Record<string, AudienceDryRun>;
      refused: unknown[];
    };
    expect(result.users).toBe(1);
    expect(Object.keys(result.report)).toEqual(['client']);
    expect(result.refused).toHaveLength(5);

    ws.write(
      'bad.jsonl',
      ['{"id":"u_1","audience":"client"}', 'not json', '[1]', '{"id":7,"audience":"client"}'].join(
        '\n',
      ),
    );
    const lines = ws.json('enforce', 'dry-run', '-u', 'bad.jsonl');
    expect(
      (lines.body['error'] as { issues: { path: string }[] }).issues.map((i) => i.path),
    ).toEqual(['line 2', 'line 3', 'line 4']);
    ws.write('cols.csv', 'user,audience\nu_1,client\n');
    const cols = ws.run('enforce', 'dry-run', '-u', 'cols.csv');
    expect(cols.code).toBe(4);
    expect(cols.stderr).toContain('line 1: missing column(s): id');
  });

  it('usage errors are exit 2: no --users, an unreadable file, an unknown audience to force', () => {
    expect(ws.run('enforce', 'dry-run').code).toBe(2);
    const missing = ws.json('enforce', 'dry-run', '-u', 'nowhere.csv');
    expect(missing).toMatchObject({ code: 2, body: { error: { code: 'USERS_FILE_UNREADABLE' } } });
    const unknown = ws.json('enforce', 'dry-run', '-u', 'users.csv', '--force', 'nobody');
    expect(unknown).toMatchObject({ code: 2, body: { error: { code: 'UNKNOWN_AUDIENCE' } } });
  });

  it('on a terminal a progress bar counts the users; not without one, nor with --json', () => {
    const bar = runOnTerminal(ws, 'enforce', 'dry-run', '-u', 'users.csv');
    expect(bar.code).toBe(0);
    expect(bar.screen).toMatch(/100% \| 30\/30 users/);
    expect(ws.run('enforce', 'dry-run', '-u', 'users.csv').stderr).toBe('');
    const json = runOnTerminal(ws, '--json', 'enforce', 'dry-run', '-u', 'users.csv');
    expect(JSON.parse(json.screen)).toMatchObject({ ok: true, command: 'enforce dry-run' });
  });
});
