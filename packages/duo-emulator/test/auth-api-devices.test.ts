// Device details preauth shows and the "Remembered devices" policy (duo-protocol.md B.4):
// `sms_nextcode` after an SMS batch, and `trusted_device_token` returned by auth/auth_status
// and honoured by preauth only when the application's policy enables it (off by default).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startDuoEmulator, type DuoEmulator } from '../src/index.js';
import { TestAuthApiClient } from './support/auth-api-client.js';

let emu: DuoEmulator;
let api: TestAuthApiClient;
let now = Date.now();

interface Answer {
  result: string;
  status: string;
  status_msg: string;
  txid: string;
  trusted_device_token?: string;
  devices: Array<{ device: string; capabilities: string[]; sms_nextcode?: string }>;
}
const call = async (
  method: 'GET' | 'POST',
  path: string,
  params: Record<string, string>,
): Promise<Answer> => {
  const res = await api.call(method, path, params);
  expect(res.status, res.text).toBe(200);
  return res.json<{ response: Answer }>().response;
};

beforeAll(async () => {
  emu = await startDuoEmulator({
    clock: { nowMs: () => now },
    settings: { longPollMs: 200 },
    faults: { pushAnswer: 'approve' },
    users: [
      {
        username: 'alice',
        devices: [
          { name: 'iPhone', number: '+15555550123', sms: true, phone: true },
          { name: 'Desk phone', number: '+15555550124', push: false, sms: true },
        ],
        passcodes: ['111222'],
      },
      { username: 'bob', devices: [{ name: 'iPhone' }] },
      { username: 'bypassed', status: 'bypass' },
    ],
  });
  api = new TestAuthApiClient({
    apiHost: emu.apiHost,
    ca: emu.caPem,
    ikey: emu.authApiApp!.ikey,
    skey: emu.authApiApp!.skey,
    now: () => new Date(now),
  });
});
afterAll(async () => emu.stop());
afterEach(() => {
  now = Date.now();
  emu.apps.setRememberDevices(emu.authApiApp!.ikey, undefined);
});

describe('sms_nextcode', () => {
  it('is absent before any SMS; then on the device that got the batch, advancing as codes are used', async () => {
    const before = await call('POST', '/auth/v2/preauth', { username: 'alice' });
    expect(before.devices.every((d) => d.sms_nextcode === undefined)).toBe(true);

    const desk = before.devices[1]!.device;
    const sent = await call('POST', '/auth/v2/auth', {
      username: 'alice',
      factor: 'sms',
      device: desk,
    });
    expect(sent).toMatchObject({ result: 'deny', status: 'sent' });
    const after = await call('POST', '/auth/v2/preauth', { username: 'alice' });
    expect(after.devices.find((d) => d.device === desk)?.sms_nextcode).toBe('1');
    expect(after.devices.find((d) => d.device !== desk)?.sms_nextcode).toBeUndefined();

    const batch = emu.users.resolve('alice')!.user.smsPasscodes;
    expect(batch.map((c) => c[0]).join('')).toBe('1234567890');
    expect(batch.every((c) => /^\d{7}$/.test(c))).toBe(true);
    const first = batch[0]!;
    const ok = await call('POST', '/auth/v2/auth', {
      username: 'alice',
      factor: 'passcode',
      passcode: first,
    });
    expect(ok.result).toBe('allow');
    const next = await call('POST', '/auth/v2/preauth', { username: 'alice' });
    expect(next.devices.find((d) => d.device === desk)?.sms_nextcode).toBe('2');
  });
});

describe('remembered devices (trusted_device_token)', () => {
  it('off by default: no token is returned and a presented token is ignored', async () => {
    const auth = await call('POST', '/auth/v2/auth', { username: 'bob', factor: 'push' });
    expect(auth.result).toBe('allow');
    expect(auth).not.toHaveProperty('trusted_device_token');
    const pre = await call('POST', '/auth/v2/preauth', {
      username: 'bob',
      trusted_device_token: 'made-up',
    });
    expect(pre.result).toBe('auth');
  });

  it('when enabled: auth returns a token, preauth with it allows the same user until it expires', async () => {
    emu.apps.setRememberDevices(emu.authApiApp!.ikey, 3600);
    const auth = await call('POST', '/auth/v2/auth', { username: 'bob', factor: 'push' });
    expect(auth.result).toBe('allow');
    const token = auth.trusted_device_token!;
    expect(token).toMatch(/^[A-Za-z0-9_-]{40,}$/);

    const pre = await call('POST', '/auth/v2/preauth', {
      username: 'bob',
      trusted_device_token: token,
    });
    expect(pre).toMatchObject({ result: 'allow', trusted_device_token: token });
    const other = await call('POST', '/auth/v2/preauth', {
      username: 'alice',
      trusted_device_token: token,
    });
    expect(other.result).toBe('auth');
    const forged = await call('POST', '/auth/v2/preauth', {
      username: 'bob',
      trusted_device_token: token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A'),
    });
    expect(forged.result).toBe('auth');

    now += 3601_000;
    const expired = await call('POST', '/auth/v2/preauth', {
      username: 'bob',
      trusted_device_token: token,
    });
    expect(expired.result).toBe('auth');
  });

  it('a token is not honoured once the policy is turned off, nor by another application', async () => {
    emu.apps.setRememberDevices(emu.authApiApp!.ikey, 3600);
    const { trusted_device_token: token } = await call('POST', '/auth/v2/auth', {
      username: 'bob',
      factor: 'push',
    });
    const second = emu.apps.createAuthApi({ name: 'Second', rememberDevicesSec: 3600 });
    const api2 = new TestAuthApiClient({ ...api.o, ikey: second.ikey, skey: second.skey });
    const res = await api2.call('POST', '/auth/v2/preauth', {
      username: 'bob',
      trusted_device_token: token!,
    });
    expect(res.json().response.result).toBe('auth');
    emu.apps.setRememberDevices(emu.authApiApp!.ikey, undefined);
    const off = await call('POST', '/auth/v2/preauth', {
      username: 'bob',
      trusted_device_token: token!,
    });
    expect(off.result).toBe('auth');
  });

  it('async push: the final auth_status carries the token; denials, SMS and bypass get none', async () => {
    emu.apps.setRememberDevices(emu.authApiApp!.ikey, 3600);
    const { txid } = await call('POST', '/auth/v2/auth', {
      username: 'bob',
      factor: 'push',
      async: '1',
    });
    let status = await call('GET', '/auth/v2/auth_status', { txid });
    while (status.result === 'waiting')
      status = await call('GET', '/auth/v2/auth_status', { txid });
    expect(status.result).toBe('allow');
    expect(status.trusted_device_token).toBeTruthy();

    const wrong = await call('POST', '/auth/v2/auth', {
      username: 'alice',
      factor: 'passcode',
      passcode: '000000',
    });
    expect(wrong).not.toHaveProperty('trusted_device_token');
    const sms = await call('POST', '/auth/v2/auth', { username: 'alice', factor: 'sms' });
    expect(sms).not.toHaveProperty('trusted_device_token');
    const bypass = await call('POST', '/auth/v2/auth', { username: 'bypassed', factor: 'auto' });
    expect(bypass.result).toBe('allow');
    expect(bypass).not.toHaveProperty('trusted_device_token');
  });

  it('the policy needs a positive whole number of seconds', () => {
    expect(() => emu.apps.setRememberDevices(emu.authApiApp!.ikey, 0)).toThrow(
      expect.objectContaining({ code: 'APP_INVALID' }),
    );
  });
});
