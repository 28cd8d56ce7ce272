/**
 * Two ways to reach the same handler, for the shared route suite: called directly with a
 * test session manager, and over real HTTP through Express 5 and express-session.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import session from 'express-session';
import * as OTPAuth from 'otpauth';
import type { TwoFactorService, TwoFactorUser } from '@factorkit/core';
import { FakeClock, createHarness, testUser } from '@factorkit/core/testing';
import { TotpProvider } from '@factorkit/provider-totp';
import {
  SecondStep,
  createTwoFactorHandler,
  type BypassAttempt,
  type HandlerContext,
  type HostSession,
  type IpRateLimitOptions,
  type SecondStepOutcome,
} from '../src/index.js';
import { expressSession, requireSecondFactor, twoFactorMiddleware } from '../src/express/index.js';

declare module 'express-session' {
  interface SessionData {
    visited?: boolean;
  }
}

export interface RigOptions {
  readonly ipRateLimit?: IpRateLimitOptions | false;
  readonly bodyLimitBytes?: number;
  readonly throttle?: Record<string, unknown>;
}

export interface PostOptions {
  /** The X-CSRF-Token header: a token, null for none, undefined to fetch the session's own. */
  readonly csrf?: string | null;
  readonly contentType?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface Client {
  readonly ip: string;
  /** The session cookie's value now (opaque). */
  cookie(): string | undefined;
  setCookie(value: string | undefined): void;
  /** Takes the session cookie a given response set (after parallel requests). */
  adopt(response: Response): void;
  /** Gets a session before the password, as any visitor has. */
  visit(): Promise<void>;
  /** The host's password step, then `beginSecondStep`. */
  login(user: TwoFactorUser): Promise<{ requirement: { action: string }; authenticated: boolean }>;
  /** A route behind the guard. */
  account(): Promise<Response>;
  get(path: string, headers?: Readonly<Record<string, string>>): Promise<Response>;
  post(path: string, body: unknown, options?: PostOptions): Promise<Response>;
}

export interface Rig {
  readonly name: string;
  readonly service: TwoFactorService;
  readonly clock: FakeClock;
  readonly steps: SecondStep;
  readonly bypass: BypassAttempt[];
  readonly errors: unknown[];
  readonly signedIn: SecondStepOutcome[];
  client(ip?: string): Client;
  close(): Promise<void>;
}

export type MakeRig = (options?: RigOptions) => Promise<Rig>;

let ipSeq = 0;
/** A distinct documentation-range address per client (TEST-NET-3). */
export function nextIp(): string {
  ipSeq++;
  return `203.0.113.${(ipSeq % 250) + 1}`;
}

/** The service, the second step and the handler every rig serves, with recorders for the hooks. */
export function base(options: RigOptions) {
  const clock = new FakeClock(Date.now());
  const { service } = createHarness({
    providers: [TotpProvider],
    clock,
    policy: {
      audiences: { client: { force: true, notEnrolled: 'enroll' } },
      throttle: options.throttle ?? {
        maxFailures: 100,
        freeFailures: 100,
        permanentLockAfter: 100,
      },
    },
  });
  const steps = new SecondStep({ service, now: () => clock.now() });
  const bypass: BypassAttempt[] = [];
  const errors: unknown[] = [];
  const signedIn: SecondStepOutcome[] = [];
  const handler = createTwoFactorHandler<HandlerContext>({
    secondStep: steps,
    trustedProxies: ['loopback'],
    ...(options.ipRateLimit === undefined
      ? { ipRateLimit: { points: 10_000 } }
      : { ipRateLimit: options.ipRateLimit }),
    ...(options.bodyLimitBytes === undefined ? {} : { bodyLimitBytes: options.bodyLimitBytes }),
    onBypassAttempt: (a) => bypass.push(a),
    onError: (e) => errors.push(e),
    onSignedIn: (o) => {
      signedIn.push(o);
    },
  });
  return { clock, service, steps, bypass, errors, signedIn, handler };
}

/** The handler called directly, with a session manager of a few lines (ids in a Set). */
export const directRig: MakeRig = async (options = {}) => {
  const b = base(options);
  const sessions = new Set<string>();
  class TestSession implements HostSession {
    constructor(public id: string) {}
    async rotateId(): Promise<void> {
      sessions.delete(this.id);
      this.id = randomUUID();
      sessions.add(this.id);
    }
  }
  return {
    name: 'fetch handler',
    ...b,
    client(ip = nextIp()): Client {
      let jar: string | undefined;
      const open = (): TestSession => {
        if (jar === undefined || !sessions.has(jar)) {
          jar = randomUUID();
          sessions.add(jar);
        }
        return new TestSession(jar);
      };
      const call = async (request: Request): Promise<Response> => {
        const s = open();
        const before = s.id;
        const response = await b.handler(request, { session: s, peerAddress: '127.0.0.1' });
        // As a cookie-based server: only a rotation sets a new cookie.
        if (s.id !== before) {
          response.headers.append('set-cookie', `sid=${s.id}; HttpOnly`);
          jar = s.id;
        }
        return response;
      };
      const headersFor = (extra: Readonly<Record<string, string>> = {}) => ({
        'x-forwarded-for': ip,
        ...extra,
      });
      const client: Client = {
        ip,
        cookie: () => jar,
        setCookie: (v) => {
          jar = v;
        },
        adopt: (response) => {
          jar = cookieIn(response, 'sid') ?? jar;
        },
        visit: async () => {
          open();
        },
        login: async (user) => {
          const s = open();
          const started = await b.steps.beginSecondStep(s, user);
          jar = s.id;
          return started;
        },
        account: async () =>
          new Response(null, { status: (await b.steps.isFullyAuthenticated(open())) ? 200 : 401 }),
        get: (path, headers) =>
          call(new Request(`http://localhost${path}`, { headers: headersFor(headers) })),
        post: async (path, body, o = {}) => {
          const csrf = o.csrf === undefined ? await tokenOf(client) : o.csrf;
          return call(
            new Request(`http://localhost${path}`, {
              method: 'POST',
              headers: headersFor({
                'content-type': o.contentType ?? 'application/json',
                ...(csrf === null ? {} : { 'x-csrf-token': csrf }),
                ...o.headers,
              }),
              body: typeof body === 'string' ? body : JSON.stringify(body),
            }),
          );
        },
      };
      return client;
    },
    close: async () => undefined,
  };
};

