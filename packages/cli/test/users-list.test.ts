/**
 * `factorkit users list --no-factor` run as an operator runs it: the host's users come from the
 * config module's `listUsers` hook (paged by id), and the command names exactly those who would
 * be blocked if 2FA were forced on their audience, against SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { targets } from './targets.js';
import { runOnTerminal } from './terminal.js';
import { newSecret } from './totp-signin.js';
import { deployment, workspace } from './workspace.js';

const pair = targets('fk_cli_ulist');
afterAll(() => pair.dropSchema());

/** More than one page of the hook (500), so the keyset walk is exercised. */
const USERS = 620;
const audienceOf = (i: number) => (i % 3 === 0 ? 'admin' : i % 3 === 1 ? 'client' : 'staff');
const id = (i: number) => `u_${String(i).padStart(4, '0')}`;
/** Users 0, 5, 10, ... have a TOTP factor. */
const enrolled = (i: number) => i % 5 === 0;

const hook = [
  "import { readFileSync } from 'node:fs';",
  "const all = JSON.parse(readFileSync(new URL('./users.json', import.meta.url), 'utf8'));",
];
const listUsers =
  'listUsers: async (after, limit) => all.filter((u) => after === null || u.id > after).slice(0, limit)';

describe.each(pair.targets)('factorkit users list against $name (built binary)', (target) => {
  const ws = workspace(target.store, {
    imports: hook,
    options: [listUsers, 'countUsers: async () => all.length'],
  });
  beforeAll(() => {
    // admin forced (enroll), client not forced, staff: grace when forced.
    const audiences = { client: {}, admin: { force: true }, staff: { notEnrolled: 'grace' } };
    ws.write('factorkit.json', JSON.stringify(deployment({ policy: { audiences } })));
    const all = Array.from({ length: USERS }, (_, i) => ({ id: id(i), audience: audienceOf(i) }));
    ws.write('users.json', JSON.stringify(all));
    expect(ws.run('db', 'migrate').code).toBe(0);
    const factors = all
      .filter((_, i) => enrolled(i))
      .map((u) => `${u.id} otpauth://totp/Old:${u.id}?secret=${newSecret()}&issuer=Old`);
    ws.write('factors.txt', factors.join('\n'));
    expect(ws.run('import', 'factors.txt').code).toBe(0);
  });
  afterAll(() => ws.cleanup());

  it('--no-factor lists exactly the users without a factor, with what forcing 2FA would do to each', () => {
    const { code, body } = ws.json('users', 'list', '--no-factor');
    expect(code).toBe(0);
    const result = body['result'] as {
      walked: number;
      noFactor: boolean;
      enroll: number;
      grace: number;
      deny: number;
      users: { id: string; audience: string; ifForced: string; enrolled: boolean }[];
    };
    const expected = Array.from({ length: USERS }, (_, i) => i).filter((i) => !enrolled(i));
    expect(result.walked).toBe(USERS);
    expect(result.noFactor).toBe(true);
    expect(result.users.map((u) => u.id)).toEqual(expected.map(id));
    for (const u of result.users) {
      expect(u.enrolled).toBe(false);
      expect(u.ifForced).toBe(u.audience === 'staff' ? 'grace' : 'enroll');
    }
    const staff = expected.filter((i) => audienceOf(i) === 'staff').length;
    expect(result).toMatchObject({ enroll: expected.length - staff, grace: staff, deny: 0 });
  });

  it('--audience keeps one audience; without --no-factor every user is listed; the text ends with a summary', () => {
    const admins = ws.json('users', 'list', '--no-factor', '--audience', 'admin');
    const users = (admins.body['result'] as { users: { id: string; audience: string }[] }).users;
    const expected = Array.from({ length: USERS }, (_, i) => i).filter(
      (i) => audienceOf(i) === 'admin' && !enrolled(i),
    );
    expect(users.map((u) => u.id)).toEqual(expected.map(id));
    const all = ws.json('users', 'list').body['result'] as {
      users: { id: string; ifForced: string }[];
    };
    expect(all.users).toHaveLength(USERS);
    expect(all.users.find((u) => u.id === id(0))?.ifForced).toBe('challenge');
    const text = ws.run('users', 'list', '--no-factor', '--audience', 'admin');
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`${id(3)} (admin): enroll`);
    expect(text.stdout.trim().split('\n').at(-1)).toBe(
      `${expected.length} user(s) of audience admin of ${USERS} walked would be blocked by forcing 2FA: ${expected.length} must enroll at next sign-in, 0 in a grace period, 0 refused`,
    );
    expect(text.stderr).toBe(''); // no terminal: no progress bar
  });

  it('an unknown --audience is a usage error (2)', () => {
    const r = ws.json('users', 'list', '--no-factor', '--audience', 'nobody');
    expect(r.code).toBe(2);
    expect(r.body).toMatchObject({ ok: false, error: { code: 'UNKNOWN_AUDIENCE' } });
  });

  it('on a terminal a progress bar counts the users walked; never with --json', () => {
    const bar = runOnTerminal(ws, 'users', 'list', '--no-factor', '--audience', 'staff');
    expect(bar.code).toBe(0);
    expect(bar.screen).toMatch(new RegExp(`100% \\| ${USERS}/${USERS} users`));
    const json = runOnTerminal(ws, '--json', 'users', 'list', '--no-factor');
    expect(json.code).toBe(0);
    expect(json.screen).not.toMatch(/users \|/);
    expect(JSON.parse(json.screen)).toMatchObject({ ok: true, command: 'users list' });
  });
});

