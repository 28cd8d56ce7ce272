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
 */
import https from 'node:https';
import { constants as sdkConstants, type Client } from '@duosecurity/duo_universal';
import { ProviderError } from '@factorkit/core';

/** The private field of `Client` this seam relies on (SDK 3.0.0, dist/index.mjs). */
export const SDK_PRIVATE_AXIOS_FIELD = 'axios';
export const SEAM_SDK_VERSION = '3.0.0';

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
export function trustCustomCa(client: Client, caPem: string, timeoutMs: number): void {
  const holder = client as unknown as Record<string, unknown>;
  const current = holder[SDK_PRIVATE_AXIOS_FIELD];
  if (!looksLikePinnedSdkAxios(current)) {
    throw new ProviderError(
      `@duosecurity/duo_universal no longer keeps its pinned axios instance in the private "${SDK_PRIVATE_AXIOS_FIELD}" field (the seam was written for ${SEAM_SDK_VERSION}); the custom CA cannot be applied. Update src/universal/ca-seam.ts for this SDK version.`,
      { details: { seam: 'duo-universal-ca' } },
    );
  }
  holder[SDK_PRIVATE_AXIOS_FIELD] = current.create({
    httpsAgent: new https.Agent({ ca: caPem, rejectUnauthorized: true, keepAlive: false }),
    timeout: timeoutMs,
  });
}

/**
 * Gives `client`'s calls a socket timeout while keeping the SDK's own pinned Duo CA bundle: the
 * derived instance inherits the pinned https.Agent (axios `create` merges the parent's defaults).
 * Used for every production client; fails loudly, like `trustCustomCa`, if the SDK changes.
 */
export function addSocketTimeout(client: Client, timeoutMs: number): void {
  const holder = client as unknown as Record<string, unknown>;
  const current = holder[SDK_PRIVATE_AXIOS_FIELD];
  if (!looksLikePinnedSdkAxios(current)) {
    throw new ProviderError(
      `@duosecurity/duo_universal no longer keeps its pinned axios instance in the private "${SDK_PRIVATE_AXIOS_FIELD}" field (the seam was written for ${SEAM_SDK_VERSION}). Update src/universal/ca-seam.ts for this SDK version.`,
      { details: { seam: 'duo-universal-timeout' } },
    );
  }
  const pinned = current.defaults.httpsAgent as https.Agent;
  holder[SDK_PRIVATE_AXIOS_FIELD] = current.create({ httpsAgent: pinned, timeout: timeoutMs });
}
