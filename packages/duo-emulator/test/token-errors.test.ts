// The token endpoint's error bodies, word for word: Duo's texts where Duo or the official SDKs'
// fixtures show them (invalid_grant as a live Duo answered, duo_universal_php#6; invalid_client's
// catch-all, duo_universal_csharp#25; the `iss` text of the Python SDK's fixture), RFC 6749 §5.2
// definitions otherwise. A caller shows or logs them (DU-07b), so they are asserted exactly.
import { Client } from '@duosecurity/duo_universal';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  INVALID_CLIENT,
  INVALID_GRANT,
  INVALID_REQUEST,
  ISS_MISMATCH,
  UNSUPPORTED_GRANT_TYPE,
} from '../src/oidc/messages.js';
import { startDuoEmulator, type DuoEmulator } from '../src/index.js';
import { trustCaForDuoClient } from './support/duo-sdk-ca-seam.js';
import { httpsRequest } from './support/https-client.js';
import { enc, exchange, getCode } from './support/oidc-helpers.js';

const REDIRECT = 'https://app.example.test/cb';
let emu: DuoEmulator;

beforeAll(async () => {
  emu = await startDuoEmulator({
    faults: { promptAction: 'approve' },
    users: [{ username: 'alice', devices: [{}] }],
  });
});
afterAll(async () => emu.stop());

function sdkClient(secret = emu.webSdkApp!.clientSecret): Client {
  const client = new Client({
    clientId: emu.webSdkApp!.clientId,
    clientSecret: secret,
    apiHost: emu.apiHost,
    redirectUrl: REDIRECT,
  });
  trustCaForDuoClient(client, emu.caPem);
  return client;
}

async function sdkCode(client: Client): Promise<string> {
  const res = await httpsRequest(await client.createAuthUrl('alice', client.generateState()), {
    ca: emu.caPem,
  });
  return new URL(String(res.headers['location'])).searchParams.get('duo_code')!;
}

describe('token endpoint error texts (DU-07b)', () => {
  it('a replayed code: the SDK reports invalid_grant with the text a live Duo sent', async () => {
    const client = sdkClient();
    const code = await sdkCode(client);
    await client.exchangeAuthorizationCodeFor2FAResult(code, 'alice');
    const err = await client
      .exchangeAuthorizationCodeFor2FAResult(code, 'alice')
      .catch((e: unknown) => e);
    expect((err as Error).message).toBe(`invalid_grant: ${INVALID_GRANT}`);
    expect(INVALID_GRANT).toBe(
      'The provided authorization grant (e.g., authorization code) or refresh token is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.',
    );
  });

  it("an assertion signed with another secret: Duo's catch-all invalid_client text", async () => {
    const code = await sdkCode(sdkClient());
    const err = await sdkClient('w'.repeat(40))
      .exchangeAuthorizationCodeFor2FAResult(code, 'alice')
      .catch((e: unknown) => e);
    expect((err as Error).message).toBe(
      'invalid_client: The provided client_assertion was invalid.',
    );
  });

  it("an assertion whose iss is not the client_id: the Python SDK fixture's text", async () => {
    const { code } = await getCode(emu);
    const now = Math.floor(Date.now() / 1000);
    const foreignIss = await new SignJWT({
      iss: 'DIOTHERCLIENT0000000',
      sub: emu.webSdkApp!.clientId,
      aud: `https://${emu.apiHost}/oauth/v1/token`,
      jti: 'jti-foreign-iss-0001',
      exp: now + 300,
    })
      .setProtectedHeader({ alg: 'HS512' })
      .sign(enc(emu.webSdkApp!.clientSecret));
    const res = await exchange(emu, code, undefined, { client_assertion: foreignIss });
    expect(res.status).toBe(400);
    expect(res.json()).toEqual({ error: 'invalid_client', error_description: ISS_MISMATCH });
    expect(ISS_MISMATCH).toBe(
      'Invalid Client assertion: The `iss` claim must match the supplied client_id',
    );
  });

  it.each([
    ['no grant_type', { grant_type: undefined }, 'invalid_request', INVALID_REQUEST],
    ['no code', { code: undefined }, 'invalid_request', INVALID_REQUEST],
    ['no redirect_uri', { redirect_uri: undefined }, 'invalid_request', INVALID_REQUEST],
    [
      'another client_assertion_type',
      { client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:saml2-bearer' },
      'invalid_request',
      INVALID_REQUEST,
    ],
    [
      'grant_type refresh_token',
      { grant_type: 'refresh_token' },
      'unsupported_grant_type',
      UNSUPPORTED_GRANT_TYPE,
    ],
    ['a garbage assertion', { client_assertion: 'not.a.jwt' }, 'invalid_client', INVALID_CLIENT],
  ] as const)('%s: HTTP 400, exactly {error, error_description}', async (_n, over, error, text) => {
    const { code } = await getCode(emu);
    const res = await exchange(emu, code, undefined, over);
    expect(res.status).toBe(400);
    expect(res.json()).toEqual({ error, error_description: text });
  });

  it('the RFC 6749 §5.2 texts are used verbatim where Duo publishes none', () => {
    expect(UNSUPPORTED_GRANT_TYPE).toBe(
      'The authorization grant type is not supported by the authorization server.',
    );
    expect(INVALID_REQUEST).toMatch(
      /^The request is missing a required parameter, .* malformed\.$/,
    );
  });
});
