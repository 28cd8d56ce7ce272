/**
 * The one explicit seam that points an official `@duosecurity/duo_universal` Client at a local
 * Duo emulator. SDK 3.0.0 pins Duo's CA bundle through a private axios instance (`client.axios`,
 * built with `https.Agent({ ca: DUO_PINNED_CERT })`); NODE_EXTRA_CA_CERTS cannot help because an
 * explicit `ca` replaces the root store (duo-protocol.md Part E). This replaces that instance
 * with one derived from it (same baseURL, same "HTTP disabled" guard) whose https.Agent trusts
 * only the given CA. Nothing global changes and TLS verification stays on.
 *
 * If an SDK upgrade renames or reshapes the private field, this throws instead of silently
 * talking to the real Duo CAs; test/duo-sdk-seam.test.ts also guards it.
 */
import https from 'node:https';
import type { Client } from '@duosecurity/duo_universal';

export class DuoSdkSeamError extends Error {
  override readonly name = 'DuoSdkSeamError';
  readonly code = 'DUO_SDK_SEAM_BROKEN';
}

interface AxiosLike {
  defaults: { baseURL?: string; httpsAgent?: unknown };
  create(config: { httpsAgent: https.Agent }): AxiosLike;
}

function isAxiosLike(value: unknown): value is AxiosLike {
  const v = value as Partial<AxiosLike> | undefined;
  return typeof v === 'function' || typeof v === 'object'
    ? v !== null &&
        typeof v?.create === 'function' &&
        typeof v?.defaults === 'object' &&
        v.defaults.httpsAgent instanceof https.Agent
    : false;
}

export function trustCaForDuoClient(client: Client, caPem: string): void {
  const holder = client as unknown as { axios?: unknown };
  const current = holder.axios;
  if (!isAxiosLike(current)) {
    throw new DuoSdkSeamError(
      '@duosecurity/duo_universal no longer keeps its pinned axios instance in the private `axios` field; update the CA seam for this SDK version.',
    );
  }
  holder.axios = current.create({ httpsAgent: new https.Agent({ ca: caPem }) });
}