/** The value a response sets for one cookie, if it sets it. */
function cookieIn(response: Response, name: string): string | undefined {
  let value: string | undefined;
  for (const line of response.headers.getSetCookie()) {
    const m = new RegExp(`^${name}=([^;]*)`).exec(line);
    if (m) value = m[1];
  }
  return value;
}

async function tokenOf(client: Client): Promise<string> {
  const r = await client.get('/2fa/csrf');
  if (r.status !== 200) return 'no-token-available';
  return ((await r.json()) as { csrfToken: string }).csrfToken;
}

/** A real Express 5 app with express-session on port 0, reached with fetch and a cookie jar. */
export const expressRig: MakeRig = async (options = {}) => {
  const b = base(options);
  const users = new Map<string, TwoFactorUser>();
  const app = express();
  app.use(session({ name: 'sid', secret: randomUUID(), resave: false, saveUninitialized: false }));
  app.get('/hello', (req, res) => {
    req.session.visited = true;
    res.json({ hello: true });
  });
  app.post('/login', express.json(), (req, res, next) => {
    const user = users.get(String((req.body as { userId?: unknown }).userId));
    if (user === undefined) return void res.status(401).json({ error: 'unknown' });
    b.steps
      .beginSecondStep(expressSession(req), user)
      .then((started) => res.json(started))
      .catch(next);
  });
  app.use(twoFactorMiddleware(b.handler));
  app.use(requireSecondFactor(b.steps, { allow: (req) => req.path === '/logout' }));
  app.get('/account', (_req, res) => res.json({ ok: true }));
  const server: Server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    name: 'Express over HTTP',
    ...b,
    client: (ip = nextIp()) => httpClient(origin, 'sid', users, ip),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
};

/** A client over real HTTP with fetch and a one-cookie jar; `users` is the host's user table. */
export function httpClient(
  origin: string,
  cookieName: string,
  users: Map<string, TwoFactorUser>,
  ip: string = nextIp(),
): Client {
  let jar: string | undefined;
  const send = async (path: string, init: RequestInit = {}): Promise<Response> => {
    const headers = new Headers(init.headers);
    headers.set('x-forwarded-for', ip);
    if (jar !== undefined) headers.set('cookie', `${cookieName}=${jar}`);
    const response = await fetch(origin + path, { ...init, headers, redirect: 'manual' });
    jar = cookieIn(response, cookieName) ?? jar;
    return response;
  };
  const client: Client = {
    ip,
    cookie: () => jar,
    setCookie: (v) => {
      jar = v;
    },
    adopt: (response) => {
      jar = cookieIn(response, cookieName) ?? jar;
    },
    visit: async () => {
      await send('/hello');
    },
    login: async (user) => {
      users.set(user.id, user);
      const r = await send('/login', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ userId: user.id }),
      });
      return (await r.json()) as { requirement: { action: string }; authenticated: boolean };
    },
    account: () => send('/account'),
    get: (path, headers) => send(path, { ...(headers ? { headers } : {}) }),
    post: async (path, body, o = {}) => {
      const csrf = o.csrf === undefined ? await tokenOf(client) : o.csrf;
      return send(path, {
        method: 'POST',
        headers: {
          'content-type': o.contentType ?? 'application/json',
          ...(csrf === null ? {} : { 'x-csrf-token': csrf }),
          ...o.headers,
        },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
    },
  };
  return client;
}

/** A user with TOTP enrolled through core, and the app that shows their codes. */
export async function enrolledUser(rig: Rig): Promise<{
  user: TwoFactorUser;
  code: () => string;
  recoveryCodes: readonly string[];
}> {
  const user = testUser({ audience: 'client' });
  const started = await rig.service.beginActivation(user, 'totp');
  const app = appFor(started.prompt);
  const done = await rig.service.completeActivation(
    started.activationId,
    user,
    app.generate({ timestamp: rig.clock.now() }),
  );
  if (done.ok !== true) throw new Error('enrollment did not complete');
  // The confirming code may not sign in (RP-02): the first login uses the next step.
  rig.clock.advance(30_000);
  return {
    user,
    code: () => app.generate({ timestamp: rig.clock.now() }),
    recoveryCodes: done.recoveryCodes ?? [],
  };
}

/** The authenticator app for a QR prompt (reads its otpauth:// URI). */
export function appFor(prompt: unknown): OTPAuth.TOTP {
  const uri = (prompt as { otpauthUri?: unknown }).otpauthUri;
  if (typeof uri !== 'string') throw new TypeError('not a QR prompt');
  const parsed = OTPAuth.URI.parse(uri);
  if (!(parsed instanceof OTPAuth.TOTP)) throw new TypeError('not a TOTP URI');
  return parsed;
}

export { testUser };
