// One kept-alive SDK client per Universal configuration (src/universal/client-cache.ts): calls
// reuse the TLS connection; a changed configuration gets a new client; nothing of one challenge
// or user is shared with another (DU-01, DU-02: the state is each challenge's own).
import type https from 'node:https';
import type { Client } from '@duosecurity/duo_universal';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { DuoSettings } from '../src/config/settings.js';
import {
  MAX_CLIENTS,
  closeUniversalClients,
  keptUniversalClients,
  universalClientFor,
} from '../src/universal/client-cache.js';
import { KEEP_ALIVE_IDLE_MS, SDK_PRIVATE_AXIOS_FIELD } from '../src/universal/ca-seam.js';
import {
  duoHarness,
  duoUser,
  enrollUniversal,
  startEmulator,
  universalSettings,
} from './support/duo-test-kit.js';

const emu = await startEmulator({
  users: [
    { username: 'alice', devices: [{ name: 'iPhone' }] },
    { username: 'bob', devices: [{ name: 'Pixel' }] },
  ],
});
afterAll(async () => {
  closeUniversalClients();
  await emu.stop();
});
afterEach(() => closeUniversalClients());

/** Settings as the provider sees them (defaults applied), for the emulator's first app. */
function settingsOf(extra: Record<string, unknown> = {}): DuoSettings {
  return Object.assign(new DuoSettings(), universalSettings(emu, extra));
}

const agentOf = (c: Client) =>
  (c as unknown as Record<string, { defaults: { httpsAgent: https.Agent } }>)[
    SDK_PRIVATE_AXIOS_FIELD
  ]!.defaults.httpsAgent;

/** Counts the TLS connections `agent` opens. */
function countConnections(agent: https.Agent): () => number {
  let opened = 0;
  const raw = agent as unknown as { createConnection: (...a: unknown[]) => unknown };
  const original = raw.createConnection.bind(agent);
  raw.createConnection = (...a: unknown[]) => {
    opened++;
    return original(...a);
  };
  return () => opened;
}

describe('Universal SDK client reuse', () => {
  it('the same settings get the same client, whose calls share one kept-alive TLS connection', async () => {
    const a = universalClientFor(settingsOf());
    expect(universalClientFor(settingsOf())).toBe(a);
    const agent = agentOf(a);
    expect((agent as https.Agent & { keepAlive: boolean }).keepAlive).toBe(true);
    expect((agent as https.Agent & { options: { ca?: unknown } }).options.ca).toBe(emu.caPem);
    const opened = countConnections(agent);
    for (let i = 0; i < 3; i++) expect((await a.healthCheck()).stat).toBe('OK');
    expect(opened()).toBe(1);
    // The idle connection is closed before a server would drop it (a reset would look like an
    // outage); the emulator hints 5 s, production Duo may not hint at all.
    const idle = Object.values(agent.freeSockets).flat();
    expect(idle).toHaveLength(1);
    expect(idle[0]!.timeout).toBeLessThanOrEqual(KEEP_ALIVE_IDLE_MS);
  });

  it('a changed secret, redirect URL, CA or timeout rebuilds the client and closes the old one', async () => {
    const first = universalClientFor(settingsOf());
    const firstAgent = agentOf(first);
    await first.healthCheck();
    const idle = Object.values(firstAgent.freeSockets).flat();
    expect(idle).toHaveLength(1);
    const changes: Record<string, unknown>[] = [
      { clientSecret: 'z'.repeat(40) },
      { redirectUrl: 'https://other.example.test/cb' },
      { caPem: `${emu.caPem}\n` },
      { requestTimeoutMs: 4321 },
    ];
    const seen = new Set<Client>([first]);
    for (const change of changes) {
      const next = universalClientFor(settingsOf(change));
      expect(seen.has(next)).toBe(false);
      seen.add(next);
    }
    // One slot per integration (client id + host): the old clients were dropped, not kept.
    expect(keptUniversalClients()).toBe(1);
    expect(idle.every((socket) => socket?.destroyed)).toBe(true);
    // Back to the first settings: a new client again (the old one's agent is closed).
    expect(universalClientFor(settingsOf())).not.toBe(first);
  });

  it('a rebuild does not cut another call in flight on the old client (no false outage, OUT-02)', async () => {
    const first = universalClientFor(settingsOf());
    const agent = agentOf(first);
    await first.healthCheck();
    const inFlight = first.healthCheck();
    // Wait until the call holds its socket, then change the settings under it.
    for (let i = 0; i < 500 && Object.values(agent.sockets).flat().length === 0; i++)
      await new Promise((resolve) => setImmediate(resolve));
    expect(Object.values(agent.sockets).flat()).toHaveLength(1);
    const next = universalClientFor(settingsOf({ redirectUrl: 'https://other.example.test/cb' }));
    expect(next).not.toBe(first);
    await expect(inFlight).resolves.toMatchObject({ stat: 'OK' });
    // Its socket was not kept for reuse afterwards.
    await new Promise((resolve) => setImmediate(resolve));
    expect(Object.values(agent.freeSockets).flat()).toHaveLength(0);
  });

  it('another integration gets its own client; the number kept is bounded', () => {
    const a = universalClientFor(settingsOf());
    const b = universalClientFor(settingsOf({ clientId: `DI${'B'.repeat(18)}` }));
    expect(b).not.toBe(a);
    for (let i = 0; i < MAX_CLIENTS + 5; i++)
      universalClientFor(settingsOf({ apiHost: `127.0.0.${(i % 200) + 2}:9` }));
    expect(keptUniversalClients()).toBe(MAX_CLIENTS);
  });

  it('settings the SDK refuses throw and leave nothing kept', () => {
    expect(() => universalClientFor(settingsOf({ clientSecret: 'short' }))).toThrow();
    expect(keptUniversalClients()).toBe(0);
  });

  it('DU-01 / DU-02 each challenge still gets its own fresh state, whoever signs in on the shared client', async () => {
    const h = duoHarness(universalSettings(emu));
    const alice = duoUser('alice');
    const bob = duoUser('bob');
    expect((await enrollUniversal(h, emu, alice)).ok).toBe(true);
    expect((await enrollUniversal(h, emu, bob)).ok).toBe(true);
    const states = new Set<string>();
    for (const user of [alice, bob, alice, bob]) {
      const ch = await h.service.beginChallenge(user, 'duo');
      const url = new URL((ch.prompt as { url: string }).url);
      const request = url.searchParams.get('request')!;
      const claims = JSON.parse(Buffer.from(request.split('.')[1]!, 'base64url').toString()) as {
        state: string;
        duo_uname: string;
      };
      expect(claims.state).toBe(ch.challengeId);
      expect(claims.duo_uname).toBe(user.username);
      states.add(claims.state);
    }
    expect(states.size).toBe(4);
    expect(keptUniversalClients()).toBe(1);
  });
});
