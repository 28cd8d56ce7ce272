import { afterAll, describe, expect, it } from 'vitest';
import { deployment, workspace } from './workspace.js';

const ws = workspace("{ dialect: 'sqlite', filename: './data.db' }");
afterAll(() => ws.cleanup());

describe('factorkit config and usage (built binary)', () => {
  it('--help lists the commands and exits 0; an unknown command is a usage error (2)', () => {
    const help = ws.run('--help');
    expect(help.code).toBe(0);
    for (const c of ['config', 'health', 'users', 'enforce', 'db', 'keys', 'duo'])
      expect(help.stdout).toContain(c);
    const bad = ws.run('no-such-command');
    expect(bad.code).toBe(2);
    expect(ws.run('users', 'reset', 'u1').code).toBe(2); // --reason is mandatory
  });

  it('config check: a valid deployment exits 0 with { ok, command, result } in --json', () => {
    const { code, body } = ws.json('config', 'check');
    expect(code).toBe(0);
    expect(body).toEqual({
      ok: true,
      command: 'config check',
      result: { valid: true, providers: ['totp'], audiences: ['client', 'admin'] },
    });
  });

  it('config check FILE: every problem with its path, exit 1, in text and in --json', () => {
    const bad = deployment({
      providers: { totp: { settings: { digits: 7 } } },
      policy: { audiences: { client: {} }, throttle: { maxFailures: 0 } },
    });
    ws.write('bad.json', JSON.stringify(bad));
    const text = ws.run('config', 'check', 'bad.json');
    expect(text.code).toBe(1);
    expect(text.stderr).toContain('providers.totp.settings.digits');
    expect(text.stderr).toContain('policy.throttle.maxFailures');
    expect(text.all).not.toMatch(/\n\s+at /); // no stack trace
    const { code, body } = ws.json('config', 'check', 'bad.json');
    expect(code).toBe(1);
    const error = body['error'] as { code: string; issues: { path: string }[] };
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.issues.map((i) => i.path)).toEqual(
      expect.arrayContaining(['providers.totp.settings.digits', 'policy.throttle.maxFailures']),
    );
  });

  it('CF-05: config show masks the encryption key; no command prints a secret', () => {
    const shown = ws.json('config', 'show');
    expect(shown.code).toBe(0);
    const result = shown.body['result'] as { encryption: { keys: Record<string, string> } };
    expect(result.encryption.keys).toEqual({ k1: '********' });
    const outputs = [
      ws.run('config', 'show').all,
      JSON.stringify(shown.body),
      ws.run('config', 'check').all,
      ws.run('config', 'schema', 'totp').all,
      ws.run('health').all,
    ];
    const hex = Buffer.from(ws.key, 'base64').toString('hex');
    for (const out of outputs) {
      expect(out).not.toContain(ws.key);
      expect(out).not.toContain(hex);
    }
  });

  it('config schema PROVIDER prints its JSON Schema; an unknown provider is exit 2', () => {
    const { code, body } = ws.json('config', 'schema', 'totp');
    expect(code).toBe(0);
    const schema = body['result'] as {
      properties: Record<string, unknown>;
      additionalProperties: boolean;
    };
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['issuer', 'digits']));
    expect(schema.additionalProperties).toBe(false);
    const unknown = ws.run('config', 'schema', 'nope');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('registered: totp');
  });

  it('a missing or broken config module is exit 3 with a clear message', () => {
    const missing = ws.run('--config', 'absent.mjs', 'config', 'check');
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain('config file not found');
    ws.write('broken.mjs', 'export default {');
    const broken = ws.run('--config', 'broken.mjs', 'health');
    expect(broken.code).toBe(3);
    expect(broken.stderr).toContain('cannot load');
    expect(broken.all).not.toMatch(/\n\s+at /);
    ws.write('typed.ts', 'export default {}');
    expect(ws.run('--config', 'typed.ts', 'health').stderr).toContain('factorkit.config.mjs');
  });
});
