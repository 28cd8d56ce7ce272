/**
 * THE one seam into `@duosecurity/duo_universal` internals: it points a client at the opt-in
 * `caPem` (the factorkit Duo emulator) and, for every client, adds the socket timeout the SDK's
 * axios instance lacks while keeping Duo's pinned CAs.
 *
 * Why: SDK 3.0.0 always pins Duo's CA bundle through a private axios instance built with
 * `https.Agent({ ca: DUO_PINNED_CERT })`; `NODE_EXTRA_CA_CERTS` cannot help because an explicit
 * `ca` replaces the root store (duo-protocol.md Part E). Unreleased SDK versions add
 * `enableCAPinning`; 3.0.0 has nothing public.
 *
 * What: derive a new axios instance from the SDK's own (`instance.create` keeps its baseURL and
 * the "HTTP disabled" guard) whose https.Agent trusts exactly the given CA, with TLS verification
 * on, and a socket timeout. Nothing global changes; other clients keep Duo's pinning.
 *
 * If an SDK upgrade moves or reshapes the private field, `trustCustomCa` throws a typed error
 * instead of silently using another trust store; test/ca-seam.test.ts fails loudly too.
 *
 * Both functions return the https.Agent they installed, so that the caller that keeps the client
 * for reuse (client-cache.ts, with `keepAlive`) can close its sockets when it drops the client.
 */
import https from 'node:https';
import { constants as sdkConstants, type Client } from '@duosecurity/duo_universal';
import { ProviderError } from '@factorkit/core';

/** The private field of `Client` this seam relies on (SDK 3.0.0, dist/index.mjs). */
export const SDK_PRIVATE_AXIOS_FIELD = 'axios';
export const SEAM_SDK_VERSION = '3.0.0';

/** How the installed agent treats connections: one per call (default) or kept alive. */
export interface SeamAgentOptions {
  /** Keep idle TLS connections for the next call on this client (see KEEP_ALIVE_IDLE_MS). */
  keepAlive?: boolean;
}

/**
 * How long an idle kept-alive connection may wait for the next call. Shorter than the idle
 * timeouts servers commonly use (Node's 5 s, load balancers' 60 s), so we close a connection
 * before Duo's side does: a request sent on a connection the server has just closed fails with
 * a reset, which would count as an outage (failmode) although Duo is up.
 */
export const KEEP_ALIVE_IDLE_MS = 4000;

/** A keep-alive agent whose idle connections close after KEEP_ALIVE_IDLE_MS at most. */
class IdleCappedAgent extends https.Agent {
  constructor(
    options: https.AgentOptions,
    private readonly idleMs: number,
  ) {
    super(options);
  }

  // Node's documented hook for a socket going back to the pool: it sets the agent's timeout
  // (or the server's shorter `Keep-Alive: timeout` hint) on the idle socket; we cap it. A request
  // on the socket sets its own timeout again (axios, OUT-03).
  // Node documents a boolean result (false: destroy the socket); @types/node says void.
  override keepSocketAlive(socket: import('node:net').Socket): void {
    const kept: unknown = super.keepSocketAlive(socket);
    const timeout = socket.timeout ?? 0;
    if (kept !== false && (timeout === 0 || timeout > this.idleMs)) socket.setTimeout(this.idleMs);
    return kept as void;
  }
}

/**
 * An agent for the seam: TLS verification on, the given CA only. With keep-alive, sockets time
 * out after `timeoutMs` (OUT-03) and idle ones sooner (KEEP_ALIVE_IDLE_MS); they never hold the
 * process open (Node unrefs pooled sockets).
 */
function seamAgent(ca: unknown, timeoutMs: number, opts: SeamAgentOptions): https.Agent {
  const options = { ca: ca as string, rejectUnauthorized: true };
  if (opts.keepAlive !== true) return new https.Agent({ ...options, keepAlive: false });
  return new IdleCappedAgent(
    { ...options, keepAlive: true, timeout: timeoutMs },
    Math.min(KEEP_ALIVE_IDLE_MS, timeoutMs),
  );
}

interface AxiosInstanceShape {
  defaults: { baseURL?: unknown; httpsAgent?: unknown; httpAgent?: unknown };
  create(config: { httpsAgent: https.Agent; timeout: number }): AxiosInstanceShape;
}

/** True when `value` is the pinned axios instance SDK 3.0.0 builds in its constructor. */
export function looksLikePinnedSdkAxios(value: unknown): value is AxiosInstanceShape {
  if ((typeof value !== 'function' && typeof value !== 'object') || value === null) return false;
  const v = value as Partial<AxiosInstanceShape>;
  if (typeof v.create !== 'function' || typeof v.defaults !== 'object' || v.defaults === null)
    return false;
  const agent = v.defaults.httpsAgent;
  return (
    agent instanceof https.Agent &&
    (agent as https.Agent & { options: { ca?: unknown } }).options.ca ===
      sdkConstants.DUO_PINNED_CERT &&
    typeof v.defaults.baseURL === 'string'
  );
}

/** Makes `client` trust `caPem` (and only it) for its calls to Duo. */
export function trustCustomCa(
  client: Client,
  caPem: string,
  timeoutMs: number,
  opts: SeamAgentOptions = {},
): https.Agent {
  const holder = client as unknown as Record<string, unknown>;
  const current = holder[SDK_PRIVATE_AXIOS_FIELD];
  if (!looksLikePinnedSdkAxios(current)) {
    throw new ProviderError(
      `@duosecurity/duo_universal no longer keeps its pinned axios instance in the private "${SDK_PRIVATE_AXIOS_FIELD}" field (the seam was written for ${SEAM_SDK_VERSION}); the custom CA cannot be applied. Update src/universal/ca-seam.ts for this SDK version.`,
      { details: { seam: 'duo-universal-ca' } },
    );
  }
  const agent = seamAgent(caPem, timeoutMs, opts);
  holder[SDK_PRIVATE_AXIOS_FIELD] = current.create({ httpsAgent: agent, timeout: timeoutMs });
  return agent;
}

/**
 * Gives `client`'s calls a socket timeout while keeping the SDK's own pinned Duo CA bundle: the
 * derived instance keeps the SDK's pinned https.Agent, or, with `keepAlive`, gets a keep-alive
 * agent trusting exactly that same pinned bundle (the SDK's own agent closes every connection).
 * Used for every production client; fails loudly, like `trustCustomCa`, if the SDK changes.
 */
export function addSocketTimeout(
  client: Client,
  timeoutMs: number,
  opts: SeamAgentOptions = {},
): https.Agent {
  const holder = client as unknown as Record<string, unknown>;
  const current = holder[SDK_PRIVATE_AXIOS_FIELD];
  if (!looksLikePinnedSdkAxios(current)) {
    throw new ProviderError(
      `@duosecurity/duo_universal no longer keeps its pinned axios instance in the private "${SDK_PRIVATE_AXIOS_FIELD}" field (the seam was written for ${SEAM_SDK_VERSION}). Update src/universal/ca-seam.ts for this SDK version.`,
      { details: { seam: 'duo-universal-timeout' } },
    );
  }
  const pinned = current.defaults.httpsAgent as https.Agent;
  // looksLikePinnedSdkAxios proved that the pinned agent's CA is the SDK's Duo bundle.
  const agent =
    opts.keepAlive === true ? seamAgent(sdkConstants.DUO_PINNED_CERT, timeoutMs, opts) : pinned;
  holder[SDK_PRIVATE_AXIOS_FIELD] = current.create({ httpsAgent: agent, timeout: timeoutMs });
  return agent;
}
