/**
 * One classification of every failure talking to Duo, shared by both transports. Only `outage`
 * ever leads to failmode (OUT-02, invariant 7): a refused or reset connection, a DNS
 * failure, a timeout, an HTTP 5xx (or Duo code >= 50000), a health check that reports Duo
 * unavailable, or 429 beyond the interactive budget. Everything else (rejected credentials,
 * signatures, clock skew, TLS certificate failures, malformed answers, token or username errors)
 * is a fault on our side or an attack, and fails closed.
 */
import { ProviderError, ProviderUnavailableError, type FactorkitError } from '@factorkit/core';

export type FailureKind = 'outage' | 'config' | 'tls' | 'malformed' | 'protocol';

export class DuoCallError extends Error {
  override readonly name = 'DuoCallError';
  constructor(
    readonly kind: FailureKind,
    /** Plain text for logs: never a secret, never raw remote text (see safeText). */
    readonly detail: string,
    options?: { cause?: unknown; hint?: string; notProcessed?: boolean },
  ) {
    // The underlying error is deliberately not kept as `cause`: an axios or undici error holds
    // the request (the signed client_assertion, the duo_code, Authorization headers), and hosts
    // log causes. `detail` carries the error code and status instead (SS-05, LG-01).
    super(detail);
    this.hint = options?.hint;
    this.notProcessed = options?.notProcessed === true;
  }
  readonly hint: string | undefined;
  /**
   * Duo certainly did not act on the request: no connection was ever opened, or Duo refused
   * every attempt with 429. Only then may a caller assume that a push it asked for was never
   * sent; a timeout, a reset or a 5xx may come after Duo sent it.
   */
  readonly notProcessed: boolean;
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_ABORTED',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
]);

function codeOf(err: unknown): string | undefined {
  let e: unknown = err;
  for (let i = 0; i < 5 && e && typeof e === 'object'; i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code.length > 0) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

function nameOf(err: unknown): string | undefined {
  return err && typeof err === 'object' ? (err as { name?: string }).name : undefined;
}

/** TLS verification failures: never an outage (a MITM must not turn into fail-open). */
export function isTlsFailure(code: string | undefined): boolean {
  if (!code) return false;
  return (
    code.startsWith('ERR_TLS_') ||
    code.startsWith('CERT_') ||
    code.includes('CERT') ||
    code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' ||
    code === 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY' ||
    code === 'SELF_SIGNED_CERT_IN_CHAIN' ||
    code === 'DEPTH_ZERO_SELF_SIGNED_CERT' ||
    code === 'ERR_SSL_WRONG_VERSION_NUMBER' ||
    code.startsWith('ERR_SSL_')
  );
}

/** Failures while connecting: the request itself never left. */
const NOT_CONNECTED_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_CONNECT_TIMEOUT',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
]);

/** Classifies a low-level error from a socket, undici or axios. */
export function classifyNetworkError(err: unknown): DuoCallError {
  if (err instanceof DuoCallError) return err;
  const code = codeOf(err);
  const name = nameOf(err);
  if (isTlsFailure(code)) {
    return new DuoCallError('tls', `TLS verification failed (${code})`, { cause: err });
  }
  if (name === 'TimeoutError' || name === 'AbortError' || (code && NETWORK_CODES.has(code))) {
    return new DuoCallError('outage', `Duo unreachable (${code ?? name})`, {
      cause: err,
      notProcessed: code !== undefined && NOT_CONNECTED_CODES.has(code),
    });
  }
  return new DuoCallError('protocol', `unexpected failure talking to Duo (${code ?? name})`, {
    cause: err,
  });
}

/** The core error a hook throws for a classified failure. */
export function toCoreError(err: DuoCallError): FactorkitError {
  const details = { duoFailure: err.kind, ...(err.hint ? { hint: err.hint } : {}) };
  if (err.kind === 'outage')
    return new ProviderUnavailableError(undefined, { cause: err, details });
  return new ProviderError('The Duo request failed.', { cause: err, details });
}
