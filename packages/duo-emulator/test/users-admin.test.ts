// Users: Free-plan limit (duo-protocol.md §D.3, our choice of answer), delete / restore (how a
// user who lost a device is reactivated), aliases, and the HTTP admin API.
import { Client } from '@duosecurity/duo_universal';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_USERS, startDuoEmulator, type DuoEmulator } from '../src/index.js';
import { TestAuthApiClient } from './support/auth-api-client.js';
import { trustCaForDuoClient } from './support/duo-sdk-ca-seam.js';
import { httpsRequest } from './support/https-client.js';

let emu: DuoEmulator;
let api: TestAuthApiClient;
const admin = (method: string, path: string, body?: unknown, token?: string) =>
  httpsRequest(`https://${emu.apiHost}/_emulator${path}`, {
    ca: emu.caPem,
    method,
    headers: {
      'x-emulator-token': token ?? emu.adminToken,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });

beforeAll(async () => {
  emu = await startDuoEmulator({ maxUsers: 10, faults: { promptAction: 'approve' } });
  api = new TestAuthApiClient({
    apiHost: emu.apiHost,
    ca: emu.caPem,
    ikey: emu.authApiApp!.ikey,
    skey: emu.authApiApp!.skey,
  });
  for (let i = 1; i <= 9; i++) emu.users.create({ username: `user${i}`, devices: [{}] });
});
afterAll(async () => emu.stop());

describe('Free plan: 10 users (§D.3; the exact Duo answer is our choice)', () => {
  it('the 10th user is created, the 11th is refused (library, admin API, preauth, prompt)', async () => {
    emu.users.create({ username: 'user10', devices: [{}] });
    expect(emu.users.count).toBe(10);
    expect(() => emu.users.create({ username: 'user11' })).toThrow(
      expect.objectContaining({ code: 'USER_LIMIT_REACHED' }),
    );
    const res = await admin('POST', '/users', { username: 'user11' });
    expect(res.status).toBe(403);
    expect(res.json().error).toBe('USER_LIMIT_REACHED');
    const pre = (await api.call('POST', '/auth/v2/preauth', { username: 'user11' })).json()
      .response;
    expect(pre).toEqual({
      result: 'deny',
      status_msg:
        'This Duo account has reached the Free plan limit of 10 users. Contact your administrator.',
    });
    const client = new Client({
      clientId: emu.webSdkApp!.clientId,
      clientSecret: emu.webSdkApp!.clientSecret,
      apiHost: emu.apiHost,
      redirectUrl: 'https://app.example.test/cb',
    });
    trustCaForDuoClient(client, emu.caPem);
    const loc = new URL(
      String(
        (
          await httpsRequest(await client.createAuthUrl('user11', client.generateState()), {
            ca: emu.caPem,
          })
        ).headers['location'],
      ),
    );
    expect(loc.searchParams.get('error')).toBe('access_denied');
    expect(loc.searchParams.get('error_description')).toMatch(/Free plan limit of 10 users/);
    // Existing users still log in.
    expect(
      (await api.call('POST', '/auth/v2/preauth', { username: 'user10' })).json().response.result,
    ).toBe('auth');
  });

  it('deleting a user frees a seat; restoring is refused while the plan is full', async () => {
    emu.users.delete('user10');
    emu.users.create({ username: 'user11' });
    expect(() => emu.users.restore('user10')).toThrow(
      expect.objectContaining({ code: 'USER_LIMIT_REACHED' }),
    );
    emu.users.delete('user11');
  });
});

describe('delete and restore (reactivating a user who lost a device)', () => {
  it('a deleted user must enroll again; restoring brings the devices back', async () => {
    const device = emu.users.require('user1').devices[0]!.device;
    const del = await admin('DELETE', '/users/user1');
    expect(del.status).toBe(200);
    expect(
      (await api.call('POST', '/auth/v2/preauth', { username: 'user1' })).json().response.result,
    ).toBe('enroll');
    const res = await admin('POST', '/users/user1/restore');
    expect(res.status).toBe(200);
    const pre = (await api.call('POST', '/auth/v2/preauth', { username: 'user1' })).json().response;
    expect(pre.result).toBe('auth');
    expect(pre.devices[0]!.device).toBe(device);
  });

  it('restoring a user that is not deleted -> 404', async () => {
    expect((await admin('POST', '/users/nobody/restore')).status).toBe(404);
  });
});

describe('aliases', () => {
  it('an alias cannot belong to two users; aliases match case-insensitively', async () => {
    emu.users.update('user2', { aliases: ['U2@Example.com'] });
    expect(() => emu.users.update('user3', { aliases: ['u2@example.com'] })).toThrow(
      expect.objectContaining({ code: 'ALIAS_TAKEN' }),
    );
    expect(emu.users.resolve('u2@EXAMPLE.com')).toMatchObject({
      matchedBy: 'alias',
      sentName: 'u2@EXAMPLE.com',
    });
    expect(emu.users.resolve('u2@EXAMPLE.com')!.user.username).toBe('user2');
  });

  it('usernames with surrounding whitespace or control characters are refused (DUO-PSA-2015-003)', () => {
    expect(() => emu.users.create({ username: ' user2' })).toThrow(
      expect.objectContaining({ code: 'OPTIONS_INVALID' }),
    );
    expect(() => emu.users.create({ username: 'a\nb' })).toThrow(
      expect.objectContaining({ code: 'OPTIONS_INVALID' }),
    );
  });
});

describe('HTTP admin API', () => {
  it('requires the admin token', async () => {
    expect((await admin('GET', '/state', undefined, 'wrong')).status).toBe(401);
    expect(
      (await httpsRequest(`https://${emu.apiHost}/_emulator/state`, { ca: emu.caPem })).status,
    ).toBe(401);
    expect((await admin('GET', '/state')).json().apiHost).toBe(emu.apiHost);
  });

  it('sets and clears faults, and reads counters', async () => {
    const set = await admin('PUT', '/faults', { latencyMs: 5, pushAnswer: 'deny' });
    expect(set.json()).toMatchObject({ latencyMs: 5, pushAnswer: 'deny' });
    expect(emu.faults.get().pushAnswer).toBe('deny');
    expect((await admin('DELETE', '/faults')).json()).toEqual({});
    expect((await admin('PUT', '/faults', { bogus: 1 })).status).toBe(400);
    await api.call('POST', '/auth/v2/preauth', { username: 'user4' });
    const counters = (await admin('GET', '/counters')).json<
      Array<{
        endpoint: string;
        user: string | null;
        count: number;
      }>
    >();
    expect(counters).toContainEqual({ endpoint: '/auth/v2/preauth', user: 'user4', count: 1 });
  });

  it('refuses requests whose Host is not the emulator (DNS rebinding)', async () => {
    const res = await httpsRequest(`https://${emu.apiHost}/_emulator/state`, {
      ca: emu.caPem,
      headers: { host: 'attacker.example', 'x-emulator-token': emu.adminToken },
      servername: 'localhost',
    });
    expect(res.json()).toMatchObject({ stat: 'FAIL', code: 40002 });
    expect(res.status).toBe(400);
  });
});

describe('initial users', () => {
  it('starts with no users unless given users or seed: true (the CLI’s demo users)', async () => {
    const empty = await startDuoEmulator();
    const seeded = await startDuoEmulator({ seed: true, users: [{ username: 'extra' }] });
    try {
      expect(empty.users.list()).toEqual([]);
      expect(seeded.users.list().map((u) => u.username)).toEqual([
        ...DEMO_USERS.map((u) => u.username),
        'extra',
      ]);
      expect(seeded.users.resolve('alice@example.com')?.user.username).toBe('alice');
      expect(seeded.users.resolve('bypass-user')?.user.status).toBe('bypass');
    } finally {
      await empty.stop();
      await seeded.stop();
    }
  });
});
