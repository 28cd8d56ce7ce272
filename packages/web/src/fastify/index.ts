import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type {
  FastifyPluginAsync,
  FastifyReply,
  FastifyRequest,
  preHandlerAsyncHookHandler,
} from 'fastify';
import type {} from '@fastify/session';
import type { RequestInfo, TwoFactorUser } from '@factorkit/core';
import type { HandlerContext, TwoFactorHandler } from '../handler.js';
import { drainRequest, requestBodyStream } from '../node/body-stream.js';
import { disconnectSignal } from '../node/disconnect.js';
import { headersOf, headersOnlyRequest, requestUrl } from '../node/request-url.js';
import { jsonResponse } from '../responses.js';
import type { HostSession, SecondStep, SecondStepStarted } from '../second-step.js';

declare module 'fastify' {
  interface Session {
    /** Set when factorkit rotated the id, so @fastify/session saves the new session. */
    factorkitRotatedAt?: number;
  }
  interface FastifyContextConfig {
    /** Marks the 2FA routes, which the guard lets through. */
    factorkitTwoFactor?: boolean;
  }
}

/** The context the Fastify adapter hands the handler's hooks: the Fastify request too. */
export interface FastifyContext extends HandlerContext {
  readonly request: FastifyRequest;
}

export type SessionOf = (request: FastifyRequest) => HostSession;

/**
 * The ready hook for @fastify/session: the id is `request.session.sessionId`, and rotation is
 * `request.session.regenerate` keeping every field, which destroys the old id in the store.
 */
export function fastifySession(request: FastifyRequest): HostSession {
  return {
    get id(): string {
      if (request.session === undefined)
        throw new TypeError('request.session is missing: register @fastify/session first.');
      return request.session.sessionId;
    },
    async rotateId(): Promise<void> {
      const keep = Object.keys(request.session).filter((key) => key !== 'cookie');
      await request.session.regenerate(keep);
      request.session.set('factorkitRotatedAt', Date.now());
      await request.session.save();
    },
  };
}

/** A Web-standard Request with the socket's scheme and the Host (see `requestUrl`). */
function toRequest(request: FastifyRequest, reply: FastifyReply): Request {
  const headers = headersOf(request.raw);
  const url = requestUrl(request.raw, request.raw.url ?? '/');
  const init: RequestInit & { duplex?: 'half' } = {
    method: request.method,
    headers,
    signal: disconnectSignal(reply.raw),
  };
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    const payload = request.body as IncomingMessage | undefined;
    init.body = requestBodyStream(payload ?? request.raw);
    init.duplex = 'half';
  }
  return new Request(url, init);
}

async function send(response: Response, request: FastifyRequest, reply: FastifyReply) {
  await drainRequest(request.raw);
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') headers[name] = value;
  });
  reply.code(response.status).headers(headers);
  // Fastify appends each Set-Cookie (they cannot be joined into one header).
  for (const line of response.headers.getSetCookie()) reply.header('set-cookie', line);
  return reply.send(Buffer.from(await response.arrayBuffer()));
}

export interface TwoFactorPluginOptions {
  /** @default fastifySession */
  readonly sessionOf?: SessionOf;
}

/**
 * The handler's routes as a Fastify plugin: `app.register(twoFactorPlugin(handler))` after
 * @fastify/session. The body reaches the handler raw (its own limit and JSON errors apply).
 */
export function twoFactorPlugin(
  handler: TwoFactorHandler<FastifyContext>,
  options: TwoFactorPluginOptions = {},
): FastifyPluginAsync {
  const sessionOf = options.sessionOf ?? fastifySession;
  return async (instance) => {
    instance.removeAllContentTypeParsers();
    instance.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
    instance.route({
      method: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
      url: `${handler.prefix}/*`,
      config: { factorkitTwoFactor: true },
      handler: async (request, reply) => {
        const ctx: FastifyContext = {
          session: sessionOf(request),
          request,
          ...(request.socket.remoteAddress === undefined
            ? {}
            : { peerAddress: request.socket.remoteAddress }),
        };
        return send(await handler(toRequest(request, reply), ctx), request, reply);
      },
    });
  };
}

export interface GuardOptions {
  /** @default fastifySession */
  readonly sessionOf?: SessionOf;
  /** Requests that pass without a second factor (the host's login and logout, static files). */
  readonly allow?: (request: FastifyRequest) => boolean;
  /** What a refused request gets. @default a 401 JSON error SECOND_FACTOR_REQUIRED */
  readonly onRefused?: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
}

/**
 * A `preHandler` hook that lets only fully authenticated sessions through (FL-01), except the
 * 2FA routes and `allow`: `app.addHook('preHandler', requireSecondFactor(secondStep))`.
 */
export function requireSecondFactor(
  steps: SecondStep,
  options: GuardOptions = {},
): preHandlerAsyncHookHandler {
  const sessionOf = options.sessionOf ?? fastifySession;
  return async (request, reply) => {
    if (request.routeOptions.config.factorkitTwoFactor === true) return;
    if (options.allow?.(request) === true) return;
    if (await steps.isFullyAuthenticated(sessionOf(request))) return;
    if (options.onRefused) {
      await options.onRefused(request, reply);
      return reply;
    }
    const requestId = randomUUID();
    const body = {
      error: {
        code: 'SECOND_FACTOR_REQUIRED',
        message: 'Pass the second sign-in step first.',
        requestId,
      },
    };
    return send(jsonResponse(401, body, requestId), request, reply);
  };
}

/** The request info of a host route (its login), as the handler's routes read it. */
export function requestInfoOf(
  handler: TwoFactorHandler<FastifyContext>,
  request: FastifyRequest,
): RequestInfo {
  const headers = new Headers();
  for (const name of ['x-forwarded-for', 'x-request-id', 'user-agent']) {
    const value = request.headers[name];
    if (typeof value === 'string') headers.set(name, value);
    else if (Array.isArray(value)) headers.set(name, value.join(', '));
  }
  return handler.requestInfo(
    new Request('http://localhost/', { headers }),
    request.socket.remoteAddress,
  );
}

/**
 * The password step of the host's login route: `beginSecondStep` with the browser's
 * remembered-device cookie, a rejected cookie cleared on `reply`.
 */
export async function beginSecondStep(
  handler: TwoFactorHandler<FastifyContext>,
  request: FastifyRequest,
  reply: FastifyReply,
  user: TwoFactorUser,
  options: { readonly sessionOf?: SessionOf } = {},
): Promise<SecondStepStarted> {
  const { started, setCookie } = await handler.beginSecondStep(
    headersOnlyRequest(request.raw, request.raw.url ?? '/'),
    {
      session: (options.sessionOf ?? fastifySession)(request),
      ...(request.socket.remoteAddress === undefined
        ? {}
        : { peerAddress: request.socket.remoteAddress }),
    },
    user,
  );
  for (const line of setCookie) reply.header('set-cookie', line);
  return started;
}
