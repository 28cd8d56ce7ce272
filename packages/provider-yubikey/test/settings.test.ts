/** Configuration that must fail at start-up (YK-11, YK-03) and the JSON Schema it exposes. */
import { Logger, configJsonSchema } from '@factorkit/core';
import { createHarness, testUser } from '@factorkit/core/testing';
import { describe, expect, it } from 'vitest';
import { YubikeySettings } from '../src/settings.js';
import { YubikeyProvider } from '../src/yubikey-provider.js';
import { API_KEY, harness } from './helpers.js';

const good = {
  clientId: '1851',
  apiKey: API_KEY,
  apiUrls: ['https://api.yubico.com/wsapi/2.0/verify'],
};

describe('YubikeySettings', () => {
  it('accepts a YubiCloud configuration and fills the defaults', () => {
    const h = harness(good);
    const config = h.config.providers['yubikey']!.settings as YubikeySettings;
    expect(config.requestTimeoutMs).toBe(3000);
    expect(config.deadlineMs).toBe(8000);
    expect(config.failmode).toEqual({});
    expect(config.allowInsecureHttpForTests).toBe(false);
  });

  it.each([
    ['an http URL', { apiUrls: ['http://api.yubico.com/wsapi/2.0/verify'] }, /apiUrls.*https/],
    [
      'http to a non-loopback host even with the test flag',
      { apiUrls: ['http://10.0.0.1/wsapi/2.0/verify'], allowInsecureHttpForTests: true },
      /apiUrls.*loopback/,
    ],
    ['no server', { apiUrls: [] }, /apiUrls/],
    ['a URL with a query', { apiUrls: ['https://a.example/wsapi/2.0/verify?id=1'] }, /apiUrls/],
    ['a non-numeric client id', { clientId: 'abc' }, /clientId/],
    ['client id 0', { clientId: '0' }, /clientId/],
    ['a number as client id', { clientId: 1851 }, /clientId/],
    ['a missing API key', { apiKey: undefined }, /apiKey/],
    ['a short API key', { apiKey: Buffer.alloc(8).toString('base64') }, /apiKey/],
    ['an API key that is not base64', { apiKey: 'not base64!' }, /apiKey/],
    ['a bad failmode', { failmode: { client: 'maybe' } }, /failmode/],
    ['a deadline of 0', { deadlineMs: 0 }, /deadlineMs/],
  ])('YK-11: %s fails the configuration', (_name, patch, message) => {
    const settings: Record<string, unknown> = { ...good, ...patch };
    for (const [k, value] of Object.entries(patch)) if (value === undefined) delete settings[k];
    expect(() => harness(settings)).toThrow(message);
  });

  it('YK-03: the API key is a write-only secret, never in an error message', () => {
    const schema = configJsonSchema(YubikeySettings) as {
      properties: Record<string, Record<string, unknown>>;
    };
    expect(schema.properties['apiKey']?.['writeOnly']).toBe(true);
    expect(schema.properties['apiKey']).not.toHaveProperty('default');
    const secret = 'c2hvcnQ='; // base64 of "short"
    try {
      harness({ ...good, apiKey: secret });
      expect.unreachable('a short key must fail');
    } catch (err) {
      expect(String((err as Error).message)).not.toContain(secret);
    }
  });
});

class RecordingLogger extends Logger {
  readonly warnings: string[] = [];
  debug(): void {}
  info(): void {}
  error(): void {}
  warn(message: string): void {
    this.warnings.push(message);
  }
}

it('YK-11: deprecated YubiCloud hosts (api2..api5) log a warning, api.yubico.com does not', async () => {
  for (const [host, warned] of [
    ['api2.yubico.com', true],
    ['api.yubico.com', false],
  ] as const) {
    const logger = new RecordingLogger();
    const h = createHarness({
      providers: [YubikeyProvider],
      settings: { yubikey: { ...good, apiUrls: [`https://${host}/wsapi/2.0/verify`] } },
      logger,
    });
    await h.service.beginActivation(testUser(), 'yubikey');
    expect(logger.warnings.some((m) => m.includes('deprecated YubiCloud'))).toBe(warned);
  }
});
