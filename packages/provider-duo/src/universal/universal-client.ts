/**
 * Universal Prompt (Web SDK v4 / OIDC) through the official `@duosecurity/duo_universal` SDK,
 * with what the SDK leaves to its caller: a deadline on every call (the SDK's axios instance has
 * none, OUT-03) and one classification of every SDK failure (OUT-02).
 */
import type https from 'node:https';
import { Client, DuoException, constants as sdk } from '@duosecurity/duo_universal';
import { ProviderError } from '@factorkit/core';
import type { DuoSettings } from '../config/settings.js';
import { DuoCallError, classifyNetworkError } from '../failure.js';
import { safeText } from '../sanitize.js';
import { addSocketTimeout, trustCustomCa } from './ca-seam.js';

export type IdTokenPayload = Awaited<ReturnType<Client['exchangeAuthorizationCodeFor2FAResult']>>;

/** An SDK client and the agent its calls go through (closed when the client is dropped). */
export interface BuiltClient {
  client: Client;
  agent: https.Agent;
}

/** The socket timeout of every call: the longer of the two deadlines (OUT-03). */
export function socketTimeoutOf(settings: DuoSettings): number {
  return Math.max(settings.requestTimeoutMs, settings.healthTimeoutMs);
}

/**
 * Builds an SDK client for these settings (the custom CA only through the seam). With
 * `keepAlive`, its TLS connection stays open for the next call; only client-cache.ts asks for it.
 */
export function buildUniversalClient(
  settings: DuoSettings,
  opts: { keepAlive?: boolean } = {},
): BuiltClient {
  let client: Client;
  try {
    client = new Client({
      clientId: settings.clientId ?? '',
      clientSecret: settings.clientSecret ?? '',
      apiHost: settings.apiHost,
      redirectUrl: settings.redirectUrl ?? '',
      useDuoCodeAttribute: true,
    });
  } catch (err) {
    // The SDK's own constructor checks (lengths, host, URL); messages carry no secret.
    throw new ProviderError('The Duo Universal Prompt settings are invalid.', {
      cause: err,
      details: { sdk: err instanceof Error ? err.message : 'unknown' },
    });
  }
  const socketTimeout = socketTimeoutOf(settings);
  const agentOptions = { keepAlive: opts.keepAlive === true };
  // Production: keep the SDK's pinned Duo CAs, add the socket timeout the SDK lacks, so a
  // blackholed Duo never leaves sockets open past our deadline (OUT-03).
  const agent =
    settings.caPem !== undefined
      ? trustCustomCa(client, settings.caPem, socketTimeout, agentOptions)
      : addSocketTimeout(client, socketTimeout, agentOptions);
  return { client, agent };
}

/** A one-off SDK client (one connection per call), for checks of settings not yet in use. */
export function createUniversalClient(settings: DuoSettings): Client {
  return buildUniversalClient(settings).client;
}

/** Runs `fn` with a deadline; a late answer is ignored (its rejection is swallowed). */
export async function withDeadline<T>(fn: () => Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const work = fn();
  work.catch(() => undefined);
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new DuoCallError('outage', `Duo did not answer the ${what} within ${ms} ms`)),
      ms,
    );
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

interface AxiosLikeError {
  isAxiosError: true;
  code?: string;
  response?: { status: number; data?: unknown };
}

function isAxiosLike(e: unknown): e is AxiosLikeError {
  return (
    typeof e === 'object' && e !== null && (e as { isAxiosError?: unknown }).isAxiosError === true
  );
}

/** Classifies an SDK failure. `username` is set when the SDK refused `preferred_username`. */
export function classifySdkError(err: unknown): DuoCallError & { usernameMismatch?: boolean } {
  if (err instanceof DuoCallError) return err;
  if (!(err instanceof DuoException)) return classifyNetworkError(err);
  const inner = err.inner;
  if (isAxiosLike(inner)) {
    const status = inner.response?.status;
    if (status === undefined) return classifyNetworkError(inner);
    if (status >= 500 || status === 429)
      return new DuoCallError('outage', `Duo answered HTTP ${status}`, { cause: err });
    const data = inner.response?.data as { error?: unknown; message?: unknown } | undefined;
    const code = safeText(
      typeof data === 'object' && data !== null ? (data.error ?? data.message) : undefined,
      40,
    );
    const kind = code === 'invalid_client' || status === 401 ? 'config' : 'protocol';
    return new DuoCallError(kind, `Duo answered HTTP ${status} (${code || 'no error code'})`, {
      cause: err,
    });
  }
  if (inner !== undefined) {
    // JWT_DECODE_ERROR wraps the jose verification failure: a bad id_token.
    return new DuoCallError('protocol', `id_token rejected: ${safeText(inner.message, 120)}`, {
      cause: err,
    });
  }
  const message = err.message;
  if (message === sdk.USERNAME_ERROR) {
    const e = new DuoCallError('protocol', 'preferred_username differs from the username sent', {
      cause: err,
    }) as DuoCallError & { usernameMismatch?: boolean };
    e.usernameMismatch = true;
    return e;
  }
  if (message === sdk.MALFORMED_RESPONSE)
    return new DuoCallError('malformed', 'Duo answered without the expected data', { cause: err });
  // Anything else: a health check answered `stat: FAIL` with HTTP 200 (the SDK gives
  // "message: message_detail" and drops Duo's numeric code), or an SDK check we don't know.
  // Outages are an allow-list (no answer, timeout, 5xx, 429 above; an explicit "unavailable"
  // here); everything else is a refusal of our configuration and fails closed, so a
  // misconfiguration (wrong integration type, keys pasted from the Auth API) can never fail
  // open (OUT-02, invariant 7; Duo's "Failing open" incident).
  if (/\b(temporarily unavailable|service unavailable|maintenance)\b/i.test(message))
    return new DuoCallError(
      'outage',
      `Duo reported itself unavailable (${safeText(message, 120)})`,
      { cause: err },
    );
  return new DuoCallError('config', `Duo refused the request (${safeText(message, 120)})`, {
    cause: err,
  });
}

export async function universalHealth(client: Client, timeoutMs: number): Promise<void> {
  try {
    await withDeadline(() => client.healthCheck(), timeoutMs, 'health check');
  } catch (err) {
    throw classifySdkError(err);
  }
}

export async function exchangeCode(
  client: Client,
  code: string,
  username: string,
  timeoutMs: number,
): Promise<IdTokenPayload> {
  try {
    return await withDeadline(
      () => client.exchangeAuthorizationCodeFor2FAResult(code, username),
      timeoutMs,
      'token exchange',
    );
  } catch (err) {
    throw classifySdkError(err);
  }
}
