/**
 * What the shared route suite needs of a way to reach the handler (directly, through Express,
 * through Fastify), and the service every rig serves.
 */
import * as OTPAuth from 'otpauth';
import type { MemoryAuditSink, TwoFactorService, TwoFactorUser } from '@factorkit/core';
import { FakeClock, createHarness, testUser } from '@factorkit/core/testing';
import { DuoProvider } from '@factorkit/provider-duo';
import { TotpProvider } from '@factorkit/provider-totp';
import {
  SecondStep,
  createTwoFactorHandler,
  type BypassAttempt,
  type HandlerContext,
  type IpRateLimitOptions,
  type PageOptions,
  type RememberDeviceOptions,
  type SecondStepOutcome,
  type SecondStepStore,
} from '../src/index.js';

export interface RigOptions {
  readonly ipRateLimit?: IpRateLimitOptions | false;
  readonly bodyLimitBytes?: number;
  readonly throttle?: Record<string, unknown>;
  /** The host's onSignedIn hook throws. */
  readonly failSignedIn?: boolean;
  /** User ids the host's admin authorizer accepts; without it the handler has no admin routes. */
  readonly admins?: ReadonlySet<string>;
  /** The server-rendered pages, when a test needs them. */
  readonly pages?: PageOptions;
  /** Where second-step states live. @default a MemorySecondStepStore on the rig's clock */
  readonly store?: () => SecondStepStore;
  /** Duo's settings (pointing at an emulator): the Duo provider is registered beside TOTP. */
  readonly duo?: Record<string, unknown>;
  /** The port an HTTP rig listens on (a browser test that must know its origin up front). */
  readonly port?: number;
  /** The handler's remembered-device cookie option. */
  readonly rememberDevice?: RememberDeviceOptions | false;
  /** The audiences' `rememberDeviceDays` (30 unless given). */
  readonly rememberDeviceDays?: number;
  /** More of the `client` audience's policy (forced, `notEnrolled: 'enroll'` unless given). */
  readonly clientPolicy?: Record<string, unknown>;
}

/** What the host's login answers: `beginSecondStep`'s result and the cookies it set. */
export interface LoginAnswer {
  readonly requirement: { action: string; reason?: string; deviceRejected?: string };
  readonly authenticated: boolean;
  readonly outcome?: SecondStepOutcome;
  /** The login response's `Set-Cookie` lines. */
  readonly setCookie: readonly string[];
}

export interface PostOptions {
  /** The X-CSRF-Token header: a token, null for none, undefined to fetch the session's own. */
  readonly csrf?: string | null;
  readonly contentType?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Aborting it is the client going away (closing the tab) before the answer came. */
  readonly signal?: AbortSignal;
}

