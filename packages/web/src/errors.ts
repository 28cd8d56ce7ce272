import { FactorkitError, type ErrorCode } from '@factorkit/core';

/** Error codes of the HTTP layer itself, beside core's `ErrorCode`s. */
export type WebErrorCode =
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'INVALID_JSON'
  | 'BODY_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'CSRF_INVALID'
  | 'NO_SECOND_STEP'
  | 'STATE_CHANGED'
  | 'SECOND_FACTOR_REQUIRED'
  | 'ENROLLMENT_NOT_OFFERED'
  | 'PROMPT_NOT_RENDERED'
  | 'IP_RATE_LIMITED'
  | 'INTERNAL_ERROR';

/** Every `error.code` a response of this package can carry. */
export type ApiErrorCode = ErrorCode | WebErrorCode;

/** A refusal decided by the HTTP layer (a bad request, a missing CSRF token, a pending session). */
export class WebError extends Error {
  override readonly name = 'WebError';
  constructor(
    readonly status: number,
    readonly code: WebErrorCode,
    message: string,
    readonly retryAfter?: number,
  ) {
    super(message);
  }
}

const CORE_STATUS: Record<ErrorCode, number> = {
  INVALID_FORMAT: 400,
  INVALID_ARGUMENT: 400,
  INVALID_CODE: 401,
  CODE_ALREADY_USED: 401,
  PROVIDER_DENIED: 401,
  STATE_MISMATCH: 401,
  USERNAME_MISMATCH: 401,
  NOT_ENROLLED: 403,
  ALREADY_ENROLLED: 403,
  POLICY_DENIED: 403,
  PROVIDER_NOT_ALLOWED: 403,
  STEP_UP_REQUIRED: 403,
  PROVIDER_NOT_FOUND: 404,
  CHALLENGE_NOT_FOUND: 409,
  CHALLENGE_EXPIRED: 409,
  LOCKED: 423,
  RATE_LIMITED: 429,
  PUSH_RATE_LIMITED: 429,
  CONFIG_INVALID: 500,
  PROVIDER_REGISTRATION_INVALID: 500,
  SECRET_DECRYPT_FAILED: 500,
  PROVIDER_ERROR: 502,
  PROVIDER_UNAVAILABLE: 503,
  STORE_UNAVAILABLE: 503,
};

/** The stable JSON body of every refusal: no stack trace, no cause, no secret (LG-03). */
export interface ApiErrorBody {
  readonly error: {
    readonly code: ApiErrorCode;
    readonly message: string;
    /** Seconds until another attempt may succeed; null when only an administrator can help. */
    readonly retryAfter?: number | null;
    /** The id the host's logs hold for this request. */
    readonly requestId: string;
  };
}

export interface MappedError {
  readonly status: number;
  readonly body: ApiErrorBody;
  /** True for a failure the host should look into (5xx): it reaches `onError`. */
  readonly unexpected: boolean;
}

const GENERIC = 'Something went wrong on our side. Try again later.';
const UNAVAILABLE = 'The service is unavailable for a moment. Try again shortly.';

/** Turns anything thrown while serving a request into its status and public body. */
export function mapError(err: unknown, requestId: string): MappedError {
  if (err instanceof WebError) {
    const retry = err.retryAfter === undefined ? {} : { retryAfter: err.retryAfter };
    const body = { error: { code: err.code, message: err.message, ...retry, requestId } };
    return { status: err.status, body, unexpected: err.status >= 500 };
  }
  if (err instanceof FactorkitError) {
    const status = CORE_STATUS[err.code] ?? 500;
    // 5xx messages may name internals (a store, a key id, a data format): the outside gets a
    // generic one; a 503 says it is worth trying again, with the same care.
    const message = status === 503 ? UNAVAILABLE : status >= 500 ? GENERIC : err.message;
    const retryAfter = err.details.retryAfter;
    const retry =
      typeof retryAfter === 'number' || retryAfter === null ? { retryAfter } : undefined;
    const body = { error: { code: err.code, message, ...retry, requestId } };
    return { status, body, unexpected: status >= 500 };
  }
  const body = { error: { code: 'INTERNAL_ERROR' as const, message: GENERIC, requestId } };
  return { status: 500, body, unexpected: true };
}

/** Every web-layer code once: a Record, so the compiler refuses a code left out. */
const WEB_CODES: Record<WebErrorCode, true> = {
  NOT_FOUND: true,
  METHOD_NOT_ALLOWED: true,
  INVALID_JSON: true,
  BODY_TOO_LARGE: true,
  UNSUPPORTED_MEDIA_TYPE: true,
  CSRF_INVALID: true,
  NO_SECOND_STEP: true,
  STATE_CHANGED: true,
  SECOND_FACTOR_REQUIRED: true,
  ENROLLMENT_NOT_OFFERED: true,
  PROMPT_NOT_RENDERED: true,
  IP_RATE_LIMITED: true,
  INTERNAL_ERROR: true,
};

/** Every `ApiErrorCode`, at run time (for message catalogs and their completeness check). */
export const API_ERROR_CODES: readonly ApiErrorCode[] = [
  ...(Object.keys(CORE_STATUS) as ErrorCode[]),
  ...(Object.keys(WEB_CODES) as WebErrorCode[]),
];
