/**
 * Production clients keep Duo's pinned CAs and get the socket timeout the SDK lacks (OUT-03: no
 * hung sockets past our deadline), through the one seam in src/universal/ca-seam.ts.
 */
import { Client, constants as sdk } from '@duosecurity/duo_universal';
import { describe, expect, it } from 'vitest';
import { addSocketTimeout } from '../src/universal/ca-seam.js';

const make = () =>
  new Client({
    clientId: 'DIXXXXXXXXXXXXXXXXXX',
    clientSecret: 'x'.repeat(40),
    apiHost: 'api-12345678.duosecurity.com',
    redirectUrl: 'https://example.com/duo/callback',
  });

type Axiosish = {
  defaults: { timeout?: number; baseURL?: string; httpsAgent?: { options: { ca?: unknown } } };
};

describe('socket timeout on production clients', () => {
  it('adds the timeout and keeps the pinned Duo CA bundle and base URL', () => {
    const client = make();
    const before = (client as unknown as { axios: Axiosish }).axios;
    expect(before.defaults.timeout ?? 0).toBe(0);
    addSocketTimeout(client, 4321);
    const after = (client as unknown as { axios: Axiosish }).axios;
    expect(after).not.toBe(before);
    expect(after.defaults.timeout).toBe(4321);
    expect(after.defaults.baseURL).toBe(before.defaults.baseURL);
    expect(after.defaults.httpsAgent?.options.ca).toBe(sdk.DUO_PINNED_CERT);
  });

  it('fails loudly if the SDK no longer has the private field', () => {
    const client = make();
    delete (client as unknown as Record<string, unknown>)['axios'];
    expect(() => addSocketTimeout(client, 1000)).toThrow(
      /no longer keeps its pinned axios instance/,
    );
  });
});
