/**
 * Reading a provider's settings form back (no browser): what each control turns into, checked
 * against core's own loader where it matters. Secrets are write-only (an empty field keeps the
 * stored one, "clear" removes it); an untouched form changes nothing; a mistyped number and a
 * reserved map key reach core's rules and come back as issues (CF-01, CF-02).
 */
import { ProviderRegistry, loadDeploymentConfig, ConfigValidationError } from '@factorkit/core';
import { DuoSettings, DuoProvider } from '@factorkit/provider-duo';
import { TotpSettings, TotpProvider } from '@factorkit/provider-totp';
import { WebauthnSettings } from '@factorkit/provider-webauthn';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { displayValues, formFields, readSettings } from '../src/admin/two-factor/schema-form.js';
import { changedPaths } from '../src/admin/two-factor/document-edit.js';

/** The body a browser posts for the form as displayed, with `changes` typed over it. */
function postedAsShown(
  settingsClass: new () => object,
  stored: Record<string, unknown>,
  changes: Record<string, string> = {},
): Record<string, unknown> {
  const values = displayValues(formFields(settingsClass), stored);
  const body: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(values)) {
    if (v === true) body[`s.${k}`] = 'on';
    else if (typeof v === 'string') body[`s.${k}`] = v;
  }
  for (const [k, v] of Object.entries(changes)) body[k] = v;
  return body;
}

function issuesOf(providers: Record<string, unknown>): { path: string; message: string }[] {
  const registry = new ProviderRegistry();
  registry.register(TotpProvider);
  registry.register(DuoProvider);
  try {
    loadDeploymentConfig(
      {
        providers,
        policy: { audiences: { client: {}, admin: {} } },
        encryption: { activeKeyId: 'k1', keys: { k1: randomBytes(32).toString('base64') } },
      },
      registry,
    );
    return [];
  } catch (err) {
    if (err instanceof ConfigValidationError) return [...err.issues];
    throw err;
  }
}

const DUO_STORED = {
  version: 'universal',
  clientId: 'DIWJ8X6AEYOR5OMC6TQ1',
  clientSecret: 'x'.repeat(40),
  apiHost: 'api-1a2b3c4d.duosecurity.com',
  redirectUrl: 'https://portal.example.com/2fa/callback/duo',
  usernameTemplate: { admin: '{email}:{email}:{licenseKey}', '*': '{email}' },
};

describe('the settings form read back', () => {
  it('maps the schema to controls: enum select, boolean, number, list, map, write-only secret', () => {
    const kinds = Object.fromEntries(formFields(DuoSettings).map((f) => [f.name, f.kind]));
    expect(kinds).toMatchObject({
      version: 'enum',
      allowCustomApiHost: 'boolean',
      requestTimeoutMs: 'number',
      usernameTemplate: 'map',
      clientSecret: 'secret',
      secretKey: 'secret',
      apiHost: 'text',
    });
    const webauthn = formFields(WebauthnSettings);
    expect(webauthn.find((f) => f.name === 'origins')?.kind).toBe('list');
    expect(webauthn.find((f) => f.name === 'algorithms')?.numericItems).toBe(true);
    // A secret never has a value to show.
    expect(displayValues(formFields(DuoSettings), DUO_STORED)).not.toHaveProperty('clientSecret');
  });

  it('an untouched form changes nothing (defaults stay out of the document)', () => {
    const { settings, problems } = readSettings(
      formFields(DuoSettings),
      DUO_STORED,
      postedAsShown(DuoSettings, DUO_STORED),
    );
    expect(problems).toEqual({});
    expect(changedPaths(DUO_STORED, settings)).toEqual([]);
  });

  it('an empty secret keeps the stored one, a typed one replaces it, "clear" removes it', () => {
    const fields = formFields(DuoSettings);
    const empty = readSettings(fields, DUO_STORED, postedAsShown(DuoSettings, DUO_STORED));
    expect(empty.settings['clientSecret']).toBe('x'.repeat(40));
    const typed = readSettings(
      fields,
      DUO_STORED,
      postedAsShown(DuoSettings, DUO_STORED, { 's.clientSecret': 'y'.repeat(40) }),
    );
    expect(typed.settings['clientSecret']).toBe('y'.repeat(40));
    const cleared = readSettings(
      fields,
      DUO_STORED,
      postedAsShown(DuoSettings, DUO_STORED, { 's.clientSecret.clear': 'on' }),
    );
    expect(cleared.settings).not.toHaveProperty('clientSecret');
    expect(
      issuesOf({ duo: { enabled: true, audiences: ['client'], settings: cleared.settings } }),
    ).toEqual([
      {
        path: 'providers.duo.settings.clientSecret',
        message: expect.stringMatching(/required/) as string,
      },
    ]);
  });

  it('CF-02: a mistyped number goes on as typed and core names the field', () => {
    const { settings } = readSettings(
      formFields(TotpSettings),
      {},
      postedAsShown(TotpSettings, {}, { 's.window': 'two', 's.digits': '5' }),
    );
    expect(settings).toMatchObject({ window: 'two', digits: 5 });
    const paths = issuesOf({ totp: { enabled: true, audiences: ['client'], settings } }).map(
      (i) => i.path,
    );
    expect([...new Set(paths)].sort()).toEqual([
      'providers.totp.settings.digits',
      'providers.totp.settings.window',
    ]);
  });

  it('a map line without "=" is a problem of that field; a "__proto__" key is refused by core, not dropped', () => {
    const fields = formFields(DuoSettings);
    const bad = readSettings(
      fields,
      DUO_STORED,
      postedAsShown(DuoSettings, DUO_STORED, {
        's.usernameTemplate': '* = {email}\nadmin {email}',
      }),
    );
    expect(bad.problems).toEqual({ usernameTemplate: expect.stringContaining('line 2') as string });
    const proto = readSettings(
      fields,
      DUO_STORED,
      postedAsShown(DuoSettings, DUO_STORED, { 's.usernameTemplate': '__proto__ = {email}' }),
    );
    expect(Object.keys(proto.settings['usernameTemplate'] as object)).toEqual(['__proto__']);
    const issues = issuesOf({
      duo: { enabled: true, audiences: ['client'], settings: proto.settings },
    });
    expect(issues.map((i) => i.path)).toContain(
      'providers.duo.settings.usernameTemplate.__proto__',
    );
  });
});
