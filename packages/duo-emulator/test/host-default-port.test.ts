// The Host header (RFC 9110 §7.2): without a port it means https's default port 443. On 443 the
// emulator answers `Host: 127.0.0.1` on every route and the Auth API signature is computed over
// the host without its port, as Duo does (duo-protocol.md B.2); a foreign host is still refused
// (DNS rebinding), and a port-less Host on another port names port 443, not us.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDuoEmulator, type DuoEmulator } from '../src/index.js';
import { TestAuthApiClient } from './support/auth-api-client.js';
import { startOnDefaultPort } from './support/default-port.js';
import { httpsRequest } from './support/https-client.js';

let emu: DuoEmulator | undefined;
let skip = '';

beforeAll(async () => {
  const started = await startOnDefaultPort({
    users: [{ username: 'alice', devices: [{ name: 'iPhone' }] }],
    faults: { pushAnswer: 'approve' },
  });
  if ('skip' in started) skip = started.skip;
  else emu = started.emu;
});
afterAll(async () => emu?.stop());

const get = (path: string, host: string): ReturnType<typeof httpsRequest> =>
  httpsRequest(`https://127.0.0.1${path}`, {
    ca: emu!.caPem,
    headers: { host },
    servername: 'localhost',
  });

describe('on port 443, a Host without a port names the emulator', () => {
  it('apiHost and baseUrl carry no port', (ctx) => {
    if (!emu) return ctx.skip(skip);
    expect(emu.port).toBe(443);
    expect(emu.apiHost).toBe('127.0.0.1');
    expect(emu.baseUrl).toBe('https://127.0.0.1');
  });

  it('every route family accepts Host: 127.0.0.1 and Host: localhost', async (ctx) => {
    if (!emu) return ctx.skip(skip);
    for (const host of ['127.0.0.1', 'localhost', '127.0.0.1:443', 'LOCALHOST']) {
      const ping = await get('/auth/v2/ping', host);
      expect(ping.status, host).toBe(200);
      expect(ping.json().stat).toBe('OK');
      const health = await httpsRequest('https://127.0.0.1/oauth/v1/health_check', {
        ca: emu.caPem,
        method: 'POST',
        headers: { host, 'content-type': 'application/x-www-form-urlencoded' },
        body: '',
      });
      expect(health.json().message_detail ?? '', host).not.toBe('Host');
      const admin = await httpsRequest('https://127.0.0.1/_emulator/state', {
        ca: emu.caPem,
        headers: { host, 'x-emulator-token': emu.adminToken },
      });
      expect(admin.status, host).toBe(200);
    }
  });

  it('a signature over the host without its port is accepted (check, preauth, auth)', async (ctx) => {
    if (!emu) return ctx.skip(skip);
    const api = new TestAuthApiClient({
      apiHost: emu.apiHost,
      ca: emu.caPem,
      ikey: emu.authApiApp!.ikey,
      skey: emu.authApiApp!.skey,
    });
    for (const version of [2, 5] as const) {
      expect((await api.call('GET', '/auth/v2/check', {}, { version })).status).toBe(200);
      const pre = await api.call('POST', '/auth/v2/preauth', { username: 'alice' }, { version });
      expect(pre.json().response.result).toBe('auth');
      const auth = await api.call(
        'POST',
        '/auth/v2/auth',
        { username: 'alice', factor: 'push', device: 'auto' },
        { version },
      );
      expect(auth.json().response.result).toBe('allow');
    }
  });

  it('a signature that includes the port is refused with 40103 (Duo signs the bare host)', async (ctx) => {
    if (!emu) return ctx.skip(skip);
    const api = new TestAuthApiClient({
      apiHost: emu.apiHost,
      ca: emu.caPem,
      ikey: emu.authApiApp!.ikey,
      skey: emu.authApiApp!.skey,
      signHost: '127.0.0.1:443',
    });
    const res = await api.call('GET', '/auth/v2/check');
    expect(res.status).toBe(401);
    expect(res.json().code).toBe(40103);
  });

  it('foreign hosts and ports are still refused with 400 40002 Host', async (ctx) => {
    if (!emu) return ctx.skip(skip);
    for (const host of [
      'evil.example',
      'evil.example:443',
      '127.0.0.1:8443',
      '127.0.0.1:',
      '127.0.0.1:0443x',
    ]) {
      const res = await get('/auth/v2/ping', host);
      expect(res.status, JSON.stringify(host)).toBe(400);
      expect(res.json()).toMatchObject({ code: 40002, message_detail: 'Host' });
    }
  });
});

describe('on any other port, a Host without a port names port 443, not the emulator', () => {
  it('is refused; the explicit port is accepted', async () => {
    const other = await startDuoEmulator();
    try {
      const url = `https://${other.apiHost}/auth/v2/ping`;
      const bare = await httpsRequest(url, { ca: other.caPem, headers: { host: '127.0.0.1' } });
      expect(bare.status).toBe(400);
      expect(bare.json()).toMatchObject({ code: 40002, message_detail: 'Host' });
      const withPort = await httpsRequest(url, { ca: other.caPem });
      expect(withPort.status).toBe(200);
    } finally {
      await other.stop();
    }
  });
});
