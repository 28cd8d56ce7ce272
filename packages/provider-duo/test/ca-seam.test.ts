// The one seam into @duosecurity/duo_universal internals (src/universal/ca-seam.ts). These tests
// fail loudly when an SDK upgrade moves or reshapes the private field the seam replaces, and
// prove the seam changes nothing global and never turns TLS verification off (DESIGN.md, Duo).
import https from 'node:https';
import { Client, constants } from '@duosecurity/duo_universal';
import { describe, expect, it } from 'vitest';
import {
  SDK_PRIVATE_AXIOS_FIELD,
  SEAM_SDK_VERSION,
  looksLikePinnedSdkAxios,
  trustCustomCa,
} from '../src/index.js';
import { startEmulator } from './support/duo-test-kit.js';

const options = {
  clientId: 'DIAAAAAAAAAAAAAAAAAA',
  clientSecret: 'b'.repeat(40),
  apiHost: '127.0.0.1:9',
  redirectUrl: 'https://portal.example.test/cb',
};
type View = {
  defaults: {
    baseURL: string;
    timeout?: number;
    httpAgent: unknown;
    httpsAgent: https.Agent & { options: { ca?: unknown; rejectUnauthorized?: unknown } };
  };
};
const axiosOf = (c: Client) => (c as unknown as Record<string, View>)[SDK_PRIVATE_AXIOS_FIELD]!;

describe('Duo SDK CA seam', () => {
  it(`the installed SDK is the version the seam was written for (${SEAM_SDK_VERSION}); on upgrade, re-check the seam`, () => {
    // The SDK reports its version in its User-Agent constant (package.json is not exported).
    const version = /duo_universal_node\/([0-9.]+)/.exec(constants.USER_AGENT)?.[1];
    expect(
      version,
      'SDK upgraded: re-read dist/index.mjs and update src/universal/ca-seam.ts',
    ).toBe(SEAM_SDK_VERSION);
  });

  it('the SDK still pins Duo’s CA bundle in the private axios instance the seam relies on', () => {
    const client = new Client(options);
    const ax = axiosOf(client);
    expect(ax, `SDK moved the private "${SDK_PRIVATE_AXIOS_FIELD}" field`).toBeDefined();
    expect(looksLikePinnedSdkAxios(ax)).toBe(true);
    expect(ax.defaults.httpsAgent.options.ca).toBe(constants.DUO_PINNED_CERT);
    expect(ax.defaults.httpAgent).toBeInstanceOf(Error); // "HTTP disabled" guard
  });

  it('the seam trusts exactly the given CA, keeps baseURL and the HTTP guard, adds a timeout, verifies TLS', () => {
    const client = new Client(options);
    trustCustomCa(client, 'EMULATOR-CA-PEM', 1234);
    const ax = axiosOf(client);
    expect(ax.defaults.httpsAgent.options.ca).toBe('EMULATOR-CA-PEM');
    expect(ax.defaults.httpsAgent.options.rejectUnauthorized).toBe(true);
    expect(ax.defaults.baseURL).toBe('https://127.0.0.1:9');
    expect(ax.defaults.httpAgent).toBeInstanceOf(Error);
    expect(ax.defaults.timeout).toBe(1234);
    // Nothing global: a new client still pins Duo's CAs.
    expect(axiosOf(new Client(options)).defaults.httpsAgent.options.ca).toBe(
      constants.DUO_PINNED_CERT,
    );
  });

  it('a moved or reshaped field fails loudly with a typed error instead of using another trust store', () => {
    const gone = new Client(options);
    delete (gone as unknown as Record<string, unknown>)[SDK_PRIVATE_AXIOS_FIELD];
    expect(() => trustCustomCa(gone, 'CA', 1000)).toThrow(
      /no longer keeps its pinned axios instance/,
    );
    const reshaped = new Client(options);
    (reshaped as unknown as Record<string, unknown>)[SDK_PRIVATE_AXIOS_FIELD] = {
      defaults: {},
      create: () => ({}),
    };
    let code: unknown;
    try {
      trustCustomCa(reshaped, 'CA', 1000);
    } catch (e) {
      code = (e as { code?: unknown }).code;
    }
    expect(code).toBe('PROVIDER_ERROR');
  });

  it('over real HTTPS: the emulator is reachable only through the seam (pinned SDK client fails TLS)', async () => {
    const emu = await startEmulator();
    try {
      const o = {
        ...options,
        clientId: emu.webSdkApp!.clientId,
        clientSecret: emu.webSdkApp!.clientSecret,
        apiHost: emu.apiHost,
      };
      const pinned = new Client(o);
      await expect(pinned.healthCheck()).rejects.toThrow();
      const seamed = new Client(o);
      trustCustomCa(seamed, emu.caPem, 2000);
      expect((await seamed.healthCheck()).stat).toBe('OK');
    } finally {
      await emu.stop();
    }
  });
});
