// /auth/v2/enroll, /auth/v2/enroll_status and /auth/v2/logo (duo-protocol.md B.4), with Duo's
// parameter checks and error envelope; an enrollment, once claimed, is a working push device
// (preauth lists it, a push succeeds: DA-03's `enroll` path ends in a usable account).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startDuoEmulator, type DuoEmulator } from '../src/index.js';
import { TestAuthApiClient } from './support/auth-api-client.js';
import { httpsRequest } from './support/https-client.js';

const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

let emu: DuoEmulator;
let api: TestAuthApiClient;
let now = Date.now();

interface EnrollResponse {
  activation_barcode: string;
  activation_code: string;
  activation_url: string;
  expiration: number;
  user_id: string;
  username: string;
}

const enroll = async (params: Record<string, string> = {}): Promise<EnrollResponse> => {
  const res = await api.call('POST', '/auth/v2/enroll', params);
  expect(res.status, res.text).toBe(200);
  return res.json<{ response: EnrollResponse }>().response;
};
const status = async (user_id: string, activation_code: string): Promise<unknown> =>
  (await api.call('POST', '/auth/v2/enroll_status', { user_id, activation_code })).json<{
    response: unknown;
  }>().response;

beforeAll(async () => {
  emu = await startDuoEmulator({
    clock: { nowMs: () => now },
    users: [{ username: 'alice', devices: [{}] }],
    authApiApps: [{ name: 'With logo', logo: PNG }, { name: 'No logo' }],
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
afterEach(async () => {
  now = Date.now();
  await emu.faults.reset();
});

describe('/auth/v2/enroll', () => {
  it('creates a user and returns Duo’s activation fields', async () => {
    const r = await enroll({ username: 'dave' });
    expect(r.username).toBe('dave');
    expect(r.user_id).toMatch(/^DU[A-Z0-9]{18}$/);
    expect(r.activation_code).toMatch(/^duo:\/\/[A-Za-z0-9]{20}-[A-Za-z0-9+/]+$/);
    const hostPart = r.activation_code.split('-').at(-1)!;
    expect(Buffer.from(hostPart, 'base64').toString()).toBe(emu.apiHost);
    expect(r.activation_barcode).toBe(
      `https://${emu.apiHost}/frame/qr?value=${encodeURIComponent(r.activation_code)}`,
    );
    expect(r.activation_url).toMatch(/\/frame\/activate\/[A-Za-z0-9]{20}$/);
    expect(r.expiration).toBe(Math.floor(now / 1000) + 86_400);
    expect(emu.users.resolve('dave')?.user.userId).toBe(r.user_id);
  });

  it('picks a random username when none is given; valid_secs sets the expiration', async () => {
    const r = await enroll({ valid_secs: '120' });
    expect(r.username).toMatch(/^[0-9a-f]{32}$/);
    expect(r.expiration).toBe(Math.floor(now / 1000) + 120);
  });

  it('an existing username or alias is 400 40002', async () => {
    const res = await api.call('POST', '/auth/v2/enroll', { username: 'ALICE' });
    expect(res.status).toBe(400);
    expect(res.json()).toEqual({
      stat: 'FAIL',
      code: 40002,
      message: 'Invalid request parameters',
      message_detail: 'username already exists',
    });
  });

  it.each(['0', '-5', 'abc', '1.5', ''])('valid_secs=%j is 400 40002 valid_secs', async (v) => {
    const res = await api.call('POST', '/auth/v2/enroll', { valid_secs: v });
    expect(res.json()).toMatchObject({ code: 40002, message_detail: 'valid_secs' });
  });

  it('needs a valid signature (401 40103)', async () => {
    const res = await api.call('POST', '/auth/v2/enroll', {}, { tamper: true });
    expect(res.status).toBe(401);
    expect(res.json().code).toBe(40103);
  });
});

describe('/auth/v2/enroll_status and activation', () => {
  it('waiting, then success once claimed; the device is usable for preauth and push', async () => {
    const r = await enroll({ username: 'erin' });
    expect(await status(r.user_id, r.activation_code)).toBe('waiting');
    const pre = await api.call('POST', '/auth/v2/preauth', { username: 'erin' });
    expect(pre.json().response.result).toBe('enroll');
    expect(emu.enrollments.pending().map((e) => e.activationCode)).toContain(r.activation_code);

    const device = emu.enrollments.activate(r.activation_code);
    expect(device.capabilities).toContain('push');
    expect(await status(r.user_id, r.activation_code)).toBe('success');
    const after = await api.call('POST', '/auth/v2/preauth', { username: 'erin' });
    expect(after.json().response.result).toBe('auth');
    expect(after.json().response.devices.map((d) => d.device)).toEqual([device.device]);
    await emu.faults.set({ pushAnswer: 'approve' });
    const auth = await api.call('POST', '/auth/v2/auth', {
      username: 'erin',
      factor: 'push',
      device: device.device,
    });
    expect(auth.json().response).toMatchObject({ result: 'allow', status: 'allow' });
    expect(() => emu.enrollments.activate(r.activation_code)).toThrow(
      expect.objectContaining({ code: 'OPTIONS_INVALID' }),
    );
  });

  it('the activation page and the admin API claim a code too', async () => {
    const viaPage = await enroll();
    const url = new URL(viaPage.activation_url);
    const get = await httpsRequest(url.href, { ca: emu.caPem });
    expect(get.status).toBe(200);
    expect(get.text).toContain('id="duo-activate"');
    const post = await httpsRequest(url.href, { ca: emu.caPem, method: 'POST' });
    expect(post.status).toBe(200);
    expect(await status(viaPage.user_id, viaPage.activation_code)).toBe('success');
    expect((await httpsRequest(url.href, { ca: emu.caPem, method: 'POST' })).status).toBe(404);

    const viaAdmin = await enroll();
    const res = await httpsRequest(`https://${emu.apiHost}/_emulator/activations`, {
      ca: emu.caPem,
      method: 'POST',
      headers: { 'x-emulator-token': emu.adminToken, 'content-type': 'application/json' },
      body: JSON.stringify({ activation_code: viaAdmin.activation_code }),
    });
    expect(res.status).toBe(200);
    expect(await status(viaAdmin.user_id, viaAdmin.activation_code)).toBe('success');
  });

  it('invalid: expired, another user’s code, an unknown code or user', async () => {
    const a = await enroll({ valid_secs: '60' });
    const b = await enroll();
    expect(await status(b.user_id, a.activation_code)).toBe('invalid');
    expect(await status(a.user_id, 'duo://AAAAAAAAAAAAAAAAAAAA-eA')).toBe('invalid');
    expect(await status('DUAAAAAAAAAAAAAAAAAA', a.activation_code)).toBe('invalid');
    now += 61_000;
    expect(await status(a.user_id, a.activation_code)).toBe('invalid');
    expect(() => emu.enrollments.activate(a.activation_code)).toThrow(
      expect.objectContaining({ code: 'OPTIONS_INVALID' }),
    );
  });

  it('user_id and activation_code are required (400 40001)', async () => {
    const noUser = await api.call('POST', '/auth/v2/enroll_status', { activation_code: 'x' });
    expect(noUser.status).toBe(400);
    expect(noUser.json()).toMatchObject({ code: 40001, message_detail: 'user_id' });
    const noCode = await api.call('POST', '/auth/v2/enroll_status', { user_id: 'DUX' });
    expect(noCode.json()).toMatchObject({ code: 40001, message_detail: 'activation_code' });
  });
});

describe('/auth/v2/logo', () => {
  it('returns the application’s logo as image/png', async () => {
    const res = await api.call('GET', '/auth/v2/logo');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('image/png');
    expect(res.bytes.equals(PNG)).toBe(true);
  });

  it('is 404 40401 when the application has no logo; a logo must be a PNG', async () => {
    const other = emu.apps.list().find((a) => a.name === 'No logo');
    if (other?.type !== 'authapi') throw new Error('fixture missing');
    const noLogo = new TestAuthApiClient({ ...api.o, ikey: other.ikey, skey: other.skey });
    const res = await noLogo.call('GET', '/auth/v2/logo');
    expect(res.status).toBe(404);
    expect(res.json()).toEqual({
      stat: 'FAIL',
      code: 40401,
      message: 'Resource not found',
      message_detail: 'Logo not found',
    });
    expect(() => emu.apps.setLogo(other.ikey, Buffer.from('GIF89a'))).toThrow(
      expect.objectContaining({ code: 'APP_INVALID' }),
    );
    emu.apps.setLogo(other.ikey, PNG);
    expect((await noLogo.call('GET', '/auth/v2/logo')).bytes.equals(PNG)).toBe(true);
  });

  it('needs a valid signature (401 40103)', async () => {
    const res = await api.call('GET', '/auth/v2/logo', {}, { tamper: true });
    expect(res.status).toBe(401);
    expect(res.json().code).toBe(40103);
  });
});
