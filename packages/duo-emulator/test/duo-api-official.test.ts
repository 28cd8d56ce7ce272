// Duo's official Auth API client, @duosecurity/duo_api 1.5, against the emulator over real HTTPS
// (DA-01 signing interop, DA-02 clock, DA-03 preauth results). The only seam swaps the client's
// pinned CA for the emulator's (TLS verification stays on); the emulator runs on 443 because the
// client has no port option.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DuoEmulator } from '../src/index.js';
import { startOnDefaultPort } from './support/default-port.js';
import {
  callJson,
  callRaw,
  duoApi,
  trustCaForDuoApi,
  type DuoApiClient,
} from './support/duo-api-seam.js';

const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

interface Answer {
  stat: string;
  code?: number;
  message?: string;
  message_detail?: string;
  response: {
    time: number;
    result: string;
    status: string;
    status_msg: string;
    txid: string;
    devices: Array<{ device: string; capabilities: string[] }>;
    activation_code: string;
    user_id: string;
    username: string;
    expiration: number;
  };
}

let emu: DuoEmulator | undefined;
let skip = '';
let restore: (() => void) | undefined;
let v2: DuoApiClient;
let v5: DuoApiClient;
let pinnedAnswer: Answer | undefined;

beforeAll(async () => {
  const started = await startOnDefaultPort({
    settings: { longPollMs: 200 },
    faults: { pushAnswer: 'approve' },
    authApiApps: [{ name: 'Auth API', logo: PNG }],
    users: [
      {
        username: 'alice',
        devices: [{ name: 'iPhone', number: '+15555550123', sms: true, phone: true }],
        passcodes: ['111222', '333444'],
      },
      { username: 'carol' },
      { username: 'bypassed', status: 'bypass' },
    ],
  });
  if ('skip' in started) {
    skip = started.skip;
    return;
  }
  emu = started.emu;
  const { ikey, skey } = emu.authApiApp!;
  v2 = new duoApi.Client(ikey, skey, emu.apiHost);
  v5 = new duoApi.Client(ikey, skey, emu.apiHost, duoApi.SIGNATURE_VERSION_5);
  // Before the seam the client still pins Duo's CAs: the emulator is refused.
  pinnedAnswer = await callJson<Answer>(v2, 'GET', '/auth/v2/check');
  restore = trustCaForDuoApi(emu.caPem);
});
afterAll(async () => {
  restore?.();
  await emu?.stop();
});

