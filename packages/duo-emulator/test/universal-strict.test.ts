// Universal Prompt endpoints are as strict as Duo: client assertions and the authorize request
// (duo-protocol.md §A.2-A.4; DU-03/06/07; RFC 9700 §2.1). The token endpoint and the id_token
// are in universal-token.test.ts.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startDuoEmulator, type DuoEmulator } from '../src/index.js';
import { httpsRequest } from './support/https-client.js';
import { assertion, authorizeRaw, enc, postForm, requestJwt } from './support/oidc-helpers.js';

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
      { username: 'carol' },
      { username: 'bypassed', status: 'bypass' },
      { username: 'off', status: 'disabled', devices: [{}] },
      { username: 'locked', status: 'locked_out', devices: [{}] },
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

const health = async (a: string) =>
  (
    await postForm(emu, '/oauth/v1/health_check', {
      client_id: emu.webSdkApp!.clientId,
      client_assertion: a,
    })
  ).json();

describe('client assertions (health_check, §A.2.1)', () => {
  it('accepts a correct HS512 assertion, and HS256 (Postman), and float / string exp (Python / C#)', async () => {
    expect((await health(await assertion(emu, '/oauth/v1/health_check'))).stat).toBe('OK');
    expect(
      (await health(await assertion(emu, '/oauth/v1/health_check', {}, { alg: 'HS256' }))).stat,
    ).toBe('OK');
    const exp = Math.floor(Date.now() / 1000) + 200;
    expect(
      (await health(await assertion(emu, '/oauth/v1/health_check', { exp: exp + 0.5 }))).stat,
    ).toBe('OK');
    expect(
      (await health(await assertion(emu, '/oauth/v1/health_check', { exp: String(exp) }))).stat,
    ).toBe('OK');
  });

  it.each([
    [
      'aud without the port',
      (e: DuoEmulator) => ({ aud: `https://127.0.0.1/oauth/v1/health_check`, _e: e }),
    ],
    ['aud of another endpoint', () => ({ aud: undefined })],
    ['expired exp', () => ({ exp: Math.floor(Date.now() / 1000) - 120 })],
    ['exp more than an hour ahead', () => ({ exp: Math.floor(Date.now() / 1000) + 7200 })],
    ['missing exp', () => ({ exp: undefined })],
    ['iss of another client', () => ({ iss: 'DIOTHERCLIENT0000000' })],
    ['missing jti', () => ({ jti: undefined })],
  ])("rejects %s with Duo's invalid_client FAIL body (HTTP 200)", async (_name, over) => {
    const claims = over(emu) as Record<string, unknown>;
    delete claims['_e'];
    const a =
      'aud' in claims && claims['aud'] === undefined
        ? await assertion(emu, '/oauth/v1/token')
        : await assertion(emu, '/oauth/v1/health_check', claims);
    const res = await postForm(emu, '/oauth/v1/health_check', {
      client_id: emu.webSdkApp!.clientId,
      client_assertion: a,
    });
    expect(res.status).toBe(200);
    expect(res.json()).toMatchObject({
      stat: 'FAIL',
      code: 40002,
      message: 'invalid_client',
      message_detail: 'The provided client_assertion was invalid.',
    });
  });

  it('rejects a wrong key and alg none', async () => {
    expect(
      (await health(await assertion(emu, '/oauth/v1/health_check', {}, { secret: 'y'.repeat(40) })))
        .stat,
    ).toBe('FAIL');
    const good = await assertion(emu, '/oauth/v1/health_check');
    const [, payload] = good.split('.');
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${payload}.`;
    expect((await health(none)).stat).toBe('FAIL');
  });

  it('rejects a reused jti (replay)', async () => {
    const a = await assertion(emu, '/oauth/v1/health_check', { jti: 'fixed-jti-0001' });
    expect((await health(a)).stat).toBe('OK');
    expect((await health(a)).stat).toBe('FAIL');
  });

  it('takes parameters from the query string too (Postman / Python style)', async () => {
    const q = new URLSearchParams({
      client_id: emu.webSdkApp!.clientId,
      client_assertion: await assertion(emu, '/oauth/v1/health_check'),
    });
    const res = await httpsRequest(`https://${emu.apiHost}/oauth/v1/health_check?${q.toString()}`, {
      ca: emu.caPem,
      method: 'POST',
    });
    expect(res.json()).toMatchObject({ stat: 'OK' });
  });

  it('takes a multipart body (PHP SDK)', async () => {
    const form = new FormData();
    form.set('client_id', emu.webSdkApp!.clientId);
    form.set('client_assertion', await assertion(emu, '/oauth/v1/health_check'));
    const r = new Response(form);
    const body = Buffer.from(await r.arrayBuffer()).toString('latin1');
    const res = await httpsRequest(`https://${emu.apiHost}/oauth/v1/health_check`, {
      ca: emu.caPem,
      method: 'POST',
      headers: { 'content-type': r.headers.get('content-type')! },
      body,
    });
    expect(res.json()).toMatchObject({ stat: 'OK' });
  });
});

