// The faults that spoil what Duo answers behave as documented in README "Fault API": spoiled
// Auth API envelopes (DA-03, DA-04), hostile message text (DA-04, DU-07a; mockduo's
// `escape-inject-*`), the Verified Duo Push flow (DA-06), id_token and token-response faults
// (DU-04) and the Auth API health check reporting Duo unhealthy (OUT-02).
import { Client } from '@duosecurity/duo_universal';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HOSTILE_TEXT, startDuoEmulator, type DuoEmulator, type TokenFault } from '../src/index.js';
import { TestAuthApiClient } from './support/auth-api-client.js';
import { trustCaForDuoClient } from './support/duo-sdk-ca-seam.js';
import { httpsRequest } from './support/https-client.js';
import { authorizeRaw, exchange, getCode, requestJwt } from './support/oidc-helpers.js';

/** A Duo envelope read loosely: the point of these faults is that fields go missing or change. */
type Env = Record<string, unknown> & { stat?: string; response?: Record<string, unknown> };

let emu: DuoEmulator;
let api: TestAuthApiClient;

beforeAll(async () => {
  emu = await startDuoEmulator({
    settings: { longPollMs: 100 },
    users: [
      { username: 'alice', devices: [{ name: 'iPhone' }] },
      { username: 'bob', devices: [{ name: 'Pixel' }] },
      {
        username: 'phil',
        devices: [{ name: 'Desk phone', number: '+15550001111', push: false, phone: true }],
      },
      { username: 'dora', status: 'disabled', devices: [{}] },
    ],
  });
  api = new TestAuthApiClient({
    apiHost: emu.apiHost,
    ca: emu.caPem,
    ikey: emu.authApiApp!.ikey,
    skey: emu.authApiApp!.skey,
  });
});
afterAll(async () => emu.stop());
afterEach(async () => {
  for (const tx of emu.pushes.pending()) emu.pushes.answer(tx.txid, 'deny');
  await emu.faults.reset();
});

const preauth = (username: string, extra: Record<string, string> = {}) =>
  api.call('POST', '/auth/v2/preauth', { username, ...extra });

describe('authApiAnswer: spoiled stat OK answers (DA-03, DA-04)', () => {
  it('unknown_result: result is "ALLOW" (not Duo\'s "allow"), the rest is kept', async () => {
    await emu.faults.set({ authApiAnswer: 'unknown_result', endpoints: ['/auth/v2/preauth'] });
    const body = (await preauth('alice')).json<Env>();
    expect(body.stat).toBe('OK');
    expect(body.response?.['result']).toBe('ALLOW');
    expect(Array.isArray(body.response?.['devices'])).toBe(true);
  });

  it('missing_result: no result key at all', async () => {
    await emu.faults.set({ authApiAnswer: 'missing_result' });
    const body = (await preauth('alice')).json<Env>();
    expect(body.stat).toBe('OK');
    expect(body.response).not.toHaveProperty('result');
    expect(body.response?.['status_msg']).toBe('Account is active');
  });

  it('bad_stat: stat "ok" with the response kept; missing_response: {"stat":"OK"} only', async () => {
    await emu.faults.set({ authApiAnswer: 'bad_stat' });
    const bad = (await preauth('alice')).json<Env>();
    expect(bad.stat).toBe('ok');
    expect(bad.response?.['result']).toBe('auth');
    await emu.faults.set({ authApiAnswer: 'missing_response' });
    const res = await preauth('alice');
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toEqual({ stat: 'OK' });
  });

  it('applies only to the selected endpoints, and never to stat FAIL answers', async () => {
    await emu.faults.set({ authApiAnswer: 'missing_response', endpoints: ['/auth/v2/preauth'] });
    expect((await api.call('GET', '/auth/v2/check')).json<Env>().response).toBeDefined();
    const fail = await api.call('POST', '/auth/v2/preauth', {});
    expect(fail.status).toBe(400);
    expect(fail.json<Env>()).toMatchObject({ stat: 'FAIL', code: 40001 });
  });

  it('an unknown value is refused rather than silently ignored', async () => {
    await expect(emu.faults.set({ authApiAnswer: 'maybe' as never })).rejects.toMatchObject({
      code: 'OPTIONS_INVALID',
    });
    await expect(emu.faults.set({ tokenFault: 'nope' as never })).rejects.toMatchObject({
      code: 'OPTIONS_INVALID',
    });
  });
});