export interface Client {
  readonly ip: string;
  /** The session cookie's value now (opaque). */
  cookie(): string | undefined;
  setCookie(value: string | undefined): void;
  /** Takes the session cookie a given response set (after parallel requests). */
  adopt(response: Response): void;
  /** Any other cookie in the jar (the remembered-device cookie), by name. */
  jar(name: string): string | undefined;
  /** Puts a cookie in the jar (undefined removes it), as a browser that was handed it would. */
  putCookie(name: string, value: string | undefined): void;
  /** Gets a session before the password, as any visitor has. */
  visit(): Promise<void>;
  /** The host's password step, then `beginSecondStep` (with the jar's device cookie). */
  login(user: TwoFactorUser, headers?: Readonly<Record<string, string>>): Promise<LoginAnswer>;
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
  /** Core's audit events. */
  readonly audit: MemoryAuditSink;
  /** The host's users by id, as its admin `resolveUser` finds them (enrolledUser adds each). */
  readonly directory: Map<string, TwoFactorUser>;
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
  const { service, audit } = createHarness({
    providers: options.duo === undefined ? [TotpProvider] : [TotpProvider, DuoProvider],
    ...(options.duo === undefined ? {} : { settings: { duo: options.duo } }),
    clock,
    policy: {
      audiences: {
        client: {
          force: true,
          notEnrolled: 'enroll',
          ...(options.rememberDeviceDays === undefined
            ? {}
            : { rememberDeviceDays: options.rememberDeviceDays }),
          ...options.clientPolicy,
        },
      },
      throttle: options.throttle ?? {
        maxFailures: 100,
        freeFailures: 100,
        permanentLockAfter: 100,
      },
    },
  });
  const steps = new SecondStep({
    service,
    now: () => clock.now(),
    ...(options.store === undefined ? {} : { store: options.store() }),
  });
  const bypass: BypassAttempt[] = [];
  const errors: unknown[] = [];
  const signedIn: SecondStepOutcome[] = [];
  const directory = new Map<string, TwoFactorUser>();
  const admins = options.admins;
  const handler = createTwoFactorHandler<HandlerContext>({
    secondStep: steps,
    trustedProxies: ['loopback'],
    ...(options.ipRateLimit === undefined
      ? { ipRateLimit: { points: 10_000 } }
      : { ipRateLimit: options.ipRateLimit }),
    ...(options.bodyLimitBytes === undefined ? {} : { bodyLimitBytes: options.bodyLimitBytes }),
    ...(options.pages === undefined ? {} : { pages: options.pages }),
    ...(options.rememberDevice === undefined ? {} : { rememberDevice: options.rememberDevice }),
    onBypassAttempt: (a) => bypass.push(a),
    onError: (e) => errors.push(e),
    onSignedIn: (o) => {
      if (options.failSignedIn === true) throw new Error('host session store is down');
      signedIn.push(o);
    },
    ...(admins === undefined
      ? {}
      : {
          admin: {
            authorize: async (_action, _target, caller) =>
              admins.has(caller.user.id) ? { actorId: `admin:${caller.user.id}` } : false,
            resolveUser: async (id) => directory.get(id),
          },
        }),
  });
  return { clock, service, steps, bypass, errors, signedIn, audit, directory, handler };
}

/** The value a response sets for one cookie, if it sets it. */
export function cookieIn(response: Response, name: string): string | undefined {
  let value: string | undefined;
  for (const line of response.headers.getSetCookie()) {
    const m = new RegExp(`^${name}=([^;]*)`).exec(line);
    if (m) value = m[1];
  }
  return value;
}

/**
 * A browser's cookie jar for one origin: keeps what `Set-Cookie` sets, forgets what it expires
 * (`Max-Age=0`), and sends every cookie back.
 */
export class CookieJar {
  readonly cookies = new Map<string, string>();

  take(lines: readonly string[]): void {
    for (const line of lines) {
      const m = /^([^=;\s]+)=([^;]*)/.exec(line);
      if (m === null) continue;
      if (/;\s*max-age=0(;|$)/i.test(line)) this.cookies.delete(m[1]!);
      else this.cookies.set(m[1]!, m[2]!);
    }
  }

  header(): string | undefined {
    if (this.cookies.size === 0) return undefined;
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

/** The session's CSRF token, or a placeholder when the session has none. */
export async function tokenOf(client: Client): Promise<string> {
  const r = await client.get('/2fa/csrf');
  if (r.status !== 200) return 'no-token-available';
  return ((await r.json()) as { csrfToken: string }).csrfToken;
}

/** A user with TOTP enrolled through core, and the app that shows their codes. */
export async function enrolledUser(rig: Rig): Promise<{
  user: TwoFactorUser;
  code: () => string;
  recoveryCodes: readonly string[];
}> {
  const user = testUser({ audience: 'client' });
  rig.directory.set(user.id, user);
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

/** A test body as fetch takes it: a string as is, a stream chunked (no length), else JSON. */
export function bodyInit(body: unknown): {
  body: string | ReadableStream<Uint8Array>;
  duplex?: 'half';
} {
  if (body instanceof ReadableStream)
    return { body: body as ReadableStream<Uint8Array>, duplex: 'half' };
  return { body: typeof body === 'string' ? body : JSON.stringify(body) };
}

/** `count` chunks of `size` bytes, streamed without a Content-Length. */
export function chunkedBody(count: number, size: number): ReadableStream<Uint8Array> {
  const chunk = new TextEncoder().encode('x'.repeat(size));
  let sent = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent++ < count) controller.enqueue(chunk);
      else controller.close();
    },
  });
}
