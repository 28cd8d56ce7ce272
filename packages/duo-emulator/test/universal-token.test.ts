// The Universal token endpoint and id_token are as strict as Duo (duo-protocol.md §A.5-A.6;
// DU-03/04/05, CK-03; RFC 9700 §4.2.4; OIDC Core §3.1.3.7).
import { Client } from '@duosecurity/duo_universal';
import { decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startDuoEmulator, type DuoEmulator, type TokenFault } from '../src/index.js';
import { trustCaForDuoClient } from './support/duo-sdk-ca-seam.js';
import { httpsRequest } from './support/https-client.js';
import {
  assertion,
  authorizeRaw,
  enc,
  exchange,
  getCode,
  requestJwt,
} from './support/oidc-helpers.js';

let emu: DuoEmulator;
const clock = { offsetMs: 0, nowMs: () => Date.now() + clock.offsetMs };

beforeAll(async () => {
  emu = await startDuoEmulator({
    clock,
    faults: { promptAction: 'approve' },
    users: [
      {
        username: 'alice',
        aliases: ['Alice.Smith@Example.com'],
        devices: [{}],
        email: 'alice@example.com',
      },
    ],
    webSdkApps: [
      { name: 'Main' },
      { name: 'Registered', redirectUris: ['https://registered.example/cb'] },
    ],
  });
});
afterAll(async () => emu.stop());
afterEach(async () => {
  clock.offsetMs = 0;
  await emu.faults.reset();
  await emu.faults.set({ promptAction: 'approve' });
});

