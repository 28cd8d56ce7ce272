// Every scripted fault behaves as documented in README "Fault API" (OUT-01..OUT-04,
// DA-02, DA-04; duo-protocol.md §B.6, §D.2).
import { Client } from '@duosecurity/duo_universal';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startDuoEmulator, type DuoEmulator } from '../src/index.js';
import { TestAuthApiClient } from './support/auth-api-client.js';
import { trustCaForDuoClient } from './support/duo-sdk-ca-seam.js';
import { httpsRequest } from './support/https-client.js';

let emu: DuoEmulator;
let api: TestAuthApiClient;

const ping = () => httpsRequest(`https://${emu.apiHost}/auth/v2/ping`, { ca: emu.caPem });
const sdk = (): Client => {
  const c = new Client({
    clientId: emu.webSdkApp!.clientId,
    clientSecret: emu.webSdkApp!.clientSecret,
    apiHost: emu.apiHost,
    redirectUrl: 'https://app.example.test/cb',
  });
  trustCaForDuoClient(c, emu.caPem);
  return c;
};

beforeAll(async () => {
  emu = await startDuoEmulator({
    users: [
      { username: 'alice', devices: [{}] },
      { username: 'bob', devices: [{}] },
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
afterEach(async () => emu.faults.reset());

describe('outage (OUT-01)', () => {
  it("'refuse' stops listening: connections are refused; clearing it listens again on the same port", async () => {
    expect((await ping()).status).toBe(200);
    await emu.faults.set({ outage: 'refuse' });
    await expect(ping()).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await expect(sdk().healthCheck()).rejects.toThrow(/ECONNREFUSED/);
    await emu.faults.set({ outage: undefined });
    expect((await ping()).status).toBe(200);
  });

  it("'refuse' with outageDurationMs heals by itself (usable from the HTTP admin API)", async () => {
    await emu.faults.set({ outage: 'refuse', outageDurationMs: 150 });
    await expect(ping()).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await new Promise((r) => setTimeout(r, 300));
    expect((await ping()).status).toBe(200);
  });

  it("'5xx' answers HTTP 500 (or outageStatus) with Duo's 50001 body, on the selected endpoints only", async () => {
    await emu.faults.set({
      outage: '5xx',
      outageStatus: 503,
      endpoints: ['/oauth/v1/health_check'],
    });
    // SDK 3.0.0 needs message and message_detail to quote Duo, so a bare 5xx body reads as malformed.
    await expect(sdk().healthCheck()).rejects.toThrow(/Result missing expected data/);
    expect((await ping()).status).toBe(200);
    await emu.faults.set({ endpoints: undefined });
    const res = await ping();
    expect(res.status).toBe(503);
    expect(res.json()).toEqual({
      stat: 'FAIL',
      code: 50001,
      message: 'Unknown internal server error',
    });
  });

  it('healthCheckFail: HTTP 200 with stat FAIL (Duo unhealthy), which the SDK throws on', async () => {
    await emu.faults.set({ healthCheckFail: true });
    const res = await httpsRequest(`https://${emu.apiHost}/oauth/v1/health_check`, {
      ca: emu.caPem,
      method: 'POST',
    });
    expect(res.status).toBe(200);
    expect(res.json().stat).toBe('FAIL');
    await expect(sdk().healthCheck()).rejects.toThrow();
  });
});

describe('outage lifecycle', () => {
  it('stop() works while refusing; the HTTP API only accepts a refusal that ends by itself', async () => {
    const other = await startDuoEmulator();
    const put = (body: unknown) =>
      httpsRequest(`https://${other.apiHost}/_emulator/faults`, {
        ca: other.caPem,
        method: 'PUT',
        headers: { 'x-emulator-token': other.adminToken, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await put({ outage: 'refuse' })).status).toBe(400);
    expect((await put({ outage: 'refuse', outageDurationMs: 60_000 })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 50));
    await expect(
      httpsRequest(`https://${other.apiHost}/auth/v2/ping`, { ca: other.caPem }),
    ).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await other.stop();
  });
});

describe('latency (OUT-03)', () => {
  it('delays answers by latencyMs', async () => {
    await emu.faults.set({ latencyMs: 250 });
    const t0 = performance.now();
    await ping();
    expect(performance.now() - t0).toBeGreaterThanOrEqual(240);
    await emu.faults.set({ latencyMs: undefined });
    const t1 = performance.now();
    await ping();
    expect(performance.now() - t1).toBeLessThan(200);
  });
});

describe('rate limiting (OUT-04, §B.6)', () => {
  it('429 with Duo 42901 body and Retry-After seconds, for the next N requests only', async () => {
    await emu.faults.set({ rateLimit: { remaining: 2, retryAfterSec: 3 } });
    for (let i = 0; i < 2; i++) {
      const res = await api.call('POST', '/auth/v2/preauth', { username: 'alice' });
      expect(res.status).toBe(429);
      expect(res.headers['retry-after']).toBe('3');
      expect(res.json()).toEqual({ stat: 'FAIL', code: 42901, message: 'Too many requests' });
    }
    expect((await api.call('POST', '/auth/v2/preauth', { username: 'alice' })).status).toBe(200);
  });

  it('Retry-After as an HTTP-date, and limited to one user', async () => {
    await emu.faults.set({ rateLimit: { retryAfterSec: 10, retryAfterDate: true, user: 'alice' } });
    const limited = await api.call('POST', '/auth/v2/preauth', { username: 'alice' });
    expect(limited.status).toBe(429);
    const when = Date.parse(String(limited.headers['retry-after']));
    expect(when - Date.now()).toBeGreaterThan(8000);
    expect(when - Date.now()).toBeLessThan(12_000);
    expect((await api.call('POST', '/auth/v2/preauth', { username: 'bob' })).status).toBe(200);
  });
});

describe('malformed bodies (DA-04, DU-07 b)', () => {
  it.each([
    ['truncated_json', 'application/json'],
    ['html', 'text/html'],
    ['empty', 'application/json'],
  ] as const)('%s', async (kind, type) => {
    await emu.faults.set({ malformedBody: kind });
    const res = await api.call('POST', '/auth/v2/preauth', { username: 'alice' });
    expect(String(res.headers['content-type'])).toContain(type);
    expect(() => {
      JSON.parse(res.text);
    }).toThrow();
  });
});

describe('clock skew (DA-02)', () => {
  it('a request signed with a correct clock is refused when the emulator clock is 6 minutes ahead', async () => {
    expect((await api.call('GET', '/auth/v2/check')).status).toBe(200);
    await emu.faults.set({ clockSkewSec: 360 });
    const res = await api.call('GET', '/auth/v2/check');
    expect(res.status).toBe(401);
    expect(res.json().code).toBe(40103);
    await emu.faults.set({ clockSkewSec: 120 });
    const ok = await api.call('GET', '/auth/v2/check');
    expect(ok.status).toBe(200);
    expect(ok.json().response.time - Date.now() / 1000).toBeGreaterThan(115);
  });
});

describe('fault API validation', () => {
  it('rejects unknown fault names with a typed error', async () => {
    await expect(emu.faults.set({ explode: true } as never)).rejects.toMatchObject({
      name: 'DuoEmulatorError',
      code: 'OPTIONS_INVALID',
    });
  });

  it.each([
    ['pushAnswer', 'zzz'],
    ['pushAnswer', 'APPROVE'],
    ['promptAction', 'zzz'],
    ['promptAction', 'manual'],
  ] as const)('refuses %s=%s like every other enumerated fault', async (field, value) => {
    await expect(emu.faults.set({ [field]: value })).rejects.toMatchObject({
      name: 'DuoEmulatorError',
      code: 'OPTIONS_INVALID',
    });
    expect(emu.faults.get()).not.toHaveProperty(field);
    const res = await httpsRequest(`https://${emu.apiHost}/_emulator/faults`, {
      ca: emu.caPem,
      method: 'PUT',
      headers: { 'x-emulator-token': emu.adminToken, 'content-type': 'application/json' },
      body: JSON.stringify({ [field]: value }),
    });
    expect(res.status).toBe(400);
    expect(res.json<{ error: string }>().error).toBe('OPTIONS_INVALID');
    expect(emu.faults.get()).not.toHaveProperty(field);
  });

  it('accepts every documented pushAnswer and promptAction', async () => {
    for (const pushAnswer of ['approve', 'deny', 'fraud', 'timeout', 'manual'] as const)
      expect((await emu.faults.set({ pushAnswer })).pushAnswer).toBe(pushAnswer);
    for (const promptAction of ['interactive', 'approve', 'deny'] as const)
      expect((await emu.faults.set({ promptAction })).promptAction).toBe(promptAction);
  });

  it('refuses unknown values at start and in per-user answers too', async () => {
    await expect(
      startDuoEmulator({ faults: { pushAnswer: 'zzz' } as never }),
    ).rejects.toMatchObject({ code: 'OPTIONS_INVALID' });
    expect(() => emu.users.update('alice', { pushAnswer: 'zzz' } as never)).toThrow(
      expect.objectContaining({ code: 'OPTIONS_INVALID' }),
    );
    expect(() => emu.users.create({ username: 'zed', promptAction: 'zzz' } as never)).toThrow(
      expect.objectContaining({ code: 'OPTIONS_INVALID' }),
    );
    expect(emu.users.resolve('zed')).toBeUndefined();
  });
});
