/**
 * What the adapters hand on between Node and the fetch handler: every `Set-Cookie` line of the
 * handler's response (they cannot be joined into one header), and the request's real Host and
 * scheme, so the handler can decide a cookie's `Secure` attribute (SECURITY.md FL-16).
 */
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:http';
import express from 'express';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import type { TwoFactorHandler } from '../src/index.js';
import { twoFactorMiddleware, type ExpressContext } from '../src/express/index.js';
import { twoFactorPlugin, type FastifyContext } from '../src/fastify/index.js';

/** A stand-in handler: two cookies, and the URL it was given. */
function echoHandler<C extends ExpressContext | FastifyContext>(): TwoFactorHandler<C> {
  const handle = async (request: Request): Promise<Response> => {
    const headers = new Headers({ 'content-type': 'application/json' });
    headers.append('set-cookie', 'one=1; Path=/; HttpOnly');
    headers.append('set-cookie', 'two=2; Path=/; HttpOnly');
    return new Response(JSON.stringify({ url: request.url }), { headers });
  };
  const handler: TwoFactorHandler<C> = Object.assign(handle, {
    prefix: '/2fa',
    requestInfo: () => ({}),
    beginSecondStep: () => Promise.reject(new Error('not used')),
  });
  return handler;
}

async function withExpress(run: (origin: string) => Promise<void>): Promise<void> {
  const app = express();
  app.use(twoFactorMiddleware(echoHandler<ExpressContext>(), { sessionOf: () => noSession }));
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    await run(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

async function withFastify(run: (origin: string) => Promise<void>): Promise<void> {
  const app = Fastify();
  await app.register(
    twoFactorPlugin(echoHandler<FastifyContext>(), { sessionOf: () => noSession }),
  );
  await app.listen({ port: 0, host: '127.0.0.1' });
  try {
    await run(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}`);
  } finally {
    app.server.closeAllConnections();
    await app.close();
  }
}

const noSession = { id: 'none', rotateId: async () => undefined };

describe.each([
  ['Express', withExpress],
  ['Fastify', withFastify],
])('the %s adapter', (_name, serve) => {
  it('FL-16: keeps every Set-Cookie line of the response', async () => {
    await serve(async (origin) => {
      const res = await fetch(`${origin}/2fa/anything`);
      expect(res.headers.getSetCookie()).toEqual([
        'one=1; Path=/; HttpOnly',
        'two=2; Path=/; HttpOnly',
      ]);
    });
  });

  it('FL-16: hands on the real scheme and Host, never a client X-Forwarded-Proto', async () => {
    await serve(async (origin) => {
      const res = await fetch(`${origin}/2fa/x?y=1`, { headers: { 'x-forwarded-proto': 'https' } });
      const { url } = (await res.json()) as { url: string };
      expect(url).toBe(`${origin}/2fa/x?y=1`);
    });
  });

  it('FL-16: an odd Host is never taken for loopback, and a path never becomes the host', async () => {
    await serve(async (origin) => {
      const { port } = new URL(origin);
      const raw = await rawGet(Number(port), '/2fa/x', 'bad host/with space');
      expect(raw).toContain('"url":"http://unknown.invalid/2fa/x"');
    });
  });
});

/** A GET with a Host header fetch would refuse to send. */
async function rawGet(port: number, path: string, host: string): Promise<string> {
  const { connect } = await import('node:net');
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
    });
    let data = '';
    socket.on('data', (chunk: Buffer) => (data += chunk.toString()));
    socket.on('end', () => resolve(data));
    socket.on('error', reject);
  });
}
