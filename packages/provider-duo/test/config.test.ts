// Config schema of the Duo provider (CF-01, DU-02, DU-03c, DU-06, DA-05 deadline bound),
// validated the way a deployment is: through core's loader, with paths and no secret echoed.
import {
  ProviderRegistry,
  configJsonSchema,
  loadDeploymentConfig,
  validateAgainstSchema,
} from '@factorkit/core';
import { describe, expect, it } from 'vitest';
import { DuoProvider, DuoSettings, failmodeFor } from '../src/index.js';

const CLIENT_ID = 'DIAAAAAAAAAAAAAAAAAA';
const SECRET = 'S3cr3t-' + 'q'.repeat(33); // 40 characters
const IKEY = 'DIBBBBBBBBBBBBBBBBBB';
const SKEY = 'K3y-' + 'z'.repeat(36);

const universal = {
  apiHost: 'api-1a2b3c4d.duosecurity.com',
  clientId: CLIENT_ID,
  clientSecret: SECRET,
  redirectUrl: 'https://portal.example.com/2fa/duo/callback',
};
const legacy = {
  version: 'legacy',
  apiHost: 'api-1a2b3c4d.duosecurity.com',
  integrationKey: IKEY,
  secretKey: SKEY,
  factor: 'push',
};

function issues(settings: Record<string, unknown>) {
  return validateAgainstSchema(DuoSettings, settings, 'providers.duo.settings').issues;
}
function messages(settings: Record<string, unknown>) {
  return issues(settings).map((i) => `${i.path}: ${i.message}`);
}

