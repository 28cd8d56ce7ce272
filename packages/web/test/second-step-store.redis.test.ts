/**
 * RedisSecondStepStore against the Redis on 127.0.0.1:6379 (each test under its own key prefix,
 * removed afterwards), and against servers that are down or never answer.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { FakeClock, createHarness, testUser } from '@factorkit/core/testing';
import { TotpProvider } from '@factorkit/provider-totp';
import { SecondStep, createTwoFactorHandler, type SecondStepState } from '../src/index.js';
import { RedisSecondStepStore } from '../src/redis/index.js';
import { secondStepStoreContract } from './second-step-store-contract.js';

const REDIS_URL = process.env['FACTORKIT_TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const opened: { store: RedisSecondStepStore; prefix: string }[] = [];
const clients: Redis[] = [];

function client(): Redis {
  const c = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  clients.push(c);
  return c;
}

function store(
  c: Redis = client(),
  prefix = `factorkit-test:web:${randomBytes(6).toString('hex')}:`,
) {
  const s = new RedisSecondStepStore({ client: c, prefix });
  opened.push({ store: s, prefix });
  return s;
}

afterAll(async () => {
  const admin = client();
  for (const { prefix } of opened) {
    for await (const batch of admin.scanStream({ match: `${prefix}*` }) as AsyncIterable<string[]>)
      if (batch.length > 0) await admin.del(...batch);
  }
  await Promise.all(clients.map((c) => c.quit()));
});

const pending = (csrfSecret: string): SecondStepState => ({
  phase: 'pending',
  user: testUser({ id: 'user-1' }),
  csrfSecret,
});

describe('RedisSecondStepStore: the store contract', () =>
  secondStepStoreContract(async () => ({
    store: store(),
    // Redis keeps its own clock: wait past the expiry (the contract's entries live 300 ms).
    expire: (ttlMs) => new Promise((resolve) => setTimeout(resolve, ttlMs + 60)),
  })));

describe('RedisSecondStepStore across instances', () => {
  it('FL-15: 50 parallel replaces from two connections on one revision: exactly one wins', async () => {
    const prefix = `factorkit-test:web:${randomBytes(6).toString('hex')}:`;
    const a = store(client(), prefix);
    const b = store(client(), prefix);
    for (let round = 0; round < 5; round++) {
      await a.put('sid', pending('start'), 60_000);
      const read = (await b.get('sid'))!;
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          (i % 2 === 0 ? a : b).replace('sid', read.revision!, pending(`writer-${i}`), 60_000),
        ),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      const winner = results.indexOf(true);
      expect((await a.get('sid'))?.csrfSecret).toBe(`writer-${winner}`);
      expect((await b.get('sid'))?.csrfSecret).toBe(`writer-${winner}`);
    }
  });

  it('stores JSON with a format version and keeps both keys of a session under one hash tag', async () => {
    const c = client();
    const prefix = `factorkit-test:web:${randomBytes(6).toString('hex')}:`;
    const s = store(c, prefix);
    await s.put('abc', pending('x'), 60_000);
    expect((await c.keys(`${prefix}*`)).sort()).toEqual([
      `${prefix}{abc}`,
      `${prefix}{abc}:revision`,
    ]);
    const raw = JSON.parse((await c.get(`${prefix}{abc}`))!) as Record<string, unknown>;
    expect(raw).toMatchObject({ v: 1, state: { phase: 'pending', csrfSecret: 'x' } });
    expect(raw['state']).not.toHaveProperty('revision');
    const ttl = await c.pttl(`${prefix}{abc}`);
    expect(ttl).toBeGreaterThan(55_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it('a value of another format version is refused with STORE_UNAVAILABLE, never read as a state', async () => {
    const c = client();
    const prefix = `factorkit-test:web:${randomBytes(6).toString('hex')}:`;
    const s = store(c, prefix);
    await c.set(
      `${prefix}{sid}`,
      JSON.stringify({ v: 2, revision: 1, state: pending('x') }),
      'PX',
      60_000,
    );
    await expect(s.get('sid')).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    expect(await s.replace('sid', 1, pending('y'), 60_000)).toBe(false);
    await c.set(`${prefix}{bad}`, 'not json', 'PX', 60_000);
    await expect(s.get('bad')).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
  });

  it('refuses bad options with a message saying what is allowed', () => {
    expect(() => new RedisSecondStepStore({})).toThrow(/pass a `client` or a `url`/);
    expect(() => new RedisSecondStepStore({ url: REDIS_URL, prefix: '' })).toThrow(/prefix/);
    expect(() => new RedisSecondStepStore({ url: REDIS_URL, timeoutMs: 0 })).toThrow(
      /timeoutMs must be a whole number from 1 to 60000/,
    );
  });
});

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A server that accepts connections and never answers a byte. */
async function silentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

describe('RedisSecondStepStore when Redis is down', () => {
  it('OUT-05: every call fails with STORE_UNAVAILABLE when nothing listens', async () => {
    const s = new RedisSecondStepStore({ url: `redis://127.0.0.1:${await closedPort()}` });
    try {
      await expect(s.get('sid')).rejects.toMatchObject({
        name: 'StoreUnavailableError',
        code: 'STORE_UNAVAILABLE',
      });
      await expect(s.put('sid', pending('x'), 60_000)).rejects.toMatchObject({
        code: 'STORE_UNAVAILABLE',
      });
      await expect(s.replace('sid', 1, pending('x'), 60_000)).rejects.toMatchObject({
        code: 'STORE_UNAVAILABLE',
      });
      await expect(s.delete('sid')).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    } finally {
      s.client.disconnect();
    }
  });

  it('OUT-05: a Redis that never answers fails within timeoutMs instead of hanging', async () => {
    const silent = await silentServer();
    const c = new Redis(`redis://127.0.0.1:${silent.port}`, { maxRetriesPerRequest: null });
    c.on('error', () => undefined);
    const s = new RedisSecondStepStore({ client: c, timeoutMs: 200 });
    try {
      const started = Date.now();
      await expect(s.get('sid')).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      c.disconnect();
      await silent.close();
    }
  });

  it('OUT-05: over HTTP a session whose store is down gets 503 STORE_UNAVAILABLE, never a pass', async () => {
    const clock = new FakeClock(Date.now());
    const { service } = createHarness({ providers: [TotpProvider], clock });
    const s = new RedisSecondStepStore({ url: `redis://127.0.0.1:${await closedPort()}` });
    try {
      const steps = new SecondStep({ service, store: s });
      const handler = createTwoFactorHandler({ secondStep: steps });
      const session = { id: 'sid', rotateId: async () => undefined };
      const res = await handler(new Request('http://localhost/2fa/requirement'), { session });
      expect(res.status).toBe(503);
      expect(res.headers.get('cache-control')).toBe('no-store');
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('STORE_UNAVAILABLE');
      expect(body.error.message).not.toMatch(/127\.0\.0\.1|ECONNREFUSED/);
      await expect(steps.isFullyAuthenticated(session)).rejects.toMatchObject({
        code: 'STORE_UNAVAILABLE',
      });
    } finally {
      s.client.disconnect();
    }
  });
});