describe('token endpoint (§A.5)', () => {
  it('issues an id_token with exactly the reference claims, HS512 with the client secret', async () => {
    const { code } = await getCode(emu, { nonce: 'n-0123456789abcdef' });
    const res = await exchange(emu, code);
    expect(res.status).toBe(200);
    const body = res.json<{
      id_token: string;
      access_token: string;
      expires_in: number;
      token_type: string;
    }>();
    expect(Object.keys(body).sort()).toEqual([
      'access_token',
      'expires_in',
      'id_token',
      'token_type',
    ]);
    expect(body.token_type).toBe('Bearer');
    expect(Number.isInteger(body.expires_in)).toBe(true);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(decodeProtectedHeader(body.id_token).alg).toBe('HS512');
    const { payload } = await jwtVerify(body.id_token, enc(emu.webSdkApp!.clientSecret), {
      algorithms: ['HS512'],
      issuer: `https://${emu.apiHost}/oauth/v1/token`,
      audience: emu.webSdkApp!.clientId,
    });
    expect(Object.keys(payload).sort()).toEqual(
      [
        'aud',
        'auth_context',
        'auth_result',
        'auth_time',
        'exp',
        'iat',
        'iss',
        'nbf',
        'nonce',
        'preferred_username',
        'sub',
      ].sort(),
    );
    expect(payload['nonce']).toBe('n-0123456789abcdef');
    expect(payload.exp! - (payload['auth_time'] as number)).toBe(3600);
    expect(payload.nbf).toBe(payload.iat);
  });

  it('a code is single use (RFC 9700 §4.2.4)', async () => {
    const { code } = await getCode(emu);
    expect((await exchange(emu, code)).status).toBe(200);
    const again = await exchange(emu, code);
    expect(again.status).toBe(400);
    expect(again.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('a code is tied to its redirect_uri, and the mismatch consumes it', async () => {
    const { code } = await getCode(emu);
    expect((await exchange(emu, code, 'https://app.example.test/other')).json()).toMatchObject({
      error: 'invalid_grant',
    });
    expect((await exchange(emu, code)).json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('a code is short lived (default 60 s, injected clock)', async () => {
    const { code } = await getCode(emu);
    clock.offsetMs = 61_000;
    expect((await exchange(emu, code)).json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('a code issued to another client is refused', async () => {
    const { code } = await getCode(emu);
    const other = emu.apps.list().find((a) => a.name === 'Registered')!;
    if (other.type !== 'websdk') throw new Error('expected web sdk app');
    const { SignJWT } = await import('jose');
    const now = Math.floor(Date.now() / 1000);
    const a = await new SignJWT({
      iss: other.clientId,
      sub: other.clientId,
      aud: `https://${emu.apiHost}/oauth/v1/token`,
      jti: 'j-other-1',
      exp: now + 300,
    })
      .setProtectedHeader({ alg: 'HS512' })
      .sign(enc(other.clientSecret));
    const res = await exchange(emu, code, undefined, {
      client_id: other.clientId,
      client_assertion: a,
    });
    expect(res.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('bad assertions -> invalid_client; missing params -> invalid_request; other grants -> unsupported_grant_type', async () => {
    const { code } = await getCode(emu);
    expect(
      (
        await exchange(emu, code, undefined, {
          client_assertion: await assertion(emu, '/oauth/v1/health_check'),
        })
      ).json(),
    ).toMatchObject({ error: 'invalid_client' });
    expect((await exchange(emu, code, undefined, { code: undefined })).json()).toMatchObject({
      error: 'invalid_request',
    });
    expect(
      (await exchange(emu, code, undefined, { grant_type: 'refresh_token' })).json(),
    ).toMatchObject({ error: 'unsupported_grant_type' });
    expect(
      (await exchange(emu, code, undefined, { client_assertion_type: 'bearer' })).json(),
    ).toMatchObject({ error: 'invalid_request' });
  });

  it('accepts Python-style token requests: every parameter in the query string, empty body', async () => {
    const { code } = await getCode(emu);
    const q = new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: 'https://app.example.test/cb',
      client_id: emu.webSdkApp!.clientId,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: await assertion(emu, '/oauth/v1/token'),
    });
    const res = await httpsRequest(`https://${emu.apiHost}/oauth/v1/token?${q.toString()}`, {
      ca: emu.caPem,
      method: 'POST',
    });
    expect(res.status).toBe(200);
    expect(res.json<{ token_type: string }>().token_type).toBe('Bearer');
  });

  it('accepts C#-style request JWTs (every claim a string, use_duo_code_attribute "true")', async () => {
    const res = await authorizeRaw(
      emu,
      await requestJwt(emu, {
        exp: String(Math.floor(Date.now() / 1000) + 300),
        use_duo_code_attribute: 'true',
        aud: `https://${emu.apiHost}/oauth/v1/authorize`,
      }),
    );
    expect(res.status).toBe(302);
    expect(new URL(String(res.headers['location'])).searchParams.get('duo_code')).toBeTruthy();
  });

  it('accepts a token request without client_id (Java), deriving the client from iss', async () => {
    const { code } = await getCode(emu);
    expect((await exchange(emu, code, undefined, { client_id: undefined })).status).toBe(200);
  });

  it('echoes the alias verbatim, or lower-cased with the aliasLowercase switch (DU-03, duo_universal_csharp#47)', async () => {
    const run = async () => {
      const { code } = await getCode(emu, { duo_uname: 'Alice.Smith@Example.com' });
      return decodeJwt((await exchange(emu, code)).json<{ id_token: string }>().id_token);
    };
    expect((await run())['preferred_username']).toBe('Alice.Smith@Example.com');
    await emu.faults.set({ aliasLowercase: true });
    const lowered = await run();
    expect(lowered['preferred_username']).toBe('alice.smith@example.com');
    expect(lowered['sub']).toBe('alice');
  });
});

describe('token faults break exactly the check they target in the official SDK (DU-04, DU-05, CK-03)', () => {
  const sdkLogin = async (username = 'alice') => {
    const client = new Client({
      clientId: emu.webSdkApp!.clientId,
      clientSecret: emu.webSdkApp!.clientSecret,
      apiHost: emu.apiHost,
      redirectUrl: 'https://app.example.test/cb',
    });
    trustCaForDuoClient(client, emu.caPem);
    const res = await authorizeRaw(emu, '', {});
    expect(res.status).toBe(400);
    const url = await client.createAuthUrl(username, client.generateState());
    const loc = new URL(String((await httpsRequest(url, { ca: emu.caPem })).headers['location']));
    return client.exchangeAuthorizationCodeFor2FAResult(
      loc.searchParams.get('duo_code')!,
      username,
    );
  };

  it.each<[TokenFault, RegExp]>([
    ['wrong_key', /Error decoding JWT/],
    ['wrong_iss', /Error decoding JWT/],
    ['wrong_aud', /Error decoding JWT/],
    ['alg_hs256', /Error decoding JWT/],
    ['expired', /Error decoding JWT/],
    ['wrong_preferred_username', /The username is invalid/],
  ])('%s -> SDK rejects the token', async (fault, message) => {
    await emu.faults.set({ tokenFault: fault });
    await expect(sdkLogin()).rejects.toThrow(message);
  });

  it('auth_result_deny: the SDK accepts the token, so the caller must check auth_result (DU-05)', async () => {
    await emu.faults.set({ tokenFault: 'auth_result_deny' });
    const token = await sdkLogin();
    expect(token.auth_result.result).toBe('deny');
  });

  it('clock skew moves iat/nbf/exp by exactly the skew; the SDK takes 45 s, and refuses 90 s through nbf (CK-03)', async () => {
    await emu.faults.set({ clockSkewSec: 45 });
    const token = await sdkLogin();
    const now = Date.now() / 1000;
    expect(token.iat - now).toBeGreaterThan(40);
    expect(token.iat - now).toBeLessThan(50);
    expect((token as { nbf?: unknown }).nbf).toBe(token.iat); // the SDK type omits nbf
    expect(token.exp - token.auth_time).toBe(3600);
    // jose (inside the SDK) checks exp and nbf with its 60 s tolerance but never iat: a token
    // from a Duo 90 s ahead is refused only because Duo also sends nbf. The provider keeps its own
    // iat check for CK-03 (expiry is covered by 'expired').
    await emu.faults.set({ clockSkewSec: 90 });
    await expect(sdkLogin()).rejects.toThrow(/Error decoding JWT/);
  });
});
