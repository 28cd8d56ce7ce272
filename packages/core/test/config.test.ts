import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ConfigValidationError,
  ProviderRegistry,
  configJsonSchema,
  describeConfig,
  loadDeploymentConfig,
} from '../src/index.js';
import { ClockCodeProvider, ClockCodeSettings } from './support/clock-code-provider.js';

// A fixed key that looks random (a test must not use a weak key: those are rejected).
const KEY_BYTES = createHash('sha256').update('factorkit config test key').digest();
const KEY = KEY_BYTES.toString('base64');
const SECRET = 'S'.repeat(39) + 'Z'; // 40 characters: valid
const registry = () => new ProviderRegistry().register(ClockCodeProvider);

function valid(): Record<string, unknown> {
  return {
    providers: {
      'clock-code': {
        enabled: true,
        audiences: ['client', 'admin'],
        settings: { digits: 8, apiSecret: SECRET },
      },
    },
    policy: {
      audiences: { client: { force: false }, admin: { force: true, notEnrolled: 'enroll' } },
      throttle: { maxFailures: 10 },
    },
    encryption: { activeKeyId: 'k1', keys: { k1: KEY } },
    constants: { licenseKey: 'WHMCS-LICENSE' },
  };
}

function issuesOf(fn: () => unknown): { path: string; message: string }[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigValidationError);
    const e = err as ConfigValidationError;
    expect(e.code).toBe('CONFIG_INVALID');
    return [...e.issues];
  }
  throw new Error('expected a ConfigValidationError');
}

