// The official Universal SDK configured as for real Duo, an API hostname without a port
// (`apiHost: '127.0.0.1'`), against an emulator on 443: the SDK's `Host` header then has no port,
// which RFC 9110 §7.2 (and §4.2.3, the default port of https) makes the same authority as
// `127.0.0.1:443`. Every other part (client assertion `aud`, id_token `iss`) uses the URL the SDK
// built, without a port. Binding 443 needs privileges: without them the tests are skipped, with
// the reason (DU-04: the SDK verifies the token).
import { Client } from '@duosecurity/duo_universal';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import type { DuoEmulator } from '../src/index.js';
import { startOnDefaultPort } from './support/default-port.js';
import { trustCaForDuoClient } from './support/duo-sdk-ca-seam.js';
import { httpsRequest } from './support/https-client.js';

const REDIRECT = 'https://app.example.test/duo/callback';
let emu: DuoEmulator | undefined;
let skipReason = '';

beforeAll(async () => {
  // Other files need 443 too: this waits while the port is busy, and skips only where binding
  // 443 is not allowed at all.
  const started = await startOnDefaultPort({
    faults: { promptAction: 'approve' },
    users: [{ username: 'alice', devices: [{ name: 'iPhone' }] }],
  });
  if ('emu' in started) emu = started.emu;
  else skipReason = started.skip;
});
afterAll(async () => emu?.stop());

function running(ctx: TestContext): DuoEmulator {
  if (!emu) ctx.skip(skipReason);
  return emu;
}

function sdkClient(e: DuoEmulator): Client {
  const client = new Client({
    clientId: e.webSdkApp!.clientId,
    clientSecret: e.webSdkApp!.clientSecret,
    apiHost: '127.0.0.1',
    redirectUrl: REDIRECT,
  });
  trustCaForDuoClient(client, e.caPem);
  return client;
}

describe("official Universal SDK with apiHost '127.0.0.1' (no port) against an emulator on 443", () => {
  it('the emulator reports the default port', (ctx) => {
    const e = running(ctx);
    expect(e.port).toBe(443);
  });

  it('health check succeeds', async (ctx) => {
    const res = await sdkClient(running(ctx)).healthCheck();
    expect(res.stat).toBe('OK');
  });

  it('full login: auth URL without a port, scripted approval, code exchange, token verified by the SDK', async (ctx) => {
    const e = running(ctx);
    const client = sdkClient(e);
    const state = client.generateState();
    const url = await client.createAuthUrl('alice', state);
    expect(url.startsWith('https://127.0.0.1/oauth/v1/authorize?')).toBe(true);
    const res = await httpsRequest(url, { ca: e.caPem });
    expect(res.status).toBe(302);
    const cb = new URL(String(res.headers['location'])).searchParams;
    expect(cb.get('state')).toBe(state);
    const token = await client.exchangeAuthorizationCodeFor2FAResult(cb.get('duo_code')!, 'alice');
    expect(token.preferred_username).toBe('alice');
    expect(token.iss).toBe('https://127.0.0.1/oauth/v1/token');
    expect(token.auth_result.result).toBe('allow');
  });

  it('a Host naming another port is still refused (the rule is the default port only)', async (ctx) => {
    const e = running(ctx);
    const res = await httpsRequest('https://127.0.0.1/oauth/v1/health_check', {
      ca: e.caPem,
      method: 'POST',
      headers: { host: '127.0.0.1:8443' },
    });
    expect(res.json()).toMatchObject({ stat: 'FAIL', code: 40002 });
  });
});
