// The official @duosecurity/duo_universal 3.0.0 Client, end to end over real HTTPS against the
// emulator, through the one explicit CA seam (DESIGN.md "Duo"; duo-protocol.md Part E).
import { Client, DuoException } from '@duosecurity/duo_universal';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDuoEmulator, type DuoEmulator } from '../src/index.js';
import { trustCaForDuoClient } from './support/duo-sdk-ca-seam.js';
import { httpsRequest } from './support/https-client.js';

const REDIRECT = 'https://app.example.test/duo/callback';
let emu: DuoEmulator;

function sdkClient(over: Partial<{ clientId: string; clientSecret: string }> = {}): Client {
  const client = new Client({
    clientId: over.clientId ?? emu.webSdkApp!.clientId,
    clientSecret: over.clientSecret ?? emu.webSdkApp!.clientSecret,
    apiHost: emu.apiHost,
    redirectUrl: REDIRECT,
  });
  trustCaForDuoClient(client, emu.caPem);
  return client;
}

/** Follows the authorize URL once (no redirects) and returns the callback's query. */
async function authorize(url: string): Promise<URLSearchParams> {
  const res = await httpsRequest(url, { ca: emu.caPem });
  expect(res.status).toBe(302);
  const location = new URL(String(res.headers['location']));
  expect(location.origin + location.pathname).toBe(REDIRECT);
  return location.searchParams;
}

beforeAll(async () => {
  emu = await startDuoEmulator({
    users: [
      {
        username: 'alice',
        aliases: ['alice.smith@example.com'],
        devices: [{ name: 'iPhone' }],
        promptAction: 'approve',
      },
      { username: 'dave', devices: [{ name: 'Pixel' }] },
    ],
  });
});
afterAll(async () => emu.stop());

describe('official Universal SDK against the emulator (DU flow, RFC 9700 §4.2.4)', () => {
  it('health check succeeds over HTTPS with the emulator CA', async () => {
    const res = await sdkClient().healthCheck();
    expect(res.stat).toBe('OK');
    expect(Math.abs(res.response.timestamp - Date.now() / 1000)).toBeLessThan(5);
  });

  it('full login: auth URL, scripted approval, code exchange, token verified by the SDK', async () => {
    const client = sdkClient();
    const state = client.generateState();
    const url = await client.createAuthUrl('alice', state);
    expect(url.startsWith(`https://${emu.apiHost}/oauth/v1/authorize?`)).toBe(true);
    const cb = await authorize(url);
    expect(cb.get('state')).toBe(state);
    const code = cb.get('duo_code');
    expect(code).toBeTruthy();
    const token = await client.exchangeAuthorizationCodeFor2FAResult(code!, 'alice');
    expect(token.preferred_username).toBe('alice');
    expect(token.iss).toBe(`https://${emu.apiHost}/oauth/v1/token`);
    expect(token.aud).toBe(emu.webSdkApp!.clientId);
    expect(token.auth_result).toEqual({
      result: 'allow',
      status: 'allow',
      status_msg: 'Login Successful',
    });
  });

  it('the interactive prompt page: Approve is a plain form post, then the SDK exchanges the code', async () => {
    const client = sdkClient();
    const state = client.generateState();
    const page = await httpsRequest(await client.createAuthUrl('dave', state), { ca: emu.caPem });
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.headers['x-frame-options']).toBe('DENY');
    const action = /<form method="post" action="([^"]+)"/.exec(page.text)?.[1];
    expect(action).toMatch(/^\/oauth\/v1\/prompt\//);
    const answer = await httpsRequest(`https://${emu.apiHost}${action}`, {
      ca: emu.caPem,
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'decision=approve',
    });
    expect(answer.status).toBe(303);
    const cb = new URL(String(answer.headers['location'])).searchParams;
    expect(cb.get('state')).toBe(state);
    const token = await client.exchangeAuthorizationCodeFor2FAResult(cb.get('duo_code')!, 'dave');
    expect(token.preferred_username).toBe('dave');
    // The form is single use: a second post finds nothing.
    const again = await httpsRequest(`https://${emu.apiHost}${action}`, {
      ca: emu.caPem,
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'decision=approve',
    });
    expect(again.status).toBe(400);
  });

  it('a replayed code is refused with invalid_grant (RFC 9700 §4.2.4; duo_universal_php#6)', async () => {
    const client = sdkClient();
    const cb = await authorize(await client.createAuthUrl('alice', client.generateState()));
    await client.exchangeAuthorizationCodeFor2FAResult(cb.get('duo_code')!, 'alice');
    await expect(
      client.exchangeAuthorizationCodeFor2FAResult(cb.get('duo_code')!, 'alice'),
    ).rejects.toThrow(/invalid_grant/);
  });

  it('an alias logs in and preferred_username is the name the client sent (DU-03 b)', async () => {
    const client = sdkClient();
    const cb = await authorize(
      await client.createAuthUrl('alice.smith@example.com', client.generateState()),
    );
    const token = await client.exchangeAuthorizationCodeFor2FAResult(
      cb.get('duo_code')!,
      'alice.smith@example.com',
    );
    expect(token.preferred_username).toBe('alice.smith@example.com');
    expect(token.sub).toBe('alice');
    expect(token.auth_context.user.name).toBe('alice');
  });

  it('a wrong client secret fails the health check with invalid_client', async () => {
    const client = sdkClient({ clientSecret: 'x'.repeat(40) });
    await expect(client.healthCheck()).rejects.toThrow(
      'invalid_client: The provided client_assertion was invalid.',
    );
  });

  it('denial in the prompt comes back as error=access_denied, with no code', async () => {
    emu.users.update('dave', { promptAction: 'deny' });
    const client = sdkClient();
    const cb = await authorize(await client.createAuthUrl('dave', client.generateState()));
    expect(cb.get('error')).toBe('access_denied');
    expect(cb.get('duo_code')).toBeNull();
    emu.users.update('dave', { promptAction: undefined });
  });

  it('is a DuoException when the emulator is not trusted (pinning is real: the seam is needed)', async () => {
    const raw = new Client({
      clientId: emu.webSdkApp!.clientId,
      clientSecret: emu.webSdkApp!.clientSecret,
      apiHost: emu.apiHost,
      redirectUrl: REDIRECT,
    });
    const err: unknown = await raw.healthCheck().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DuoException);
    expect(String((err as Error).message)).toMatch(/certificate|self.signed|verify/i);
  });
});