describe('authorize: the request JWT is verified (§A.4)', () => {
  it.each([
    ['signed with another secret', async () => requestJwt(emu, {}, 'z'.repeat(40))],
    ['response_type token', async () => requestJwt(emu, { response_type: 'token' })],
    ['scope email', async () => requestJwt(emu, { scope: 'email' })],
    ['expired', async () => requestJwt(emu, { exp: Math.floor(Date.now() / 1000) - 120 })],
    ['state too short', async () => requestJwt(emu, { state: 'short' })],
    ['no duo_uname', async () => requestJwt(emu, { duo_uname: undefined })],
    [
      'javascript: redirect_uri',
      async () => requestJwt(emu, { redirect_uri: 'javascript:alert(1)' }),
    ],
    ['wrong aud', async () => requestJwt(emu, { aud: 'https://api-evil.duosecurity.com' })],
  ])('rejects a request JWT %s with an error page, never a redirect', async (_n, make) => {
    const res = await authorizeRaw(emu, await make());
    expect(res.status).toBe(400);
    expect(res.headers['location']).toBeUndefined();
  });

  it('accepts Java-style JWTs without iss/aud and answers with `code` when use_duo_code_attribute is absent', async () => {
    const res = await authorizeRaw(
      emu,
      await requestJwt(emu, { iss: undefined, aud: undefined, use_duo_code_attribute: undefined }),
    );
    expect(res.status).toBe(302);
    const loc = new URL(String(res.headers['location']));
    expect(loc.searchParams.get('code')).toBeTruthy();
    expect(loc.searchParams.get('duo_code')).toBeNull();
  });

  it('enforces registered redirect URIs exactly when an app has them (DU-06, RFC 9700 §2.1)', async () => {
    const reg = emu.apps.list().find((a) => a.name === 'Registered')!;
    if (reg.type !== 'websdk') throw new Error('expected web sdk app');
    const { SignJWT } = await import('jose');
    const make = (redirect_uri: string) =>
      new SignJWT({
        response_type: 'code',
        scope: 'openid',
        exp: Math.floor(Date.now() / 1000) + 300,
        client_id: reg.clientId,
        redirect_uri,
        state: 'x'.repeat(36),
        duo_uname: 'alice',
      })
        .setProtectedHeader({ alg: 'HS512' })
        .sign(enc(reg.clientSecret));
    const go = async (uri: string) =>
      httpsRequest(
        `https://${emu.apiHost}/oauth/v1/authorize?${new URLSearchParams({ client_id: reg.clientId, request: await make(uri) }).toString()}`,
        { ca: emu.caPem },
      );
    expect((await go('https://registered.example/cb')).status).toBe(302);
    expect((await go('https://registered.example/cb/')).status).toBe(400);
    expect((await go('https://registered.example/cb?next=//evil')).status).toBe(400);
  });

  it('user statuses: bypass is allowed, disabled and locked out are denied, unknown must enroll', async () => {
    const cb = async (name: string) =>
      new URL(
        String(
          (await authorizeRaw(emu, await requestJwt(emu, { duo_uname: name }))).headers['location'],
        ),
      ).searchParams;
    expect((await cb('bypassed')).get('duo_code')).toBeTruthy();
    expect((await cb('off')).get('error')).toBe('access_denied');
    expect((await cb('locked')).get('error')).toBe('access_denied');
    expect((await cb('nobody')).get('error_description')).toMatch(/Enroll/);
  });

  it('an unenrolled user sees an enrollment page in interactive mode', async () => {
    await emu.faults.set({ promptAction: 'interactive' });
    const res = await authorizeRaw(emu, await requestJwt(emu, { duo_uname: 'carol' }));
    expect(res.status).toBe(200);
    expect(res.text).toContain('id="duo-enroll"');
  });

  it('escapes everything it renders in the prompt page (ASVS 1.2.1 / DU-07)', async () => {
    await emu.faults.set({ promptAction: 'interactive' });
    emu.users.create({ username: '<img src=x onerror=alert(1)>', devices: [{}] });
    const res = await authorizeRaw(
      emu,
      await requestJwt(emu, { duo_uname: '<img src=x onerror=alert(1)>' }),
    );
    expect(res.status).toBe(200);
    expect(res.text).not.toContain('<img src=x');
    expect(res.text).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(String(res.headers['content-security-policy'])).toContain("frame-ancestors 'none'");
  });
});
