/**
 * The one seam that points Duo's official Auth API client, `@duosecurity/duo_api` 1.5 (CommonJS,
 * callback based, no types), at a local emulator. Its requests take their CA from the mutable
 * export `DUO_PINNED_CERT` of `lib/constants.js`, read at every call; this swaps only that value
 * for the emulator's CA (TLS verification stays on: the client then trusts the emulator and
 * nothing else) and puts it back afterwards. The client has no port option and puts its host
 * straight into `https.request({ host })`, so the emulator runs on 443 (test/support/default-port.ts)
 * and the client gets the bare host `127.0.0.1`.
 *
 * If a client upgrade renames the constant or stops reading it per call, `trustCaForDuoApi`
 * throws, and test/duo-api-official.test.ts checks that the unswapped client is refused.
 */
import { createRequire } from 'node:module';

/** The minimal shape of `@duosecurity/duo_api` the tests use. */
export interface DuoApiClient {
  ikey: string;
  skey: string;
  host: string;
  sigVersion: number;
  apiCall(
    method: string,
    path: string,
    params: Record<string, string>,
    callback: (body: string) => void,
  ): void;
  jsonApiCall(
    method: string,
    path: string,
    params: Record<string, string>,
    callback: (body: unknown) => void,
  ): void;
}

export interface DuoApiModule {
  Client: new (ikey: string, skey: string, host: string, sigVersion?: number) => DuoApiClient;
  SIGNATURE_VERSION_2: number;
  SIGNATURE_VERSION_5: number;
}

/** `lib/duo_sig.js`: the client's own signer. */
export interface DuoApiSigner {
  sign(
    ikey: string,
    skey: string,
    method: string,
    host: string,
    path: string,
    params: Record<string, string | string[]>,
    date: string,
  ): string;
  signV5(
    ikey: string,
    skey: string,
    method: string,
    host: string,
    path: string,
    params: Record<string, string | string[]>,
    date: string,
    body: string,
  ): string;
}

interface DuoApiConstants {
  DUO_PINNED_CERT: string;
}

export class DuoApiSeamError extends Error {
  override readonly name = 'DuoApiSeamError';
  readonly code = 'DUO_API_SEAM_BROKEN';
}

const load = createRequire(import.meta.url);

export const duoApi = load('@duosecurity/duo_api') as DuoApiModule;
export const duoSig = load('@duosecurity/duo_api/lib/duo_sig.js') as DuoApiSigner;
const constants = load('@duosecurity/duo_api/lib/constants.js') as Partial<DuoApiConstants>;

/** Makes the official client trust only `caPem`; returns the function that restores Duo's CAs. */
export function trustCaForDuoApi(caPem: string): () => void {
  const original = constants.DUO_PINNED_CERT;
  if (typeof original !== 'string' || !original.includes('BEGIN CERTIFICATE')) {
    throw new DuoApiSeamError(
      '@duosecurity/duo_api no longer exports DUO_PINNED_CERT from lib/constants.js; update the seam for this client version.',
    );
  }
  constants.DUO_PINNED_CERT = caPem;
  return () => {
    constants.DUO_PINNED_CERT = original;
  };
}

/** `jsonApiCall` as a promise. */
export function callJson<T = { stat: string; code?: number; response?: never }>(
  client: DuoApiClient,
  method: 'GET' | 'POST',
  path: string,
  params: Record<string, string> = {},
): Promise<T> {
  return new Promise((resolve) => {
    client.jsonApiCall(method, path, params, (body) => resolve(body as T));
  });
}

/** `apiCall` (the raw body text, as the client decodes it) as a promise. */
export function callRaw(
  client: DuoApiClient,
  method: 'GET' | 'POST',
  path: string,
  params: Record<string, string> = {},
): Promise<string> {
  return new Promise((resolve) => {
    client.apiCall(method, path, params, resolve);
  });
}
