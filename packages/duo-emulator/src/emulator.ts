import type { Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { registerEnrollRoutes } from './authapi/enroll.js';
import { registerAuthApiRoutes } from './authapi/routes.js';
import { duoFail } from './authapi/envelope.js';
import { PushCenter, type PushDecision, type PushTransaction } from './authapi/pushes.js';
import { systemClock, type Clock } from './clock.js';
import type { EmulatorContext, EmulatorSettings } from './context.js';
import { DuoEmulatorError } from './errors.js';
import { registerAdminRoutes } from './http/admin.js';
import { registerBodyParsers } from './http/body-parsers.js';
import { registerFaultHooks } from './http/fault-hooks.js';
import { hostFor, isOwnHost, OWN_HOST_NAMES } from './http/host.js';
import { pathOf } from './http/params.js';
import { registerOidcRoutes } from './oidc/routes.js';
import {
  AppRegistry,
  type AuthApiApp,
  type AuthApiAppInput,
  type WebSdkApp,
  type WebSdkAppInput,
} from './state/apps.js';
import { CallCounters } from './state/counters.js';
import { EnrollmentBook, type Enrollment } from './state/enrollments.js';
import { validateFaults, type Faults } from './state/faults.js';
import { opaqueToken } from './state/random.js';
import { DEMO_USERS } from './state/seed.js';
import { UserDirectory, type Device, type UserInput } from './state/users.js';
import {
  generateCertificates,
  loadCertificates,
  type EmulatorCertificates,
} from './tls/certificates.js';

export interface DuoEmulatorOptions {
  /** Loopback address to bind. Only 127.0.0.1 (the certificate's address) is allowed. */
  host?: '127.0.0.1';
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number;
  /** Time source; tests inject a controllable clock. */
  clock?: Clock;
  /** Directory holding ca.pem, server.pem and server-key.pem; generated when absent. */
  certsDir?: string;
  /** Pre-generated certificates (takes precedence over certsDir). */
  certificates?: EmulatorCertificates;
  /** Applications to create. Default: one Web SDK app and one Auth API app. */
  webSdkApps?: WebSdkAppInput[];
  authApiApps?: AuthApiAppInput[];
  /** Users to create. Without `users` or `seed` the emulator starts with no users at all. */
  users?: UserInput[];
  /**
   * `true` first creates the demo users the CLI starts with (alice, bob, carol, bypass-user,
   * disabled-user, locked-user; see DEMO_USERS). Default false: no users.
   */
  seed?: boolean;
  /** Free-plan style user limit, e.g. 10. Unlimited when absent. */
  maxUsers?: number;
  lockoutThreshold?: number;
  /** Admin token for the /_emulator HTTP API; random when absent. */
  adminToken?: string;
  faults?: Faults;
  settings?: Partial<EmulatorSettings>;
}

export interface DuoEmulator {
  /** `127.0.0.1:<port>` (`127.0.0.1` on 443): what a client passes as Duo's API hostname. */
  readonly apiHost: string;
  readonly port: number;
  /** `https://127.0.0.1:<port>` (no port on 443) */
  readonly baseUrl: string;
  /** The CA certificate to trust (explicitly, per client) to reach the emulator. */
  readonly caPem: string;
  readonly adminToken: string;
  readonly apps: AppRegistry;
  /** The first Web SDK and Auth API applications (created by default). */
  readonly webSdkApp: WebSdkApp | undefined;
  readonly authApiApp: AuthApiApp | undefined;
  readonly users: UserDirectory;
  readonly counters: CallCounters;
  readonly faults: {
    get(): Faults;
    /**
     * Merges the patch; `undefined` values clear a fault. `outage: 'refuse'` stops listening;
     * `outageDurationMs` clears the outage again after that many milliseconds.
     */
    set(patch: Partial<Faults> & { outageDurationMs?: number }): Promise<Faults>;
    reset(): Promise<Faults>;
  };
  readonly pushes: {
    pending(): PushTransaction[];
    answer(txid: string, decision: PushDecision): PushTransaction;
  };
  /** Activation codes from `/auth/v2/enroll`; `activate` claims one as Duo Mobile would. */
  readonly enrollments: {
    pending(): Enrollment[];
    activate(activationCode: string, deviceName?: string): Device;
  };
  stop(): Promise<void>;
}

const DEFAULT_SETTINGS: EmulatorSettings = {
  codeTtlSec: 60,
  idTokenTtlSec: 3600,
  enforceJtiUniqueness: true,
  jwtLeewaySec: 60,
  dateWindowSec: 300,
  pushTimeoutMs: 60_000,
  longPollMs: 5_000,
};

/**
 * Starts an emulator over HTTPS on loopback and resolves once it listens. It starts with one
 * Web SDK and one Auth API application and **no users**: pass `users`, or `seed: true` for the
 * CLI's demo users.
 */
export async function startDuoEmulator(options: DuoEmulatorOptions = {}): Promise<DuoEmulator> {
  const bindHost = options.host ?? '127.0.0.1';
  if (bindHost !== '127.0.0.1') {
    throw new DuoEmulatorError(
      'OPTIONS_INVALID',
      'The emulator only listens on loopback (127.0.0.1).',
    );
  }
  const certs =
    options.certificates ??
    (options.certsDir ? await loadCertificates(options.certsDir) : await generateCertificates());
  const clock = options.clock ?? systemClock;
  const settings: EmulatorSettings = { ...DEFAULT_SETTINGS, ...options.settings };
  const apps = new AppRegistry();
  const users = new UserDirectory({
    ...(options.maxUsers !== undefined ? { maxUsers: options.maxUsers } : {}),
    ...(options.lockoutThreshold !== undefined
      ? { lockoutThreshold: options.lockoutThreshold }
      : {}),
  });
  const counters = new CallCounters();
  let faults: Faults = validateFaults({ ...options.faults });
  let port = options.port ?? 0;
  const nowMs = (): number => clock.nowMs() + (faults.clockSkewSec ?? 0) * 1000;
  const pushes = new PushCenter(users, nowMs, () => settings.pushTimeoutMs);
  const adminToken = options.adminToken ?? opaqueToken(24);
  const enrollments = new EnrollmentBook(users, nowMs);

  const ctx: EmulatorContext = {
    apps,
    users,
    counters,
    pushes,
    enrollments,
    clock,
    settings,
    adminToken,
    faults: () => faults,
    nowMs,
    hostNames: () => OWN_HOST_NAMES.map((name) => hostFor(name, port)),
  };

  for (const a of options.webSdkApps ?? [{ name: 'Web SDK (Universal Prompt)' }])
    apps.createWebSdk(a);
  for (const a of options.authApiApps ?? [{ name: 'Auth API' }]) apps.createAuthApi(a);
  for (const u of options.seed ? DEMO_USERS : []) users.create(u);
  for (const u of options.users ?? []) users.create(u);

  const app: FastifyInstance = Fastify({
    https: { key: certs.keyPem, cert: certs.certPem },
    logger: false,
    bodyLimit: 1024 * 1024,
  });

  registerBodyParsers(app);

  // Only requests addressed to our own names (also stops DNS-rebinding pages from reaching the API).
  app.addHook('onRequest', async (request, reply) => {
    if (!isOwnHost(request.headers.host, port)) return duoFail(reply, 40002, 'Host');
  });

  registerFaultHooks(app, ctx, {
    get: () => faults,
    set: (next) => {
      faults = next;
    },
  });

  app.setNotFoundHandler(async (request, reply) => duoFail(reply, 40401));
  app.setErrorHandler(async (error, request, reply) => {
    const status = (error as { statusCode?: number }).statusCode ?? 500;
    if (status >= 500) return duoFail(reply, 50001);
    return duoFail(reply, 40002, pathOf(request).startsWith('/auth/') ? undefined : 'request');
  });

  const oidc = registerOidcRoutes(app, ctx);
  registerAuthApiRoutes(app, ctx, oidc.enrollUrl);
  registerEnrollRoutes(app, ctx);

  const server = (): Server => app.server as Server;
  const listenAgain = (): Promise<void> =>
    new Promise((resolve, reject) => {
      server().once('error', reject);
      server().listen(port, bindHost, () => {
        server().off('error', reject);
        resolve();
      });
    });
  // Stops accepting connections at once (new ones get ECONNREFUSED) and drops idle kept-alive
  // ones; a request in flight (e.g. the admin call that asked for the outage) still gets its
  // answer, then its socket is destroyed by the onResponse hook below.
  const stopListening = async (): Promise<void> => {
    server().close();
    server().closeIdleConnections();
  };

  let outageTimer: NodeJS.Timeout | undefined;
  const applyFaults = async (next: Faults): Promise<Faults> => {
    validateFaults(next);
    if (next.rateLimit) next.rateLimit = { ...next.rateLimit };
    const wasRefusing = faults.outage === 'refuse';
    faults = next;
    if (!wasRefusing && faults.outage === 'refuse') await stopListening();
    if (wasRefusing && faults.outage !== 'refuse') await listenAgain();
    return faults;
  };
  const setFaults = async (
    patch: Partial<Faults> & { outageDurationMs?: number },
  ): Promise<Faults> => {
    const { outageDurationMs, ...rest } = patch;
    const result = await applyFaults({ ...faults, ...rest });
    if (outageDurationMs !== undefined && result.outage) {
      clearTimeout(outageTimer);
      outageTimer = setTimeout(
        () => void applyFaults({ ...faults, outage: undefined }).catch(() => undefined),
        outageDurationMs,
      );
    }
    return { ...result };
  };
  const resetFaults = async (): Promise<Faults> => applyFaults({});

  const describe = () => ({
    apiHost: hostFor('127.0.0.1', port),
    apps: apps.list(),
    users: users.list(),
    deletedUsers: users.deleted(),
    maxUsers: users.maxUsers ?? null,
    faults,
    counters: counters.snapshot(),
  });
  registerAdminRoutes(app, ctx, {
    setFaults: (p) => setFaults(p),
    resetFaults,
    describe,
  });

  await app.listen({ port, host: bindHost });
  port = (app.server.address() as AddressInfo).port;
  if (faults.outage === 'refuse') await stopListening();

  const first = <T extends { type: string }>(type: string): T | undefined =>
    apps.list().find((a) => a.type === type) as T | undefined;

  return {
    apiHost: hostFor('127.0.0.1', port),
    port,
    baseUrl: `https://${hostFor('127.0.0.1', port)}`,
    caPem: certs.caPem,
    adminToken,
    apps,
    get webSdkApp() {
      return first<WebSdkApp>('websdk');
    },
    get authApiApp() {
      return first<AuthApiApp>('authapi');
    },
    users,
    counters,
    faults: { get: () => ({ ...faults }), set: setFaults, reset: resetFaults },
    pushes: { pending: () => pushes.pending(), answer: (t, d) => pushes.answer(t, d) },
    enrollments: {
      pending: () => enrollments.pending(),
      activate: (code, name) => enrollments.activate(code, name),
    },
    async stop() {
      clearTimeout(outageTimer);
      pushes.stop();
      if (!server().listening) await listenAgain();
      await app.close();
    },
  };
}
