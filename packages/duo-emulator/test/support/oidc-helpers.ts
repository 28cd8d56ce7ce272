import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import type { DuoEmulator } from '../../src/index.js';
import { httpsRequest, type TestResponse } from './https-client.js';

export const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

export async function assertion(
  emu: DuoEmulator,
  path: string,
  over: Record<string, unknown> = {},
  opts: { secret?: string; alg?: string } = {},
): Promise<string> {
  const app = emu.webSdkApp!;
  const now = Math.floor(Date.now() / 1000);
  const claims: Record<string, unknown> = {
    iss: app.clientId,
    sub: app.clientId,
    aud: `https://${emu.apiHost}${path}`,
    jti: randomBytes(18).toString('hex'),
    iat: now,
    exp: now + 300,
    ...over,
  };
  for (const k of Object.keys(claims)) if (claims[k] === undefined) delete claims[k];
  return new SignJWT(claims)
    .setProtectedHeader({ alg: opts.alg ?? 'HS512' })
    .sign(enc(opts.secret ?? app.clientSecret));
}

export async function postForm(
  emu: DuoEmulator,
  path: string,
  params: Record<string, string>,
): Promise<TestResponse> {
  return httpsRequest(`https://${emu.apiHost}${path}`, {
    ca: emu.caPem,
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params).toString(),
  });
}

export async function requestJwt(
  emu: DuoEmulator,
  over: Record<string, unknown> = {},
  secret?: string,
): Promise<string> {
  const app = emu.webSdkApp!;
  const claims: Record<string, unknown> = {
    response_type: 'code',
    scope: 'openid',
    exp: Math.floor(Date.now() / 1000) + 300,
    client_id: app.clientId,
    redirect_uri: 'https://app.example.test/cb',
    state: 'state-' + randomBytes(16).toString('hex'),
    duo_uname: 'alice',
    iss: app.clientId,
    aud: `https://${emu.apiHost}`,
    use_duo_code_attribute: true,
    ...over,
  };
  for (const k of Object.keys(claims)) if (claims[k] === undefined) delete claims[k];
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS512' })
    .sign(enc(secret ?? app.clientSecret));
}

export async function authorizeRaw(
  emu: DuoEmulator,
  request: string,
  extra: Record<string, string> = {},
): Promise<TestResponse> {
  const q = new URLSearchParams({
    response_type: 'code',
    client_id: emu.webSdkApp!.clientId,
    request,
    ...extra,
  });
  return httpsRequest(`https://${emu.apiHost}/oauth/v1/authorize?${q.toString()}`, {
    ca: emu.caPem,
  });
}

/** Runs authorize in scripted-approve mode and returns the code. */
export async function getCode(
  emu: DuoEmulator,
  over: Record<string, unknown> = {},
): Promise<{ code: string; redirect: string }> {
  const res = await authorizeRaw(emu, await requestJwt(emu, over));
  if (res.status !== 302) throw new Error(`authorize answered ${res.status}: ${res.text}`);
  const loc = new URL(String(res.headers['location']));
  const code = loc.searchParams.get('duo_code') ?? loc.searchParams.get('code');
  if (!code) throw new Error(`no code in ${loc.toString()}`);
  return {
    code,
    redirect: (over['redirect_uri'] as string | undefined) ?? 'https://app.example.test/cb',
  };
}

export async function exchange(
  emu: DuoEmulator,
  code: string,
  redirect = 'https://app.example.test/cb',
  over: Record<string, string | undefined> = {},
): Promise<TestResponse> {
  const params: Record<string, string> = {
    grant_type: 'authorization_code',
    code,
    redirect_uri: redirect,
    client_id: emu.webSdkApp!.clientId,
    client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    client_assertion: await assertion(emu, '/oauth/v1/token'),
  };
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) delete params[k];
    else params[k] = v;
  }
  return postForm(emu, '/oauth/v1/token', params);
}