describe('hostileText: escape sequences and HTML in what Duo writes (DA-04, DU-07a)', () => {
  it('HOSTILE_TEXT carries CSI and OSC sequences, a bell, CR/LF, a script tag and a forged log line', () => {
    expect(HOSTILE_TEXT).toContain('\u001b[2J');
    expect(HOSTILE_TEXT).toContain('\u001b]0;');
    expect(HOSTILE_TEXT).toContain('\u0007');
    expect(HOSTILE_TEXT).toContain('\r\n');
    expect(HOSTILE_TEXT).toContain('<script>');
  });

  it('replaces status_msg in stat OK answers and message/message_detail in FAIL answers', async () => {
    await emu.faults.set({ hostileText: true });
    expect((await preauth('dora')).json<Env>().response?.['status_msg']).toBe(HOSTILE_TEXT);
    const fail = (await api.call('POST', '/auth/v2/auth', { username: 'alice' })).json<Env>();
    expect(fail).toMatchObject({
      stat: 'FAIL',
      code: 40001,
      message: HOSTILE_TEXT,
      message_detail: HOSTILE_TEXT,
    });
    // Keys Duo did not send are not invented.
    expect((await api.call('GET', '/auth/v2/check')).json<Env>().response).toEqual({
      time: expect.any(Number) as number,
    });
  });

  it('a custom text, in the token endpoint error_description and the prompt deny redirect', async () => {
    await emu.faults.set({ hostileText: '<b>x</b>\u001b[1m', promptAction: 'deny' });
    const tokenError = (await exchange(emu, 'no-such-code')).json<Record<string, unknown>>();
    expect(tokenError).toEqual({ error: 'invalid_grant', error_description: '<b>x</b>\u001b[1m' });
    const res = await authorizeRaw(emu, await requestJwt(emu));
    expect(res.status).toBe(302);
    const loc = new URL(String(res.headers['location']));
    expect(loc.searchParams.get('error')).toBe('access_denied');
    expect(loc.searchParams.get('error_description')).toBe('<b>x</b>\u001b[1m');
  });

  it('a Verified Push verification_code (text the client shows its user) is replaced too', async () => {
    await emu.faults.set({ hostileText: true, verifiedPush: true });
    const r = (await preauth('alice', { client_supports_verified_push: '1' })).json<Env>()
      .response!;
    expect(r['verification_code']).toBe(HOSTILE_TEXT);
    expect(typeof r['txid']).toBe('string');
  });

  it('endpoints narrows it', async () => {
    await emu.faults.set({ hostileText: true, endpoints: ['/auth/v2/auth'] });
    expect((await preauth('dora')).json<Env>().response?.['status_msg']).toBe(
      'Account is disabled',
    );
  });
});

