/**
 * Settings validation (CF-02; RFC 4226 §4 R6; RFC 6238 §5.1, §5.2) and the admin-form
 * schema: every field labelled, with help; bad values refused at start-up with their path.
 */
import { ConfigValidationError, configJsonSchema, validateAgainstSchema } from '@factorkit/core';
import { createHarness } from '@factorkit/core/testing';
import { describe, expect, it } from 'vitest';
import { TotpProvider } from '../src/totp-provider.js';
import { DEFAULT_SECRET_SIZE, TotpSettings, secretSizeOf } from '../src/settings.js';

function issues(plain: unknown): string[] {
  return validateAgainstSchema(TotpSettings, plain, 'totp').issues.map(
    (i) => `${i.path}: ${i.message}`,
  );
}

describe('TOTP settings', () => {
  it('defaults: SHA1, 6 digits, 30 s, window 1 back and 0 forward, secret size by algorithm', () => {
    const { value, issues: found } = validateAgainstSchema(TotpSettings, {}, 'totp');
    expect(found).toEqual([]);
    expect(value).toMatchObject({
      issuer: 'factorkit',
      digits: 6,
      period: 30,
      algorithm: 'SHA1',
      window: 1,
      futureWindow: 0,
      allowSecretImport: false,
    });
    expect(secretSizeOf(value)).toBe(20);
    expect(DEFAULT_SECRET_SIZE).toEqual({ SHA1: 20, SHA256: 32, SHA512: 64 });
    expect(
      secretSizeOf(validateAgainstSchema(TotpSettings, { algorithm: 'SHA256' }, 'totp').value),
    ).toBe(32);
    expect(
      secretSizeOf(validateAgainstSchema(TotpSettings, { algorithm: 'SHA512' }, 'totp').value),
    ).toBe(64);
    expect(
      secretSizeOf(
        validateAgainstSchema(TotpSettings, { algorithm: 'SHA512', secretSize: 16 }, 'totp').value,
      ),
    ).toBe(16);
  });

  it('every valid combination passes', () => {
    for (const digits of [6, 8])
      for (const period of [30, 60])
        for (const algorithm of ['SHA1', 'SHA256', 'SHA512'])
          for (const window of [0, 1, 2])
            expect(
              issues({ digits, period, algorithm, window, futureWindow: 1, secretSize: 128 }),
            ).toEqual([]);
  });

  const bad: [Record<string, unknown>, string][] = [
    [{ digits: 7 }, 'totp.digits: must be 6 or 8'],
    [{ digits: '6' }, 'totp.digits: must be 6 or 8'], // no implicit conversion (ASVS 15.3.5)
    [{ period: 45 }, 'totp.period: must be 30 or 60'],
    [{ algorithm: 'MD5' }, 'totp.algorithm: must be SHA1, SHA256 or SHA512'],
    [{ algorithm: 'sha1' }, 'totp.algorithm: must be SHA1, SHA256 or SHA512'],
    [{ window: 3 }, 'totp.window: must be 0, 1 or 2'],
    [{ window: -1 }, 'totp.window: must be 0, 1 or 2'],
    [{ window: 1.5 }, 'totp.window: must be 0, 1 or 2'],
    [{ futureWindow: 2 }, 'totp.futureWindow: must be 0 or 1'],
    [{ secretSize: 15 }, 'totp.secretSize: must be at least 16 (128 bits, RFC 4226 §4 R6)'],
    [{ secretSize: 129 }, 'totp.secretSize: must be at most 128'],
    [{ secretSize: 20.5 }, 'totp.secretSize: must be a whole number of bytes'],
    [{ issuer: 'Evil:Corp' }, 'totp.issuer: must not contain a colon or control characters'],
    [{ issuer: 'line\nbreak' }, 'totp.issuer: must not contain a colon or control characters'],
    [{ issuer: '' }, 'totp.issuer: must be 1 to 64 characters'],
    [{ issuer: 'x'.repeat(65) }, 'totp.issuer: must be 1 to 64 characters'],
    [{ allowSecretImport: 'yes' }, 'totp.allowSecretImport: must be true or false'],
    [{ skew: 1 }, 'totp.skew: is not a known setting'],
  ];
  for (const [plain, message] of bad) {
    it(`refuses ${JSON.stringify(plain)} with "${message}"`, () => {
      expect(issues(plain)).toContain(message);
    });
  }

  it('a deployment with bad TOTP settings does not start: ConfigValidationError naming each field', () => {
    let err: unknown;
    try {
      createHarness({ providers: [TotpProvider], settings: { totp: { digits: 7, window: 5 } } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigValidationError);
    expect((err as ConfigValidationError).issues).toEqual(
      expect.arrayContaining([
        { path: 'providers.totp.settings.digits', message: 'must be 6 or 8' },
        { path: 'providers.totp.settings.window', message: 'must be 0, 1 or 2' },
      ]),
    );
  });

  it('the JSON Schema gives every field a label and help, and defaults where they are fixed', () => {
    const schema = configJsonSchema(TotpSettings);
    const props = schema['properties'] as Record<string, Record<string, unknown>>;
    expect(Object.keys(props).sort()).toEqual([
      'algorithm',
      'allowSecretImport',
      'digits',
      'futureWindow',
      'issuer',
      'period',
      'secretSize',
      'window',
    ]);
    for (const [name, prop] of Object.entries(props)) {
      expect(typeof prop['title'], name).toBe('string');
      expect(String(prop['description']).length, name).toBeGreaterThan(10);
    }
    expect(props['digits']!['default']).toBe(6);
    expect(props['window']!['default']).toBe(1);
    expect(props['secretSize']!['default']).toBeUndefined();
  });
});