describe('Duo config (CF-01)', () => {
  it('valid universal and legacy settings pass; version defaults to universal, failmode to closed', () => {
    expect(issues(universal)).toEqual([]);
    expect(issues(legacy)).toEqual([]);
    const { value } = validateAgainstSchema(DuoSettings, universal, '');
    expect(value.version).toBe('universal');
    expect(failmodeFor(value, 'client')).toBe('closed');
    expect(failmodeFor(value, 'admin')).toBe('closed');
  });

  it.each([
    [
      'clientId not 20 characters',
      { ...universal, clientId: 'DI123' },
      'providers.duo.settings.clientId',
      /exactly 20/,
    ],
    [
      'clientSecret not 40 characters',
      { ...universal, clientSecret: 'short' },
      'providers.duo.settings.clientSecret',
      /exactly 40/,
    ],
    [
      'missing clientSecret',
      { ...universal, clientSecret: undefined },
      'providers.duo.settings.clientSecret',
      /required when version is 'universal'/,
    ],
    ['empty apiHost', { ...universal, apiHost: '' }, 'providers.duo.settings.apiHost', /required/],
    [
      'apiHost with a scheme',
      { ...universal, apiHost: 'https://api-1a2b3c4d.duosecurity.com' },
      'providers.duo.settings.apiHost',
      /host name/,
    ],
    [
      'apiHost not at Duo',
      { ...universal, apiHost: 'duo.evil.example' },
      'providers.duo.settings.apiHost',
      /allowCustomApiHost/,
    ],
    [
      'redirect over http',
      { ...universal, redirectUrl: 'http://portal.example.com/cb' },
      'providers.duo.settings.redirectUrl',
      /https/,
    ],
    [
      'unparsable redirect',
      { ...universal, redirectUrl: 'not a url' },
      'providers.duo.settings.redirectUrl',
      /absolute URL/,
    ],
    [
      'failmode not closed/open',
      { ...universal, failmode: { client: 'safe' } },
      'providers.duo.settings.failmode',
      /closed' or 'open/,
    ],
    [
      'unknown version',
      { ...universal, version: 'v2' },
      'providers.duo.settings.version',
      /universal' or 'legacy/,
    ],
    [
      'legacy secretKey not 40',
      { ...legacy, secretKey: 'abc' },
      'providers.duo.settings.secretKey',
      /exactly 40/,
    ],
    [
      'legacy factor unknown',
      { ...legacy, factor: 'carrier-pigeon' },
      'providers.duo.settings.factor',
      /auto, push/,
    ],
    [
      'push deadline over 10 min (DA-05)',
      { ...legacy, pushDeadlineSeconds: 900 },
      'providers.duo.settings.pushDeadlineSeconds',
      /600/,
    ],
    [
      'custom CA without the opt-in',
      { ...universal, caPem: '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----' },
      'providers.duo.settings.caPem',
      /allowCustomApiHost/,
    ],
    [
      'username template with a stray brace (DU-03c)',
      { ...universal, usernameTemplate: { '*': '{email' } },
      'providers.duo.settings.usernameTemplate',
      /placeholder/,
    ],
    [
      'username template with a control character (DU-03c)',
      { ...universal, usernameTemplate: { '*': '{email}\n' } },
      'providers.duo.settings.usernameTemplate',
      /control/,
    ],
  ])('CF-01 %s: reported with its path', (_name, settings, path, re) => {
    const found = issues(settings as Record<string, unknown>).filter((i) => i.path === path);
    expect(
      found.length,
      JSON.stringify(issues(settings as Record<string, unknown>)),
    ).toBeGreaterThan(0);
    expect(found.map((i) => i.message).join(' | ')).toMatch(re);
  });

  it('http redirect only for loopback; the emulator host only with allowCustomApiHost', () => {
    expect(issues({ ...universal, redirectUrl: 'http://localhost:3000/cb' })).toEqual([]);
    expect(issues({ ...universal, redirectUrl: 'http://127.0.0.1:3000/cb' })).toEqual([]);
    expect(issues({ ...universal, apiHost: '127.0.0.1:8443', allowCustomApiHost: true })).toEqual(
      [],
    );
  });

  it('CF-01 mixing credential sets names which version wants which fields', () => {
    const mixed = messages({ ...universal, integrationKey: IKEY, secretKey: SKEY });
    expect(mixed).toContain(
      "providers.duo.settings.integrationKey: belongs to version 'legacy', but version is 'universal', which uses clientId, clientSecret, redirectUrl and apiHost; remove integrationKey or set version to 'legacy'",
    );
    expect(
      mixed.some((m) => m.startsWith('providers.duo.settings.secretKey: belongs to version')),
    ).toBe(true);
    const other = messages({ ...legacy, clientId: CLIENT_ID });
    expect(other).toContain(
      "providers.duo.settings.clientId: belongs to version 'universal', but version is 'legacy', which uses integrationKey, secretKey, factor and apiHost; remove clientId or set version to 'universal'",
    );
  });

  it('CF-01 no message ever echoes a secret value (even a wrong-length one)', () => {
    const secretish = 'TOP-SECRET-VALUE-123';
    const all = [
      ...messages({ ...universal, clientSecret: secretish }),
      ...messages({ ...legacy, secretKey: secretish }),
      ...messages({
        ...universal,
        clientSecret: secretish,
        integrationKey: IKEY,
        secretKey: secretish,
      }),
    ];
    expect(all.length).toBeGreaterThan(0);
    for (const m of all) expect(m).not.toContain(secretish);
  });

  it('CF-01 the deployment loader fails fast with CONFIG_INVALID naming the field, never echoing the secret', () => {
    const registry = new ProviderRegistry().register(
      new DuoProvider(null as never, null as never, null as never),
    );
    let err: { code?: string; message?: string } = {};
    try {
      loadDeploymentConfig(
        {
          providers: {
            duo: { enabled: true, settings: { ...universal, clientSecret: 'leaky-secret-value' } },
          },
          encryption: {
            activeKeyId: 'k',
            keys: {
              k: Buffer.from(Array.from({ length: 32 }, (_, i) => i * 7 + 1)).toString('base64'),
            },
          },
        },
        registry,
      );
    } catch (e) {
      err = e as typeof err;
    }
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.message).toContain('providers.duo.settings.clientSecret');
    expect(err.message).not.toContain('leaky-secret-value');
  });

  it('CF-01 failmode: "*" opens other audiences but never admin; admin opens only when named', () => {
    const v = (failmode: Record<string, string>) =>
      validateAgainstSchema(DuoSettings, { ...universal, failmode }, '').value;
    expect(failmodeFor(v({ '*': 'open' }), 'client')).toBe('open');
    expect(failmodeFor(v({ '*': 'open' }), 'admin')).toBe('closed');
    expect(failmodeFor(v({ admin: 'open' }), 'admin')).toBe('open');
    expect(failmodeFor(v({ client: 'open' }), 'reseller')).toBe('closed');
  });

  it('the JSON Schema labels every field and marks both secrets write-only with no default', () => {
    const schema = configJsonSchema(DuoSettings);
    const props = schema['properties'] as Record<string, Record<string, unknown>>;
    for (const [name, p] of Object.entries(props)) expect(typeof p['title'], name).toBe('string');
    for (const s of ['clientSecret', 'secretKey']) {
      expect(props[s]?.['writeOnly']).toBe(true);
      expect(props[s]?.['default']).toBeUndefined();
    }
    expect(props['version']?.['default']).toBe('universal');
  });
});