describe('verifiedPush: "Require Verified Duo Push" (DA-06)', () => {
  it('off (default): preauth has no txid or verification_code, whatever the client says', async () => {
    const r = (await preauth('alice', { client_supports_verified_push: '1' })).json<Env>()
      .response!;
    expect(r).not.toHaveProperty('txid');
    expect(r).not.toHaveProperty('verification_code');
  });

  it('on: preauth gives txid, a 3-digit verification_code and a 60 s expiration; /auth with that txid pushes with the code', async () => {
    await emu.faults.set({ verifiedPush: true });
    const r = (await preauth('alice', { client_supports_verified_push: '1' })).json<Env>()
      .response!;
    expect(r['result']).toBe('auth');
    expect(String(r['verification_code'])).toMatch(/^[0-9]{3}$/);
    expect(Number(r['expiration']) - Date.now() / 1000).toBeGreaterThan(55);
    expect(Number(r['expiration']) - Date.now() / 1000).toBeLessThanOrEqual(61);
    const auth = await api.call('POST', '/auth/v2/auth', {
      username: 'alice',
      factor: 'push',
      device: 'auto',
      async: '1',
      txid: String(r['txid']),
    });
    expect(auth.status).toBe(200);
    expect(auth.json<Env>().response?.['txid']).toBe(r['txid']);
    const [tx] = emu.pushes.pending().filter((t) => t.username === 'alice');
    expect(tx?.verificationCode).toBe(r['verification_code']);
    // The pushes admin API shows the code the user must type.
    const list = await httpsRequest(`https://${emu.apiHost}/_emulator/pushes`, {
      ca: emu.caPem,
      headers: { 'x-emulator-token': emu.adminToken },
    });
    expect(list.json<Array<Record<string, unknown>>>()[0]).toMatchObject({
      txid: r['txid'],
      verificationCode: r['verification_code'],
    });
    const page = await httpsRequest(`https://${emu.apiHost}/_emulator/pushes`, {
      ca: emu.caPem,
      headers: { 'x-emulator-token': emu.adminToken, accept: 'text/html' },
    });
    expect(page.text).toContain(`<code>${String(r['verification_code'])}</code>`);
    // A txid is single use.
    const again = await api.call('POST', '/auth/v2/auth', {
      username: 'alice',
      factor: 'push',
      device: 'auto',
      async: '1',
      txid: String(r['txid']),
    });
    expect(again.status).toBe(400);
    expect(again.json<Env>()).toMatchObject({ code: 40002, message_detail: 'txid' });
  });

  it("on: a push without preauth's txid, or with another user's txid, is refused", async () => {
    await emu.faults.set({ verifiedPush: true });
    const push = (username: string, extra: Record<string, string> = {}) =>
      api.call('POST', '/auth/v2/auth', {
        username,
        factor: 'push',
        device: 'auto',
        async: '1',
        ...extra,
      });
    const none = await push('alice');
    expect(none.status).toBe(400);
    expect(none.json<Env>()).toMatchObject({ code: 40002, message_detail: 'no capable device' });
    const bobs = (await preauth('bob', { client_supports_verified_push: '1' })).json<Env>()
      .response!;
    const stolen = await push('alice', { txid: String(bobs['txid']) });
    expect(stolen.status).toBe(400);
    expect(stolen.json<Env>()).toMatchObject({ code: 40002, message_detail: 'txid' });
    expect(emu.pushes.pending()).toHaveLength(0);
  });

  it('on, client without client_supports_verified_push: devices are offered without push (no silent bypass)', async () => {
    await emu.faults.set({ verifiedPush: true });
    const r = (await preauth('alice')).json<Env>().response!;
    expect(r).not.toHaveProperty('txid');
    const devices = r['devices'] as Array<{ capabilities: string[] }>;
    for (const d of devices) expect(d.capabilities).not.toContain('push');
    // A user without Duo Mobile is unaffected: phone calls still work.
    const phil = (await preauth('phil')).json<Env>().response!;
    expect((phil['devices'] as Array<{ capabilities: string[] }>)[0]?.capabilities).toContain(
      'phone',
    );
    const call = await api.call('POST', '/auth/v2/auth', {
      username: 'phil',
      factor: 'auto',
      device: 'auto',
      async: '1',
    });
    expect(call.status).toBe(200);
    expect(emu.pushes.pending().find((t) => t.username === 'phil')?.factor).toBe('phone');
  });

  it('on: an expired verified-push txid is refused', async () => {
    await emu.faults.set({ verifiedPush: true });
    const r = (await preauth('alice', { client_supports_verified_push: '1' })).json<Env>()
      .response!;
    await emu.faults.set({ clockSkewSec: 61 });
    const late = await api.call('POST', '/auth/v2/auth', {
      username: 'alice',
      factor: 'push',
      device: 'auto',
      async: '1',
      txid: String(r['txid']),
    });
    expect(late.status).toBe(400);
    expect(late.json<Env>()).toMatchObject({ code: 40002, message_detail: 'txid' });
  });
});

