// Headless enrolment through the Universal Prompt: `promptAction: 'enroll'` does what a user does
// on the enrolment page (adds Duo Mobile, then goes through), so provider tests of a first login
// (EN-04, DA-03's new-user policy) can run without the interactive page. Driven by the official
// SDK over real HTTPS.
import { Client } from '@duosecurity/duo_universal';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENROLL_REQUIRED, freePlanMessage } from '../src/oidc/messages.js';
import { startDuoEmulator, type DuoEmulator, type WebSdkApp } from '../src/index.js';
import { trustCaForDuoClient } from './support/duo-sdk-ca-seam.js';
import { httpsRequest } from './support/https-client.js';

const REDIRECT = 'https://app.example.test/duo/callback';
let emu: DuoEmulator;
let selfEnrol: WebSdkApp;

function sdkClient(app: { clientId: string; clientSecret: string }): Client {
  const client = new Client({
    clientId: app.clientId,
    clientSecret: app.clientSecret,
    apiHost: emu.apiHost,
    redirectUrl: REDIRECT,
  });
  trustCaForDuoClient(client, emu.caPem);
  return client;
}

/** Runs the authorize step headlessly and returns the callback's query. */
async function callback(client: Client, username: string): Promise<URLSearchParams> {
  const res = await httpsRequest(await client.createAuthUrl(username, client.generateState()), {
    ca: emu.caPem,
  });
  expect(res.status).toBe(302);
  return new URL(String(res.headers['location'])).searchParams;
}

async function login(client: Client, username: string) {
  const cb = await callback(client, username);
  expect(cb.get('error')).toBeNull();
  return client.exchangeAuthorizationCodeFor2FAResult(cb.get('duo_code')!, username);
}

beforeAll(async () => {
  emu = await startDuoEmulator({
    faults: { promptAction: 'approve' },
    users: [{ username: 'carol' }, { username: 'alice', devices: [{ name: 'iPhone' }] }],
  });
  selfEnrol = emu.apps.createWebSdk({ name: 'Self-enrolment portal', promptAction: 'enroll' });
});
afterAll(async () => emu.stop());

describe("scripted enrolment (promptAction 'enroll')", () => {
  it('a name Duo does not know enrols through the prompt (per application), then logs in as an ordinary user', async () => {
    expect(emu.users.resolve('erin')).toBeUndefined();
    const client = sdkClient(selfEnrol);
    const first = await login(client, 'erin');
    expect(first.preferred_username).toBe('erin');
    expect(first.auth_result.result).toBe('allow');
    const erin = emu.users.require('erin');
    expect(erin.devices.map((d) => d.display_name)).toEqual(['Duo Mobile']);

    // The next login finds an enrolled user: it approves without adding a second device.
    const second = await login(client, 'erin');
    expect(second.sub).toBe('erin');
    expect(emu.users.require('erin').devices).toHaveLength(1);

    // Erin's own answer now decides, as for any enrolled user.
    emu.users.update('erin', { promptAction: 'deny' });
    expect((await callback(client, 'erin')).get('error')).toBe('access_denied');
  });

  it('the default application (promptAction approve) still refuses an unenrolled user; the per-user enroll lets carol in', async () => {
    const client = sdkClient(emu.webSdkApp!);
    const refused = await callback(client, 'carol');
    expect(refused.get('error')).toBe('access_denied');
    expect(refused.get('error_description')).toBe(ENROLL_REQUIRED);
    expect(emu.users.require('carol').devices).toHaveLength(0);

    emu.users.update('carol', { promptAction: 'enroll' });
    const token = await login(client, 'carol');
    expect(token.preferred_username).toBe('carol');
    expect(emu.users.require('carol').devices).toHaveLength(1);
  });

  it("the promptAction fault 'enroll' enrols too, and an enrolled user is simply approved", async () => {
    await emu.faults.set({ promptAction: 'enroll' });
    try {
      const client = sdkClient(emu.webSdkApp!);
      expect((await login(client, 'frank')).preferred_username).toBe('frank');
      expect(emu.users.require('frank').devices).toHaveLength(1);
      expect((await login(client, 'alice')).preferred_username).toBe('alice');
      expect(emu.users.require('alice').devices.map((d) => d.display_name)).toEqual(['iPhone']);
    } finally {
      await emu.faults.set({ promptAction: 'approve' });
    }
  });

  it('the interactive enrolment page does the same: its form post enrols and lets the user in', async () => {
    await emu.faults.set({ promptAction: 'interactive' });
    try {
      const client = sdkClient(emu.webSdkApp!);
      const page = await httpsRequest(await client.createAuthUrl('hana', client.generateState()), {
        ca: emu.caPem,
      });
      expect(page.status).toBe(200);
      expect(page.text).toContain('id="duo-enroll"');
      const action = /<form method="post" action="([^"]+)"/.exec(page.text)?.[1];
      const answer = await httpsRequest(`https://${emu.apiHost}${action}`, {
        ca: emu.caPem,
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'decision=enroll',
      });
      expect(answer.status).toBe(303);
      const cb = new URL(String(answer.headers['location'])).searchParams;
      const token = await client.exchangeAuthorizationCodeFor2FAResult(cb.get('duo_code')!, 'hana');
      expect(token.preferred_username).toBe('hana');
      expect(emu.users.require('hana').devices).toHaveLength(1);
    } finally {
      await emu.faults.set({ promptAction: 'approve' });
    }
  });

  it('past the Free-plan limit nobody is created: access_denied with the limit text', async () => {
    const small = await startDuoEmulator({
      maxUsers: 1,
      users: [{ username: 'alice', devices: [{}] }],
      webSdkApps: [{ name: 'Self-enrolment portal', promptAction: 'enroll' }],
    });
    try {
      const client = new Client({
        clientId: small.webSdkApp!.clientId,
        clientSecret: small.webSdkApp!.clientSecret,
        apiHost: small.apiHost,
        redirectUrl: REDIRECT,
      });
      trustCaForDuoClient(client, small.caPem);
      const res = await httpsRequest(await client.createAuthUrl('gina', client.generateState()), {
        ca: small.caPem,
      });
      const cb = new URL(String(res.headers['location'])).searchParams;
      expect(cb.get('error')).toBe('access_denied');
      expect(cb.get('error_description')).toBe(freePlanMessage(1));
      expect(small.users.resolve('gina')).toBeUndefined();
    } finally {
      await small.stop();
    }
  });
});