describe('@duosecurity/duo_api 1.5 against the emulator', () => {
  it('without the seam the pinned client refuses the emulator certificate (TLS stays verified)', (ctx) => {
    if (!emu) return ctx.skip(skip);
    expect(emu.apiHost).toBe('127.0.0.1');
    expect(pinnedAnswer?.stat).toBe('ERROR');
    expect(pinnedAnswer?.message).toMatch(/certificate|self.signed/i);
  });

  it('ping and check (v2 and v5)', async (ctx) => {
    if (!emu) return ctx.skip(skip);
    const ping = await callJson<Answer>(v2, 'GET', '/auth/v2/ping');
    expect(ping.stat).toBe('OK');
    for (const client of [v2, v5]) {
      const check = await callJson<Answer>(client, 'GET', '/auth/v2/check');
      expect(check.stat).toBe('OK');
      expect(Math.abs(check.response.time - Date.now() / 1000)).toBeLessThan(5);
    }
  });

  it('preauth: auth with devices, enroll, allow (v2 and v5)', async (ctx) => {
    if (!emu) return ctx.skip(skip);
    for (const client of [v2, v5]) {
      const alice = await callJson<Answer>(client, 'POST', '/auth/v2/preauth', {
        username: 'alice',
      });
      expect(alice.response.result).toBe('auth');
      expect(alice.response.devices[0]!.capabilities).toEqual(
        expect.arrayContaining(['push', 'sms', 'phone']),
      );
      const carol = await callJson<Answer>(client, 'POST', '/auth/v2/preauth', {
        username: 'carol',
      });
      expect(carol.response.result).toBe('enroll');
      const bypass = await callJson<Answer>(client, 'POST', '/auth/v2/preauth', {
        username: 'bypassed',
      });
      expect(bypass.response.result).toBe('allow');
    }
  });

  it('auth: push, passcode, sms and phone', async (ctx) => {
    if (!emu) return ctx.skip(skip);
    const auth = (client: DuoApiClient, params: Record<string, string>) =>
      callJson<Answer>(client, 'POST', '/auth/v2/auth', { username: 'alice', ...params });
    expect((await auth(v2, { factor: 'push', device: 'auto' })).response).toMatchObject({
      result: 'allow',
      status: 'allow',
    });
    expect((await auth(v5, { factor: 'push', device: 'auto' })).response.result).toBe('allow');
    expect((await auth(v2, { factor: 'passcode', passcode: '111222' })).response.result).toBe(
      'allow',
    );
    expect((await auth(v5, { factor: 'passcode', passcode: '111222' })).response.result).toBe(
      'deny',
    );
    expect((await auth(v5, { factor: 'passcode', passcode: '333444' })).response.result).toBe(
      'allow',
    );
    expect((await auth(v2, { factor: 'sms', device: 'auto' })).response).toMatchObject({
      result: 'deny',
      status: 'sent',
    });
    expect((await auth(v5, { factor: 'phone', device: 'auto' })).response.result).toBe('allow');
  });

  it('async auth with auth_status long-polling', async (ctx) => {
    if (!emu) return ctx.skip(skip);
    for (const client of [v2, v5]) {
      const started = await callJson<Answer>(client, 'POST', '/auth/v2/auth', {
        username: 'alice',
        factor: 'push',
        device: 'auto',
        async: '1',
      });
      const txid = started.response.txid;
      expect(txid).toMatch(/^[0-9a-f-]{36}$/);
      let status = await callJson<Answer>(client, 'GET', '/auth/v2/auth_status', { txid });
      for (let i = 0; status.response.result === 'waiting' && i < 10; i++)
        status = await callJson<Answer>(client, 'GET', '/auth/v2/auth_status', { txid });
      expect(status.response).toMatchObject({ result: 'allow', status: 'allow' });
    }
  });

  it('enroll, enroll_status (waiting, success) and the enrolled push device', async (ctx) => {
    if (!emu) return ctx.skip(skip);
    const enrolled = await callJson<Answer>(v5, 'POST', '/auth/v2/enroll', {
      username: 'newbie',
    });
    expect(enrolled.stat).toBe('OK');
    const { user_id, activation_code } = enrolled.response;
    const status = () =>
      callJson<{ stat: string; response: string }>(v2, 'POST', '/auth/v2/enroll_status', {
        user_id,
        activation_code,
      });
    expect((await status()).response).toBe('waiting');
    emu.enrollments.activate(activation_code);
    expect((await status()).response).toBe('success');
    const auth = await callJson<Answer>(v2, 'POST', '/auth/v2/auth', {
      username: 'newbie',
      factor: 'push',
      device: 'auto',
    });
    expect(auth.response.result).toBe('allow');
  });

  it('logo: the PNG as the client reads it', async (ctx) => {
    if (!emu) return ctx.skip(skip);
    // The client decodes every body as UTF-8 (res.setEncoding), so compare in that form.
    expect(await callRaw(v2, 'GET', '/auth/v2/logo')).toBe(PNG.toString('utf8'));
  });

  it('a wrong secret key or integration key is 401', async (ctx) => {
    if (!emu) return ctx.skip(skip);
    const { ikey, skey } = emu.authApiApp!;
    const wrongSkey = new duoApi.Client(ikey, skey.slice(1) + 'x', emu.apiHost);
    expect(await callJson<Answer>(wrongSkey, 'GET', '/auth/v2/check')).toEqual({
      stat: 'FAIL',
      code: 40103,
      message: 'Invalid signature in request credentials',
    });
    const wrongIkey = new duoApi.Client('DIWRONGWRONGWRONGWRO', skey, emu.apiHost);
    expect(
      (await callJson<Answer>(wrongIkey, 'POST', '/auth/v2/preauth', { username: 'alice' })).code,
    ).toBe(40102);
  });

  it('a stale date (the emulator clock 10 minutes ahead) is 401 40103 (DA-02)', async (ctx) => {
    if (!emu) return ctx.skip(skip);
    await emu.faults.set({ clockSkewSec: 600 });
    try {
      for (const client of [v2, v5])
        expect((await callJson<Answer>(client, 'GET', '/auth/v2/check')).code).toBe(40103);
    } finally {
      await emu.faults.set({ clockSkewSec: undefined });
    }
  });
});
