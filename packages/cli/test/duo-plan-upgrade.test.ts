/**
 * `factorkit duo plan-upgrade` run as an operator runs it, against the Duo emulator: the legacy
 * Auth API settings of the deployment file and a Web SDK application's credentials become a
 * checked plan, and no secret (the legacy Secret Key, the new Client Secret, the encryption key)
 * reaches stdout or stderr, in text or with --json, whatever the outcome (CF-06, SS-05).
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDuoEmulator, type DuoEmulator } from '@factorkit/duo-emulator';
import { BIN, deployment, workspace } from './workspace.js';

const REDIRECT = 'https://portal.example.test/2fa/duo/callback';
const NEW_SECRET_ENV = 'FK_TEST_DUO_CLIENT_SECRET';

let emu: DuoEmulator;
const ws = workspace("{ dialect: 'sqlite', filename: './data.db' }", {
  imports: ["import { DuoProvider } from '@factorkit/provider-duo';"],
  providers: '[TotpProvider, DuoProvider]',
});

beforeAll(async () => {
  emu = await startDuoEmulator();
  const duo = {
    enabled: true,
    settings: {
      version: 'legacy',
      apiHost: emu.apiHost,
      allowCustomApiHost: true,
      caPem: emu.caPem,
      integrationKey: emu.authApiApp!.ikey,
      secretKey: { $env: 'FK_TEST_DUO_LEGACY_SKEY' },
      factor: 'push',
      healthTimeoutMs: 1500,
    },
  };
  const base = deployment();
  ws.write(
    'factorkit.json',
    JSON.stringify({ ...base, providers: { ...(base.providers as object), duo } }),
  );
});
afterAll(async () => {
  await emu.stop();
  ws.cleanup();
});

/** Async, so the emulator in this process can answer the child while it runs. */
function run(secret: string | undefined, ...args: string[]) {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    FACTORKIT_CLI_TEST_KEY: ws.key,
    FK_TEST_DUO_LEGACY_SKEY: emu.authApiApp!.skey,
    NO_COLOR: '1',
  };
  if (secret !== undefined) env[NEW_SECRET_ENV] = secret;
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ws.dir, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

const plan = (...extra: string[]) => [
  'duo',
  'plan-upgrade',
  '--client-id',
  emu.webSdkApp!.clientId,
  '--client-secret-env',
  NEW_SECRET_ENV,
  '--redirect-url',
  REDIRECT,
  ...extra,
];

function expectNoSecret(out: { stdout: string; stderr: string }, newSecret: string) {
  const all = out.stdout + out.stderr;
  for (const secret of [emu.authApiApp!.skey, newSecret, emu.webSdkApp!.clientSecret, ws.key])
    expect(all).not.toContain(secret);
}

describe('factorkit duo plan-upgrade (built binary, Duo emulator)', () => {
  it('CF-06, SS-05: good credentials: ready (exit 0), the plan and a deployment snippet with the secret as an $env reference; no secret printed', async () => {
    const secret = emu.webSdkApp!.clientSecret;
    const text = await run(secret, ...plan());
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('2024-03-30');
    expect(text.stdout).toContain('Duo accepted the new credentials');
    expect(text.stdout).toContain(`"$env": "${NEW_SECRET_ENV}"`);
    expect(text.stdout.trim().split('\n').at(-1)).toBe('ready: save these settings and deploy');
    expectNoSecret(text, secret);

    const json = await run(secret, '--json', ...plan());
    expect(json.code).toBe(0);
    const body = JSON.parse(json.stdout) as { result: Record<string, unknown> };
    expect(body.result).toMatchObject({ ready: true, issues: [], health: { ok: true } });
    expect(body.result).not.toHaveProperty('settings');
    expect(body.result['proposed']).toMatchObject({
      version: 'universal',
      clientSecret: '********',
    });
    expect(body.result['deploymentSettings']).toMatchObject({
      version: 'universal',
      clientId: emu.webSdkApp!.clientId,
      redirectUrl: REDIRECT,
      clientSecret: { $env: NEW_SECRET_ENV },
    });
    expect(body.result['deploymentSettings']).not.toHaveProperty('secretKey');
    expect(body.result['deploymentSettings']).not.toHaveProperty('integrationKey');
    expectNoSecret(json, secret);
  });

  it('CF-06, SS-05: a wrong Client Secret: not ready (exit 1), Duo refused it; the wrong secret is not printed either', async () => {
    const wrong = 'w'.repeat(40);
    for (const mode of [[], ['--json']]) {
      const r = await run(wrong, ...mode, ...plan());
      expect(r.code).toBe(1);
      expect(r.stdout).toContain('refused the new credentials');
      expect(r.stdout).not.toContain('$env'); // no snippet of settings that do not work
      expectNoSecret(r, wrong);
    }
  });

  it('CF-06: invalid new settings: every problem with its path, exit 1, Duo not called; --no-check validates only', async () => {
    const before = emu.counters.count('/oauth/v1/health_check');
    const short = 'too-short-secret';
    const bad = await run(
      short,
      '--json',
      'duo',
      'plan-upgrade',
      '--client-id',
      'short',
      '--client-secret-env',
      NEW_SECRET_ENV,
      '--redirect-url',
      'http://portal.example.test/cb',
    );
    expect(bad.code).toBe(1);
    const issues = (JSON.parse(bad.stdout) as { result: { issues: { path: string }[] } }).result
      .issues;
    expect(issues.map((i) => i.path)).toEqual(
      expect.arrayContaining([
        'providers.duo.settings.clientId',
        'providers.duo.settings.clientSecret',
        'providers.duo.settings.redirectUrl',
      ]),
    );
    expectNoSecret(bad, short);
    const text = await run(
      short,
      'duo',
      'plan-upgrade',
      '--client-id',
      'short',
      '--client-secret-env',
      NEW_SECRET_ENV,
      '--redirect-url',
      'http://portal.example.test/cb',
    );
    expect(text.stdout).toContain('problem: providers.duo.settings.clientId');
    expectNoSecret(text, short);

    const unchecked = await run(emu.webSdkApp!.clientSecret, ...plan('--no-check'));
    expect(unchecked.code).toBe(0);
    expect(unchecked.stdout).toContain('Health check skipped.');
    expect(emu.counters.count('/oauth/v1/health_check')).toBe(before);
  });

  it('usage errors are exit 2: the secret variable unset, a missing option, no Duo in the deployment', async () => {
    const unset = await run(undefined, '--json', ...plan());
    expect(unset.code).toBe(2);
    expect(JSON.parse(unset.stdout)).toMatchObject({ error: { code: 'SECRET_ENV_MISSING' } });
    expect((await run('x', 'duo', 'plan-upgrade', '--client-id', 'x')).code).toBe(2);
    ws.write('no-duo.json', JSON.stringify(deployment()));
    ws.write(
      'no-duo.mjs',
      [
        "import { TotpProvider } from '@factorkit/provider-totp';",
        "export default { providers: [TotpProvider], deployment: './no-duo.json', store: { dialect: 'sqlite', filename: './data.db' } };",
      ].join('\n'),
    );
    const none = await run(emu.webSdkApp!.clientSecret, '--config', 'no-duo.mjs', ...plan());
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no providers.duo');
  });
});
