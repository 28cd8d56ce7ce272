// Auth API v2 endpoints over HTTPS with the test-only signer (duo-protocol.md §B.1-B.5;
// DA-01..DA-07, BF-05 counters).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startDuoEmulator, type DuoEmulator } from '../src/index.js';
import { TestAuthApiClient } from './support/auth-api-client.js';
import { httpsRequest } from './support/https-client.js';

let emu: DuoEmulator;
let api: TestAuthApiClient;

beforeAll(async () => {
  emu = await startDuoEmulator({
    settings: { longPollMs: 300, pushTimeoutMs: 400 },
    lockoutThreshold: 3,
    users: [
      {
        username: 'alice',
        aliases: ['alice@example.com'],
        devices: [{ name: 'iPhone', number: '+15555550123', sms: true, phone: true }],
        passcodes: ['111222'],
      },
      {
        username: 'bob',
        devices: [{ name: 'Flip phone', number: '+15555550999', push: false, sms: true }],
      },
      { username: 'carol' },
      { username: 'bypassed', status: 'bypass' },
      { username: 'off', status: 'disabled', devices: [{}] },
      { username: 'locked', status: 'locked_out', devices: [{}] },
      { username: 'mallet', devices: [{}] },
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
  await emu.faults.reset();
  emu.users.update('alice', { pushAnswer: undefined });
});

describe('ping and check', () => {
  it('ping is unsigned and returns the time', async () => {
    const res = await httpsRequest(`https://${emu.apiHost}/auth/v2/ping`, { ca: emu.caPem });
    expect(res.status).toBe(200);
    expect(res.json().stat).toBe('OK');
    expect(Math.abs(res.json().response.time - Date.now() / 1000)).toBeLessThan(5);
  });

  it('check accepts v2 and v5 signatures and SHA-512', async () => {
    expect((await api.call('GET', '/auth/v2/check')).json()).toMatchObject({ stat: 'OK' });
    expect((await api.call('GET', '/auth/v2/check', {}, { version: 5 })).json()).toMatchObject({
      stat: 'OK',
    });
  });

  it('accepts X-Duo-Date instead of Date (duo_unix)', async () => {
    expect((await api.call('GET', '/auth/v2/check', {}, { xDuoDate: true })).status).toBe(200);
  });

  it('a tampered signature -> 401 40103 (DA-01)', async () => {
    const res = await api.call('GET', '/auth/v2/check', {}, { tamper: true });
    expect(res.status).toBe(401);
    expect(res.json()).toEqual({
      stat: 'FAIL',
      code: 40103,
      message: 'Invalid signature in request credentials',
    });
  });

  it('a request signed for another host -> 40103', async () => {
    expect(
      (
        await api.call('GET', '/auth/v2/check', {}, { signHost: 'api-12345678.duosecurity.com' })
      ).json(),
    ).toMatchObject({ code: 40103 });
    // The host with its port is not what Duo clients sign either (§B.2): refused.
    expect(
      (await api.call('GET', '/auth/v2/check', {}, { signHost: emu.apiHost })).json(),
    ).toMatchObject({ code: 40103 });
  });

  it('a stale Date (6 minutes old) -> 40103 (DA-02)', async () => {
    const res = await api.call(
      'GET',
      '/auth/v2/check',
      {},
      { date: new Date(Date.now() - 360_000).toUTCString() },
    );
    expect(res.status).toBe(401);
    expect(res.json().code).toBe(40103);
  });

  it('no credentials -> 40101; unknown ikey -> 40102; a Web SDK key -> 403 40301', async () => {
    const none = await httpsRequest(`https://${emu.apiHost}/auth/v2/check`, { ca: emu.caPem });
    expect(none.status).toBe(401);
    expect(none.json().code).toBe(40101);
    const unknown = new TestAuthApiClient({ ...api.o, ikey: 'DIUNKNOWN00000000000' });
    expect((await unknown.call('GET', '/auth/v2/check')).json().code).toBe(40102);
    const web = new TestAuthApiClient({
      ...api.o,
      ikey: emu.webSdkApp!.clientId,
      skey: emu.webSdkApp!.clientSecret,
    });
    const res = await web.call('GET', '/auth/v2/check');
    expect(res.status).toBe(403);
    expect(res.json()).toEqual({
      stat: 'FAIL',
      code: 40301,
      message: 'Access forbidden',
      message_detail: 'Wrong integration type for this API.',
    });
  });

  it('unknown endpoint -> 404 40401', async () => {
    const res = await api.call('GET', '/auth/v2/nothing');
    expect(res.status).toBe(404);
    expect(res.json()).toMatchObject({ stat: 'FAIL', code: 40401 });
  });
});

describe('preauth (DA-03)', () => {
  const preauth = async (username: string) =>
    (await api.call('POST', '/auth/v2/preauth', { username })).json().response;

  it('active user -> auth with devices (masked numbers)', async () => {
    const r = await preauth('alice');
    expect(r.result).toBe('auth');
    expect(r.devices).toHaveLength(1);
    expect(r.devices[0]).toMatchObject({
      type: 'phone',
      number: 'XXX-XXX-0123',
      capabilities: ['auto', 'push', 'sms', 'phone', 'mobile_otp'],
    });
    expect(r.devices[0]!.device).toMatch(/^DP[A-Z0-9]{18}$/);
  });

  it('alias resolves to the same user', async () => {
    expect((await preauth('alice@example.com')).devices[0]!.device).toBe(
      (await preauth('alice')).devices[0]!.device,
    );
  });

  it('bypass -> allow; disabled and locked out -> deny; unknown and unenrolled -> enroll with a portal URL', async () => {
    expect((await preauth('bypassed')).result).toBe('allow');
    expect((await preauth('off')).result).toBe('deny');
    expect((await preauth('locked')).result).toBe('deny');
    for (const name of ['carol', 'stranger']) {
      const r = await preauth(name);
      expect(r.result).toBe('enroll');
      expect(r.enroll_portal_url).toMatch(
        new RegExp(`^https://${emu.apiHost.replace(/\./g, '\\.')}/frame/portal/v4/enroll\\?code=`),
      );
    }
  });

  it('the enrollment portal enrolls the user (then preauth says auth)', async () => {
    const url = (await preauth('dan')).enroll_portal_url;
    const page = await httpsRequest(url, { ca: emu.caPem });
    expect(page.text).toContain('dan');
    const done = await httpsRequest(url, {
      ca: emu.caPem,
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: '',
    });
    expect(done.status).toBe(200);
    expect((await preauth('dan')).result).toBe('auth');
    // The link is single use.
    expect((await httpsRequest(url, { ca: emu.caPem })).status).toBe(400);
  });

  it('missing username/user_id -> 400 40001; user_id works', async () => {
    const res = await api.call('POST', '/auth/v2/preauth', {});
    expect(res.status).toBe(400);
    expect(res.json()).toMatchObject({ stat: 'FAIL', code: 40001 });
    const id = emu.users.require('alice').userId;
    expect(
      (await api.call('POST', '/auth/v2/preauth', { user_id: id })).json().response.result,
    ).toBe('auth');
  });

  it('v5 (JSON body) preauth is accepted', async () => {
    const res = await api.call('POST', '/auth/v2/preauth', { username: 'alice' }, { version: 5 });
    expect(res.json().response.result).toBe('auth');
  });
});

describe('auth', () => {
  const auth = async (params: Record<string, string>) =>
    (await api.call('POST', '/auth/v2/auth', params)).json();

  it.each([
    ['approve', { result: 'allow', status: 'allow' }],
    ['deny', { result: 'deny', status: 'deny' }],
    ['fraud', { result: 'deny', status: 'fraud' }],
    ['timeout', { result: 'deny', status: 'timeout' }],
  ] as const)('scripted push %s', async (answer, expected) => {
    emu.users.update('alice', { pushAnswer: answer });
    emu.users.update('alice', { status: 'active' });
    expect(
      (await auth({ username: 'alice', factor: 'push', device: 'auto' })).response,
    ).toMatchObject(expected);
  });

  it('factor auto uses push; phone works; device by id', async () => {
    await emu.faults.set({ pushAnswer: 'approve' });
    expect(
      (await auth({ username: 'alice', factor: 'auto', device: 'auto' })).response.result,
    ).toBe('allow');
    const id = emu.users.require('alice').devices[0]!.device;
    expect((await auth({ username: 'alice', factor: 'phone', device: id })).response.result).toBe(
      'allow',
    );
  });

  it('async=1 returns a txid and auth_status long-polls to the answer given through the library API', async () => {
    const start = await auth({ username: 'alice', factor: 'push', device: 'auto', async: '1' });
    const txid = start.response.txid;
    expect(txid).toMatch(/^[0-9a-f-]{36}$/);
    const first = (await api.call('GET', '/auth/v2/auth_status', { txid })).json().response;
    expect(first).toMatchObject({ result: 'waiting', status: 'pushed', auth_delayed: false });
    expect(emu.pushes.pending().map((p) => p.txid)).toContain(txid);
    const poll = api.call('GET', '/auth/v2/auth_status', { txid });
    emu.pushes.answer(txid, 'approve');
    expect((await poll).json().response).toMatchObject({ result: 'allow', status: 'allow' });
  });

  it('a manual push is approvable from the emulator page (plain form post)', async () => {
    const txid = (await auth({ username: 'alice', factor: 'push', device: 'auto', async: '1' }))
      .response.txid;
    const page = await httpsRequest(
      `https://${emu.apiHost}/_emulator/pushes?token=${emu.adminToken}`,
      { ca: emu.caPem, headers: { accept: 'text/html' } },
    );
    expect(page.text).toContain(`/_emulator/pushes/${txid}`);
    const post = await httpsRequest(`https://${emu.apiHost}/_emulator/pushes/${txid}`, {
      ca: emu.caPem,
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `token=${emu.adminToken}&decision=approve`,
    });
    expect(post.status).toBe(303);
    expect((await api.call('GET', '/auth/v2/auth_status', { txid })).json().response.result).toBe(
      'allow',
    );
  });

  it('an unanswered manual push times out (pushTimeoutMs)', async () => {
    const res = await auth({ username: 'alice', factor: 'push', device: 'auto' });
    expect(res.response).toMatchObject({ result: 'deny', status: 'timeout' });
  });

  it('auth_status for a txid of another integration or unknown -> 40002', async () => {
    expect((await api.call('GET', '/auth/v2/auth_status', { txid: 'nope' })).json()).toMatchObject({
      code: 40002,
    });
  });

  it('passcodes are single use; wrong passcode denied', async () => {
    expect(
      (await auth({ username: 'alice', factor: 'passcode', passcode: '111222' })).response.result,
    ).toBe('allow');
    expect(
      (await auth({ username: 'alice', factor: 'passcode', passcode: '111222' })).response,
    ).toMatchObject({
      result: 'deny',
      status_msg: 'Incorrect passcode. Please try again.',
    });
  });

  it('sms sends passcodes, one of which then logs in', async () => {
    expect((await auth({ username: 'bob', factor: 'sms', device: 'auto' })).response).toMatchObject(
      { result: 'deny', status: 'sent' },
    );
    const code = emu.users.require('bob').smsPasscodes[0]!;
    expect(
      (await auth({ username: 'bob', factor: 'passcode', passcode: code })).response.result,
    ).toBe('allow');
  });

  it('no capable device -> 400 40002 "no capable device"', async () => {
    const res = await api.call('POST', '/auth/v2/auth', {
      username: 'bob',
      factor: 'push',
      device: 'auto',
    });
    expect(res.status).toBe(400);
    expect(res.json()).toEqual({
      stat: 'FAIL',
      code: 40002,
      message: 'Invalid request parameters',
      message_detail: 'no capable device',
    });
  });

  it('bypass, disabled and locked-out users', async () => {
    expect((await auth({ username: 'bypassed', factor: 'auto' })).response).toMatchObject({
      result: 'allow',
      status: 'bypass',
    });
    expect((await auth({ username: 'off', factor: 'auto' })).response.result).toBe('deny');
    expect((await auth({ username: 'locked', factor: 'auto' })).response).toMatchObject({
      result: 'deny',
      status: 'locked_out',
    });
  });

  it('repeated failures lock the user out (threshold 3); an admin re-activates', async () => {
    for (let i = 0; i < 3; i++)
      await auth({ username: 'mallet', factor: 'passcode', passcode: '000000' });
    expect(emu.users.require('mallet').status).toBe('locked_out');
    expect(
      (await api.call('POST', '/auth/v2/preauth', { username: 'mallet' })).json().response.result,
    ).toBe('deny');
    emu.users.update('mallet', { status: 'active' });
    expect(
      (await api.call('POST', '/auth/v2/preauth', { username: 'mallet' })).json().response.result,
    ).toBe('auth');
  });

  it('counts calls per endpoint and per user, aliases counted under the name sent (BF-05, DA-07)', async () => {
    const before = emu.counters.count('/auth/v2/auth', 'alice');
    const total = emu.counters.count('/auth/v2/auth');
    emu.users.update('alice', { pushAnswer: 'deny' });
    await auth({ username: 'alice', factor: 'push', device: 'auto' });
    await auth({ username: 'alice', factor: 'push', device: 'auto' });
    expect(emu.counters.count('/auth/v2/auth', 'alice')).toBe(before + 2);
    expect(emu.counters.count('/auth/v2/auth')).toBe(total + 2);
    expect(emu.counters.count('/auth/v2/auth', 'nobody-else')).toBe(0);
  });
});
