/** The host's own routes (its login) read the client the same way as the 2FA routes (IN-05). */
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:http';
import express from 'express';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { createHarness } from '@factorkit/core/testing';
import { TotpProvider } from '@factorkit/provider-totp';
import { SecondStep, createTwoFactorHandler } from '../src/index.js';
import { requestInfoOf as expressInfo, type ExpressContext } from '../src/express/index.js';
import { requestInfoOf as fastifyInfo, type FastifyContext } from '../src/fastify/index.js';

function steps(): SecondStep {
  return new SecondStep({ service: createHarness({ providers: [TotpProvider] }).service });
}

async function ask(origin: string, forwarded: string): Promise<Record<string, string>> {
  const r = await fetch(`${origin}/info`, {
    headers: { 'x-forwarded-for': forwarded, 'user-agent': 'probe/1', 'x-request-id': 'edge-7' },
  });
  return (await r.json()) as Record<string, string>;
}

describe('requestInfoOf', () => {
  it.each([
    [['loopback'], '198.51.100.4', 'edge-7'],
    [[], '127.0.0.1', undefined],
  ])('IN-05: Express, trusting %j, sees the client as %s', async (trusted, ip, requestId) => {
    const handler = createTwoFactorHandler<ExpressContext>({
      secondStep: steps(),
      trustedProxies: trusted,
    });
    const app = express();
    app.get('/info', (req, res) => {
      res.json(expressInfo(handler, req));
    });
    const server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const info = await ask(
        `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        '198.51.100.4',
      );
      expect(info.ip).toBe(ip);
      expect(info.userAgent).toBe('probe/1');
      if (requestId) expect(info.requestId).toBe(requestId);
      else expect(info.requestId).not.toBe('edge-7');
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it.each([
    [['loopback'], '198.51.100.4'],
    [[], '127.0.0.1'],
  ])('IN-05: Fastify, trusting %j, sees the client as %s', async (trusted, ip) => {
    const handler = createTwoFactorHandler<FastifyContext>({
      secondStep: steps(),
      trustedProxies: trusted,
    });
    const app = Fastify();
    app.get('/info', async (request) => fastifyInfo(handler, request));
    await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const info = await ask(
        `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`,
        '198.51.100.4',
      );
      expect(info.ip).toBe(ip);
    } finally {
      app.server.closeAllConnections();
      await app.close();
    }
  });
});