describe('deployment config', () => {
  it('accepts a valid config and applies class defaults', () => {
    const cfg = loadDeploymentConfig(valid(), registry());
    const settings = cfg.providers['clock-code']!.settings as ClockCodeSettings;
    expect(settings).toBeInstanceOf(ClockCodeSettings);
    expect(settings.digits).toBe(8);
    expect(settings.label).toBe('Clock code');
    expect(cfg.policy.audiences['admin']!.force).toBe(true);
    expect(cfg.policy.audiences['client']!.notEnrolled).toBe('enroll');
    expect(cfg.policy.throttle.lockSeconds).toBe(900);
    expect(cfg.policy.recoveryCodes.count).toBe(10);
    expect(cfg.encryption.keys['k1']!.length).toBe(32);
    expect(cfg.constants['licenseKey']).toBe('WHMCS-LICENSE');
    expect(Object.isFrozen(cfg)).toBe(true);
  });

  it('reports every problem with its path in one error (CF-01, CF-02)', () => {
    const c = valid();
    (c['providers'] as Record<string, Record<string, unknown>>)['clock-code']!['settings'] = {
      digits: 7,
      label: '',
      colour: 'red',
    };
    (c['policy'] as Record<string, unknown>)['throttle'] = {
      maxFailures: 101,
      lockSeconds: 'long',
    };
    (c['policy'] as Record<string, unknown>)['pending'] = { ttlSeconds: 3600 };
    (c['encryption'] as Record<string, unknown>)['activeKeyId'] = 'k9';
    c['extra'] = true;
    const issues = issuesOf(() => loadDeploymentConfig(c, registry()));
    const byPath = Object.fromEntries(issues.map((i) => [i.path, i.message]));
    expect(byPath['providers.clock-code.settings.digits']).toBe('must be 6 or 8');
    expect(byPath['providers.clock-code.settings.label']).toMatch(/longer than or equal to 1/);
    expect(byPath['providers.clock-code.settings.colour']).toBe('is not a known setting');
    expect(byPath['policy.throttle.maxFailures']).toMatch(/100.*NIST/);
    expect(byPath['policy.throttle.lockSeconds']).toBeDefined();
    expect(byPath['policy.pending.ttlSeconds']).toMatch(/600/);
    expect(byPath['encryption.activeKeyId']).toBe('must name one of encryption.keys');
    expect(byPath['extra']).toBe('is not a known setting');
    expect(issues.length).toBeGreaterThanOrEqual(8);
  });

  it('formats the error message as one line per path', () => {
    const c = valid();
    (c['providers'] as Record<string, Record<string, unknown>>)['clock-code']!['settings'] = {
      digits: 7,
    };
    try {
      loadDeploymentConfig(c, registry());
      expect.unreachable();
    } catch (err) {
      expect((err as Error).message).toContain(
        'providers.clock-code.settings.digits: must be 6 or 8',
      );
    }
  });

  it('never echoes a secret value, even when the secret itself is invalid (SS-05)', () => {
    const leaked = 'hunter2-this-secret-must-not-leak';
    const c = valid();
    (c['providers'] as Record<string, Record<string, unknown>>)['clock-code']!['settings'] = {
      apiSecret: leaked,
      digits: 9,
    };
    (c['encryption'] as Record<string, unknown>)['keys'] = {
      k1: 'not base64 at all but secret-ish ' + leaked,
    };
    let thrown: unknown;
    try {
      loadDeploymentConfig(c, registry());
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ConfigValidationError);
    const text = JSON.stringify({
      m: (thrown as Error).message,
      i: (thrown as ConfigValidationError).issues,
      d: (thrown as ConfigValidationError).details,
    });
    expect(text).toContain('providers.clock-code.settings.apiSecret');
    expect(text).toContain('encryption.keys.k1');
    expect(text).not.toContain('hunter2');
  });

  it('rejects unknown keys at every level', () => {
    const c = valid();
    (c['policy'] as Record<string, unknown>)['audiences'] = {
      client: { force: false, forse: true },
    };
    (c['providers'] as Record<string, Record<string, unknown>>)['clock-code']!['audiences'] = [
      'client',
    ];
    (c['providers'] as Record<string, Record<string, unknown>>)['clock-code']!['enabeld'] = true;
    (c['encryption'] as Record<string, unknown>)['algorithm'] = 'des';
    const paths = issuesOf(() => loadDeploymentConfig(c, registry())).map((i) => i.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'policy.audiences.client.forse',
        'providers.clock-code.enabeld',
        'encryption.algorithm',
      ]),
    );
  });

  it('does no implicit type conversion (ASVS 15.3.5)', () => {
    const c = valid();
    (c['providers'] as Record<string, Record<string, unknown>>)['clock-code']!['settings'] = {
      digits: '6',
    };
    (c['policy'] as Record<string, unknown>)['audiences'] = { client: { force: 'true' } };
    const paths = issuesOf(() => loadDeploymentConfig(c, registry())).map((i) => i.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'providers.clock-code.settings.digits',
        'policy.audiences.client.force',
      ]),
    );
  });

  it('checks cross-references: audiences, allowed providers, registered providers, keys', () => {
    const c = valid();
    c['providers'] = {
      'clock-code': { audiences: ['client', 'staff'] },
      duo: { enabled: true, settings: {} },
      legacy: { enabled: false, settings: { anything: 'kept, not validated' } },
    };
    (c['policy'] as Record<string, unknown>)['audiences'] = {
      client: { providers: ['clock-code', 'webauthn'] },
    };
    (c['encryption'] as Record<string, unknown>)['keys'] = {
      k1: Buffer.alloc(16).toString('base64'),
      'bad id!': KEY,
    };
    const issues = issuesOf(() => loadDeploymentConfig(c, registry()));
    const text = issues.map((i) => `${i.path}: ${i.message}`).join('\n');
    expect(text).toContain(
      'providers.clock-code.audiences: "staff" is not an audience in policy.audiences',
    );
    expect(text).toContain(
      'providers.duo: no provider with id "duo" is registered (registered: clock-code)',
    );
    expect(text).toContain(
      'policy.audiences.client.providers: "webauthn" is not configured under providers',
    );
    expect(text).toContain(
      'encryption.keys.k1: must decode to exactly 32 bytes for AES-256-GCM (it decodes to 16)',
    );
    expect(text).toContain('encryption.keys.bad id!: key ids are');
    expect(text).not.toContain('providers.legacy');
  });

  it('resolves {"$env": NAME} references and reports missing variables by path (ASVS 13.3.1)', () => {
    const c = valid();
    (c['encryption'] as Record<string, unknown>)['keys'] = { k1: { $env: 'FK_TEST_KEY' } };
    const cfg = loadDeploymentConfig(c, registry(), { env: { FK_TEST_KEY: KEY } });
    expect(cfg.encryption.keys['k1']!.equals(KEY_BYTES)).toBe(true);
    const issues = issuesOf(() => loadDeploymentConfig(c, registry(), { env: {} }));
    expect(issues).toContainEqual({
      path: 'encryption.keys.k1',
      message: 'environment variable FK_TEST_KEY is not set',
    });
  });

  it('loads from a JSON file, and reports an unreadable or invalid file without its content', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fk-config-'));
    const good = join(dir, 'good.json');
    const fromEnv = valid();
    (fromEnv['encryption'] as Record<string, unknown>)['keys'] = { k1: { $env: 'FK_FILE_KEY' } };
    (fromEnv['providers'] as Record<string, Record<string, unknown>>)['clock-code']!['settings'] = {
      apiSecret: { $env: 'FK_FILE_SECRET' },
    };
    writeFileSync(good, JSON.stringify(fromEnv));
    const env = { FK_FILE_KEY: KEY, FK_FILE_SECRET: SECRET };
    expect(loadDeploymentConfig(good, registry(), { env }).providers['clock-code']!.enabled).toBe(
      true,
    );
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"encryption": {"keys": {"k1": "secret-value"}');
    const issues = issuesOf(() => loadDeploymentConfig(bad, registry()));
    expect(issues).toEqual([{ path: '(file)', message: 'the config file is not valid JSON' }]);
    expect(
      issuesOf(() => loadDeploymentConfig(join(dir, 'missing.json'), registry()))[0]!.message,
    ).toBe('the config file cannot be read');
  });

  it('CF-03: a config file may not hold literal secrets, unless explicitly allowed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fk-config-'));
    const literal = join(dir, 'literal.json');
    writeFileSync(literal, JSON.stringify(valid()));
    const paths = issuesOf(() => loadDeploymentConfig(literal, registry())).map((i) => i.path);
    expect(paths).toEqual(['providers.clock-code.settings.apiSecret', 'encryption.keys.k1']);
    expect(
      loadDeploymentConfig(literal, registry(), { allowLiteralSecrets: true }).encryption
        .activeKeyId,
    ).toBe('k1');
    // an object built in code is the host's business
    expect(loadDeploymentConfig(valid(), registry()).encryption.activeKeyId).toBe('k1');
  });

  it('rejects weak keys and prototype names (CF-01, ASVS 15.3.5)', () => {
    const c = valid();
    (c['encryption'] as Record<string, unknown>)['keys'] = {
      k1: Buffer.alloc(32, 7).toString('base64'),
      k2: KEY,
    };
    (c['encryption'] as Record<string, unknown>)['activeKeyId'] = 'toString';
    const issues = issuesOf(() => loadDeploymentConfig(c, registry()));
    expect(issues).toContainEqual({
      path: 'encryption.keys.k1',
      message: 'is not random (too few distinct bytes): generate a new key',
    });
    expect(issues).toContainEqual({
      path: 'encryption.activeKeyId',
      message: 'must name one of encryption.keys',
    });
    const proto = JSON.parse(
      `{"providers":{"__proto__":{"enabled":false}},"policy":{"audiences":{"__proto__":{},"client":{}}},"encryption":{"activeKeyId":"__proto__","keys":{"__proto__":"${KEY}"}}}`,
    ) as unknown;
    const paths = issuesOf(() => loadDeploymentConfig(proto, registry())).map((i) => i.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'providers.__proto__',
        'policy.audiences.__proto__',
        'encryption.keys.__proto__',
        'encryption.activeKeyId',
      ]),
    );
  });

  it('requires an encryption key ring', () => {
    const c = valid();
    delete c['encryption'];
    expect(issuesOf(() => loadDeploymentConfig(c, registry())).map((i) => i.path)).toContain(
      'encryption',
    );
  });

  it('exports a provider schema as JSON Schema for admin forms, secrets write-only with no default', () => {
    const schema = configJsonSchema(ClockCodeSettings);
    const props = schema['properties'] as Record<string, Record<string, unknown>>;
    expect(schema['additionalProperties']).toBe(false);
    expect(props['digits']).toMatchObject({ title: 'Digits', default: 6, enum: [6, 8] });
    expect(props['apiSecret']).toMatchObject({
      title: 'API secret',
      description: 'A pretend remote-service secret.',
      writeOnly: true,
      'x-secret': true,
    });
    expect(props['apiSecret']!['default']).toBeUndefined();
    // fields with a default may be omitted; only default-less, non-optional fields are required
    expect(schema['required']).toBeUndefined();
    expect(
      describeConfig(
        ClockCodeSettings,
        Object.assign(new ClockCodeSettings(), { apiSecret: SECRET }),
      ),
    ).toEqual({
      label: 'Clock code',
      digits: 6,
      apiSecret: '********',
    });
  });
});

describe('provider schemas without fields', () => {
  class NoSettings {}
  it('accept an empty settings object and reject any key', async () => {
    const { validateAgainstSchema } = await import('../src/index.js');
    expect(validateAgainstSchema(NoSettings, {}, 'providers.x.settings').issues).toEqual([]);
    expect(validateAgainstSchema(NoSettings, { a: 1 }, 'providers.x.settings').issues).toEqual([
      { path: 'providers.x.settings.a', message: 'is not a known setting' },
    ]);
  });
});