describe('healthCheckFail on the Auth API (OUT-02)', () => {
  it('ping and check answer HTTP 200 stat FAIL with a 5xxxx code; other endpoints still work', async () => {
    await emu.faults.set({ healthCheckFail: true });
    const ping = await httpsRequest(`https://${emu.apiHost}/auth/v2/ping`, { ca: emu.caPem });
    expect(ping.status).toBe(200);
    expect(ping.json<Env>()).toMatchObject({ stat: 'FAIL', code: 50301 });
    const check = await api.call('GET', '/auth/v2/check');
    expect(check.status).toBe(200);
    expect(check.json<Env>()).toMatchObject({ stat: 'FAIL', code: 50301 });
    expect((await preauth('alice')).json<Env>().response?.['result']).toBe('auth');
    // A bad signature is still refused first: unhealthy is never a way around authentication.
    expect((await api.call('GET', '/auth/v2/check', {}, { tamper: true })).status).toBe(401);
    await emu.faults.reset();
    expect((await api.call('GET', '/auth/v2/check')).json<Env>().stat).toBe('OK');
  });
});

describe('token faults (DU-04)', () => {
  const token = async (fault: TokenFault) => {
    await emu.faults.set({ tokenFault: fault, promptAction: 'approve' });
    const { code } = await getCode(emu);
    return exchange(emu, code);
  };

  it('alg_none: an unsecured JWT (header alg none, empty signature)', async () => {
    const res = await token('alg_none');
    const idToken = res.json<{ id_token: string }>().id_token;
    expect(decodeProtectedHeader(idToken).alg).toBe('none');
    expect(idToken.endsWith('.')).toBe(true);
    expect(decodeJwt(idToken)['preferred_username']).toBe('alice');
  });

  it.each([
    ['missing_exp', 'exp'],
    ['missing_iat', 'iat'],
    ['missing_iss', 'iss'],
    ['missing_aud', 'aud'],
  ] as const)('%s: the id_token lacks %s and keeps the other claims', async (fault, claim) => {
    const claims = decodeJwt((await token(fault)).json<{ id_token: string }>().id_token);
    expect(claims).not.toHaveProperty(claim);
    for (const other of ['exp', 'iat', 'iss', 'aud'].filter((c) => c !== claim))
      expect(claims).toHaveProperty(other);
  });

  it('token_type_mac and missing_id_token spoil the token response itself', async () => {
    const mac = (await token('token_type_mac')).json<Record<string, unknown>>();
    expect(mac['token_type']).toBe('mac');
    expect(typeof mac['id_token']).toBe('string');
    const none = (await token('missing_id_token')).json<Record<string, unknown>>();
    expect(none).not.toHaveProperty('id_token');
    expect(none['token_type']).toBe('Bearer');
  });

  it.each<[TokenFault, RegExp]>([
    ['alg_none', /Error decoding JWT/],
    ['missing_iss', /Error decoding JWT/],
    ['missing_aud', /Error decoding JWT/],
    ['missing_exp', /Result missing expected data/],
    ['missing_iat', /Result missing expected data/],
    ['token_type_mac', /Result missing expected data/],
    ['missing_id_token', /Result missing expected data/],
  ])('%s: the official SDK rejects the exchange', async (fault, message) => {
    await emu.faults.set({ tokenFault: fault, promptAction: 'approve' });
    const client = new Client({
      clientId: emu.webSdkApp!.clientId,
      clientSecret: emu.webSdkApp!.clientSecret,
      apiHost: emu.apiHost,
      redirectUrl: 'https://app.example.test/cb',
    });
    trustCaForDuoClient(client, emu.caPem);
    const url = await client.createAuthUrl('alice', client.generateState());
    const loc = new URL(String((await httpsRequest(url, { ca: emu.caPem })).headers['location']));
    await expect(
      client.exchangeAuthorizationCodeFor2FAResult(loc.searchParams.get('duo_code')!, 'alice'),
    ).rejects.toThrow(message);
  });
});