describe('factorkit users list with a missing or broken user source', () => {
  const ws = workspace("{ dialect: 'sqlite', filename: './data.db' }", {
    options: [
      // A hook that ignores `after` would make the walk endless.
      "listUsers: async () => [{ id: 'u_1', audience: 'client' }]",
    ],
  });
  beforeAll(() => {
    expect(ws.run('db', 'migrate').code).toBe(0);
    ws.write(
      'bare.mjs',
      [
        "import { TotpProvider } from '@factorkit/provider-totp';",
        "export default { providers: [TotpProvider], deployment: './factorkit.json', store: { dialect: 'sqlite', filename: './data.db' } };",
      ].join('\n'),
    );
    ws.write(
      'throws.mjs',
      [
        "import { TotpProvider } from '@factorkit/provider-totp';",
        "export default { providers: [TotpProvider], deployment: './factorkit.json', store: { dialect: 'sqlite', filename: './data.db' },",
        "  listUsers: async () => { throw new Error('directory offline') } };",
      ].join('\n'),
    );
    ws.write(
      'bad-audience.mjs',
      [
        "import { TotpProvider } from '@factorkit/provider-totp';",
        "export default { providers: [TotpProvider], deployment: './factorkit.json', store: { dialect: 'sqlite', filename: './data.db' },",
        "  listUsers: async (after) => (after === null ? [{ id: 'u_1', audience: 'Not An Audience' }] : []) };",
      ].join('\n'),
    );
  });
  afterAll(() => ws.cleanup());

  it('no listUsers hook: exit 3 naming the hook to add', () => {
    const r = ws.run('--config', 'bare.mjs', 'users', 'list', '--no-factor');
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('add listUsers(after, limit) to factorkit.config.mjs');
    const j = ws.json('--config', 'bare.mjs', 'users', 'list', '--no-factor');
    expect(j.body).toMatchObject({ ok: false, error: { code: 'USER_SOURCE_MISSING' } });
  });

  it('a hook that repeats its page, throws or returns a malformed audience: exit 3, one line, no stack trace', () => {
    const loop = ws.json('users', 'list', '--no-factor');
    expect(loop.code).toBe(3);
    expect(loop.body).toMatchObject({ error: { code: 'USER_SOURCE_INVALID' } });
    const thrown = ws.run('--config', 'throws.mjs', 'users', 'list');
    expect(thrown.code).toBe(3);
    expect(thrown.stderr).toBe('factorkit users list: listUsers failed: directory offline\n');
    const malformed = ws.json('--config', 'bad-audience.mjs', 'users', 'list');
    expect(malformed.code).toBe(3);
    expect(malformed.body).toMatchObject({
      error: { code: 'USER_SOURCE_INVALID', message: expect.stringContaining('u_1') as unknown },
    });
  });
});
