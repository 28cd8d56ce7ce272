import { afterAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { PG_PASSWORD, PG_URL, workspace } from './workspace.js';

const schema = `fk_cli_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
const targets = [
  { name: 'SQLite', store: "{ dialect: 'sqlite', filename: './data.db' }" },
  {
    name: 'PostgreSQL',
    store: `{ dialect: 'postgres', connectionString: process.env.FACTORKIT_CLI_TEST_PG, schema: '${schema}' }`,
  },
];
process.env['FACTORKIT_CLI_TEST_PG'] = PG_URL;

afterAll(async () => {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  await client.query(`drop schema if exists ${schema} cascade`);
  await client.end();
});

describe.each(targets)('factorkit against $name (built binary)', ({ store }) => {
  const ws = workspace(store);
  afterAll(() => ws.cleanup());

  it('db status before migrate lists pending migrations (exit 1); db migrate applies them; then 0', () => {
    const before = ws.json('db', 'status');
    expect(before.code).toBe(1);
    const pendingBefore = (before.body['result'] as { pending: string[] }).pending;
    expect(pendingBefore).toContain('0001_initial');
    const migrated = ws.json('db', 'migrate');
    expect(migrated.code).toBe(0);
    expect((migrated.body['result'] as { applied: string[] }).applied).toEqual(pendingBefore);
    expect(ws.json('db', 'migrate').body['result']).toEqual({ applied: [] });
    const after = ws.json('db', 'status');
    expect(after.code).toBe(0);
    expect(after.body['result']).toMatchObject({ pending: [], upToDate: true });
  });

  it('health reports each provider and exits 0 when all are healthy', () => {
    const { code, body } = ws.json('health');
    expect(code).toBe(0);
    expect(body['result']).toMatchObject({ healthy: true, providers: { totp: { healthy: true } } });
  });

  it('users status, unlock and reset of a user; a too-short reason is refused (exit 4), an unknown audience is exit 2', () => {
    const status = ws.json('users', 'status', 'u_42', '--audience', 'admin');
    expect(status.code).toBe(0);
    expect(status.body['result']).toMatchObject({
      userId: 'u_42',
      audience: 'admin',
      requirement: 'enroll', // admin is forced and u_42 has no factor
      enrollments: [],
      throttle: { failures: 0, locked: false },
    });
    const unlock = ws.json('users', 'unlock', 'u_42', '--reason', 'ticket 1234');
    expect(unlock).toEqual({
      code: 0,
      body: { ok: true, command: 'users unlock', result: { userId: 'u_42', unlocked: true } },
    });
    const reset = ws.json('users', 'reset', 'u_42', '--reason', 'lost phone, ticket 1235');
    expect(reset.code).toBe(0);
    expect(reset.body['result']).toEqual({
      userId: 'u_42',
      enrollmentsRemoved: 0,
      devicesRevoked: 0,
    });
    const short = ws.run('users', 'reset', 'u_42', '--reason', 'x');
    expect(short.code).toBe(4);
    expect(short.stderr).toContain('reason');
    const nobody = ws.run('users', 'status', 'u_42', '--audience', 'nobody');
    expect(nobody.code).toBe(2);
    expect(nobody.stderr).toContain('not in policy.audiences');
  });

  it('db purge removes by age and reports counts; a bad age is a usage error', () => {
    const { code, body } = ws.json('db', 'purge', '--older-than', '30');
    expect(code).toBe(0);
    expect(body['result']).toMatchObject({ pendingRemoved: 0, timelineRemoved: 0 });
    expect(ws.run('db', 'purge', '--older-than', 'soon').code).toBe(2);
  });

  it('CF-05: config show masks the store password and the key', () => {
    const out = ws.run('config', 'show').all;
    expect(out).not.toContain(PG_PASSWORD);
    expect(out).not.toContain(ws.key);
  });
});

describe('an unreachable database', () => {
  const ws = workspace(
    `{ dialect: 'postgres', connectionString: 'postgres://postgres:${PG_PASSWORD}@127.0.0.1:1/test' }`,
  );
  afterAll(() => ws.cleanup());

  it('is exit 3 with one clear line, no stack trace and no password', () => {
    const r = ws.run('db', 'status');
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^factorkit db status: cannot reach the store: .*ECONNREFUSED/m);
    expect(r.all).not.toMatch(/\n\s+at /);
    expect(r.all).not.toContain(PG_PASSWORD);
    const j = ws.json('health');
    expect(j.code).toBe(3);
    expect(j.body).toMatchObject({ ok: false, error: { code: 'STORE_UNAVAILABLE' } });
  });
});
