// The id_token's times are Duo's (duo-protocol.md §A.6): exp counts from auth_time, and iat and
// nbf are when the token was issued; checked with a strict decoder and with the official SDK
// (DU-04, CK-03; OIDC Core §2, RFC 7519 §4.1.4-4.1.6).
import { Client } from '@duosecurity/duo_universal';
import { decodeJwt, errors, jwtVerify } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startDuoEmulator, type DuoEmulator } from '../src/index.js';
import { trustCaForDuoClient } from './support/duo-sdk-ca-seam.js';
import { httpsRequest } from './support/https-client.js';
import { enc, exchange, getCode } from './support/oidc-helpers.js';

let emu: DuoEmulator;
const clock = { offsetMs: 0, nowMs: () => Date.now() + clock.offsetMs };

beforeAll(async () => {
  emu = await startDuoEmulator({
    clock,
    faults: { promptAction: 'approve' },
    users: [{ username: 'alice', devices: [{}] }],
  });
});
afterAll(async () => emu.stop());
afterEach(() => {
  clock.offsetMs = 0;
});

/** Verifies like a strict relying party at the given instant: no leeway, every time claim required. */
const verifyAt = async (token: string, atSec: number) =>
  jwtVerify(token, enc(emu.webSdkApp!.clientSecret), {
    algorithms: ['HS512'],
    issuer: `https://${emu.apiHost}/oauth/v1/token`,
    audience: emu.webSdkApp!.clientId,
    requiredClaims: ['exp', 'iat', 'nbf', 'auth_time', 'sub', 'preferred_username'],
    currentDate: new Date(atSec * 1000),
    clockTolerance: 0,
  });

describe('id_token times (DU-04)', () => {
  it('a code exchanged 50 s after the prompt: iat = nbf = exchange time, exp = auth_time + 3600', async () => {
    const { code } = await getCode(emu);
    clock.offsetMs = 50_000; // the exchange happens 50 s after the user answered
    const res = await exchange(emu, code);
    expect(res.status).toBe(200);
    const token = res.json<{ id_token: string }>().id_token;
    const claims = decodeJwt(token);
    const authTime = claims['auth_time'] as number;
    expect(Number.isInteger(authTime)).toBe(true);
    expect(claims.iat! - authTime).toBeGreaterThanOrEqual(49);
    expect(claims.iat! - authTime).toBeLessThanOrEqual(51);
    expect(claims.nbf).toBe(claims.iat);
    expect(claims.exp).toBe(authTime + 3600);

    // A strict decoder: valid from nbf until exp, not a second longer, although iat + 3600
    // (what a token counted from the exchange would allow) is still ahead.
    await expect(verifyAt(token, claims.nbf!)).resolves.toBeTruthy();
    await expect(verifyAt(token, claims.exp! - 1)).resolves.toBeTruthy();
    await expect(verifyAt(token, claims.exp! + 1)).rejects.toBeInstanceOf(errors.JWTExpired);
    expect(claims.iat! + 3600).toBeGreaterThan(claims.exp! + 1);
    await expect(verifyAt(token, claims.nbf! - 1)).rejects.toThrow(/"nbf" claim/);
  });

  it('the official SDK accepts such a token (exchange 50 s after the prompt)', async () => {
    const client = new Client({
      clientId: emu.webSdkApp!.clientId,
      clientSecret: emu.webSdkApp!.clientSecret,
      apiHost: emu.apiHost,
      redirectUrl: 'https://app.example.test/cb',
    });
    trustCaForDuoClient(client, emu.caPem);
    clock.offsetMs = -50_000; // the prompt was answered 50 s before the SDK exchanges the code
    const url = await client.createAuthUrl('alice', client.generateState());
    const loc = new URL(String((await httpsRequest(url, { ca: emu.caPem })).headers['location']));
    clock.offsetMs = 0;
    const token = await client.exchangeAuthorizationCodeFor2FAResult(
      loc.searchParams.get('duo_code')!,
      'alice',
    );
    expect((token as { nbf?: unknown }).nbf).toBe(token.iat); // the SDK type omits nbf
    expect(token.exp - token.auth_time).toBe(3600);
    expect(token.iat - token.auth_time).toBeGreaterThanOrEqual(49);
    expect(token.iat - token.auth_time).toBeLessThanOrEqual(51);
  });
});
