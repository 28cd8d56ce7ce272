// Guards the CA seam for @duosecurity/duo_universal: fails loudly if an SDK upgrade moves the
// private pinned axios instance the seam replaces (DESIGN.md: one explicit, tested seam).
import https from 'node:https';
import { Client, constants } from '@duosecurity/duo_universal';
import { describe, expect, it } from 'vitest';
import { DuoSdkSeamError, trustCaForDuoClient } from './support/duo-sdk-ca-seam.js';

const options = {
  clientId: 'DIAAAAAAAAAAAAAAAAAA',
  clientSecret: 'a'.repeat(40),
  apiHost: '127.0.0.1:1',
  redirectUrl: 'https://app.example/cb',
};
type AxiosView = {
  defaults: {
    baseURL: string;
    httpsAgent: https.Agent & { options: { ca?: unknown } };
    httpAgent: unknown;
  };
};
const axiosOf = (c: Client): AxiosView => (c as unknown as { axios: AxiosView }).axios;

describe('Duo SDK CA seam', () => {
  it('the SDK still keeps a pinned axios instance in the private `axios` field', () => {
    const client = new Client(options);
    const ax = axiosOf(client);
    expect(
      ax,
      'SDK upgrade moved the private `axios` field: update test/support/duo-sdk-ca-seam.ts',
    ).toBeDefined();
    expect(ax.defaults.httpsAgent).toBeInstanceOf(https.Agent);
    expect(ax.defaults.httpsAgent.options.ca).toBe(constants.DUO_PINNED_CERT);
  });

  it('replaces it with an instance that trusts only the given CA and keeps baseURL and the HTTP guard', () => {
    const client = new Client(options);
    const before = axiosOf(client);
    trustCaForDuoClient(client, 'CA-PEM');
    const after = axiosOf(client);
    expect(after).not.toBe(before);
    expect(after.defaults.httpsAgent.options.ca).toBe('CA-PEM');
    expect(after.defaults.baseURL).toBe('https://127.0.0.1:1');
    expect(after.defaults.httpAgent).toBeInstanceOf(Error);
    // The original client's pinning is untouched for every other client.
    expect(axiosOf(new Client(options)).defaults.httpsAgent.options.ca).toBe(
      constants.DUO_PINNED_CERT,
    );
  });

  it('throws a typed error instead of silently continuing when the field is gone', () => {
    const client = new Client(options);
    delete (client as unknown as { axios?: unknown }).axios;
    expect(() => trustCaForDuoClient(client, 'CA-PEM')).toThrow(DuoSdkSeamError);
  });
});
