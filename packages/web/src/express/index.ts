import { randomUUID } from 'node:crypto';
import type {
  NextFunction,
  Request as ExpressRequest,
  RequestHandler,
  Response as ExpressResponse,
} from 'express';
import type { RequestInfo, TwoFactorUser } from '@factorkit/core';
import type { HandlerContext, TwoFactorHandler } from '../handler.js';
import type { HostSession, SecondStep, SecondStepStarted } from '../second-step.js';
import { drainRequest, requestBodyStream } from '../node/body-stream.js';
import { disconnectSignal } from '../node/disconnect.js';
import { headersOf, headersOnlyRequest, requestUrl } from '../node/request-url.js';
import { jsonResponse } from '../responses.js';
import type {} from 'express-session';

declare module 'express-session' {
  interface SessionData {
    /** Set when factorkit rotated the id, so express-session saves the new session and cookie. */
    factorkitRotatedAt?: number;
  }
}

/** The context the Express adapter hands the handler's hooks: the Express request too. */
export interface ExpressContext extends HandlerContext {
  readonly req: ExpressRequest;
}

/** Builds the `HostSession` of a request; the default reads express-session's `req.session`. */
export type SessionOf = (req: ExpressRequest) => HostSession;

/**
 * The ready hook for express-session: the id is `req.sessionID`, and rotation is
 * `req.session.regenerate` keeping the session's data, then `save`, so the old id is destroyed
 * in the session store and the response sets the new cookie.
 */
export function expressSession(req: ExpressRequest): HostSession {
  return {
    get id(): string {
      if (req.session === undefined)
        throw new TypeError('req.session is missing: mount express-session before factorkit.');
      return req.sessionID;
    },
    async rotateId(): Promise<void> {
      const kept: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(req.session))
        if (key !== 'cookie') kept[key] = value;
      await new Promise<void>((resolve, reject) =>
        req.session.regenerate((err: unknown) => (err ? reject(toError(err)) : resolve())),
      );
      Object.assign(req.session, kept, { factorkitRotatedAt: Date.now() });
      await new Promise<void>((resolve, reject) =>
        req.session.save((err: unknown) => (err ? reject(toError(err)) : resolve())),
      );
    },
  };
}

/**
 * A Web-standard Request from an Express one, with the socket's scheme and the Host (Express's
 * own `trust proxy` is not consulted: the handler's `trustedProxies` decide).
 */
function toRequest(req: ExpressRequest): Request {
  const headers = headersOf(req);
  const url = requestUrl(req, req.originalUrl);
  const init: RequestInit & { duplex?: 'half' } = {
    method: req.method,
    headers,
    signal: disconnectSignal(req.res!),
  };
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    const parsed: unknown = (req as { body?: unknown }).body;
    if (parsed !== undefined) {
      // A body parser of the host already read it: hand on what it parsed.
      headers.delete('content-length');
      init.body = typeof parsed === 'string' ? parsed : JSON.stringify(parsed);
    } else {
      init.body = requestBodyStream(req);
      init.duplex = 'half';
    }
  }
  return new Request(url, init);
}

async function send(response: Response, res: ExpressResponse): Promise<void> {
  // A refused body may still be arriving: read the rest so the client sees the answer.
  await drainRequest(res.req);
  res.status(response.status);
  response.headers.forEach((value, name) => {
    // Set-Cookie lines cannot be joined: each is set on its own, after any the host set.
    if (name !== 'set-cookie') res.setHeader(name, value);
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) res.append('set-cookie', cookies);
  res.end(Buffer.from(await response.arrayBuffer()));
}

export interface TwoFactorMiddlewareOptions {
  /** @default expressSession */
  readonly sessionOf?: SessionOf;
}

/**
 * Serves the handler's routes (those under its prefix) and passes every other request on.
 * Mount it with `app.use(...)` after express-session.
 */
export function twoFactorMiddleware(
  handler: TwoFactorHandler<ExpressContext>,
  options: TwoFactorMiddlewareOptions = {},
): RequestHandler {
  const sessionOf = options.sessionOf ?? expressSession;
  return (req: ExpressRequest, res: ExpressResponse, next: NextFunction): void => {
    const path = requestUrl(req, req.originalUrl).pathname;
    if (path !== handler.prefix && !path.startsWith(handler.prefix + '/')) return next();
    const ctx: ExpressContext = {
      session: sessionOf(req),
      req,
      ...(req.socket.remoteAddress === undefined ? {} : { peerAddress: req.socket.remoteAddress }),
    };
    handler(toRequest(req), ctx)
      .then((response) => send(response, res))
      .catch(next);
  };
}

export interface GuardOptions {
  /** @default expressSession */
  readonly sessionOf?: SessionOf;
  /** Requests that pass without a second factor (the host's login and logout, static files). */
  readonly allow?: (req: ExpressRequest) => boolean;
  /** What a refused request gets. @default a 401 JSON error SECOND_FACTOR_REQUIRED */
  readonly onRefused?: (req: ExpressRequest, res: ExpressResponse) => void;
}

/**
 * Lets only fully authenticated sessions through (FL-01): a session whose second step is
 * pending, or that has none, reaches only the 2FA routes (mounted before it) and `allow`.
 */
export function requireSecondFactor(steps: SecondStep, options: GuardOptions = {}): RequestHandler {
  const sessionOf = options.sessionOf ?? expressSession;
  return (req: ExpressRequest, res: ExpressResponse, next: NextFunction): void => {
    if (options.allow?.(req) === true) return next();
    steps
      .isFullyAuthenticated(sessionOf(req))
      .then(async (ok) => {
        if (ok) return next();
        if (options.onRefused) return options.onRefused(req, res);
        const body = {
          error: {
            code: 'SECOND_FACTOR_REQUIRED',
            message: 'Pass the second sign-in step first.',
            requestId: randomUUID(),
          },
        };
        await send(jsonResponse(401, body, body.error.requestId), res);
      })
      .catch(next);
  };
}

function toError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

/** The request info of a host route (its login), as the handler's routes read it. */
export function requestInfoOf(
  handler: TwoFactorHandler<ExpressContext>,
  req: ExpressRequest,
): RequestInfo {
  const headers = new Headers();
  for (const name of ['x-forwarded-for', 'x-request-id', 'user-agent']) {
    const value = req.headers[name];
    if (typeof value === 'string') headers.set(name, value);
    else if (Array.isArray(value)) headers.set(name, value.join(', '));
  }
  return handler.requestInfo(
    new Request('http://localhost/', { headers }),
    req.socket.remoteAddress,
  );
}

/**
 * The password step of the host's login route: `beginSecondStep` with the browser's
 * remembered-device cookie, a rejected cookie cleared on `res`. Call it where the password
 * succeeded, before sending the answer.
 */
export async function beginSecondStep(
  handler: TwoFactorHandler<ExpressContext>,
  req: ExpressRequest,
  res: ExpressResponse,
  user: TwoFactorUser,
  options: { readonly sessionOf?: SessionOf } = {},
): Promise<SecondStepStarted> {
  const { started, setCookie } = await handler.beginSecondStep(
    headersOnlyRequest(req, req.originalUrl),
    {
      session: (options.sessionOf ?? expressSession)(req),
      ...(req.socket.remoteAddress === undefined ? {} : { peerAddress: req.socket.remoteAddress }),
    },
    user,
  );
  if (setCookie.length > 0) res.append('set-cookie', [...setCookie]);
  return started;
}
