import type { PromptAction, PushAnswer } from './users.js';

/** Ways the id_token can be spoiled, one per client-side check (catalog DU-04/DU-05, CK-03). */
export type TokenFault =
  | 'wrong_key'
  | 'wrong_iss'
  | 'wrong_aud'
  | 'wrong_preferred_username'
  | 'alg_hs256'
  | 'expired'
  | 'missing_nonce'
  | 'auth_result_deny';

export type MalformedBody = 'truncated_json' | 'html' | 'empty';

export interface RateLimitFault {
  /** How many further requests get 429 (undefined: every request until cleared). */
  remaining?: number;
  /** `Retry-After` value: seconds, or an HTTP-date when `retryAfterDate` is true. */
  retryAfterSec?: number;
  retryAfterDate?: boolean;
  /** Only requests for this user (username or alias) are limited. */
  user?: string;
}

/**
 * Faults injected on demand. Every field is optional; an absent field means normal behaviour.
 * `endpoints` narrows outage5xx, latency and malformed bodies to paths starting with one of the
 * given prefixes (e.g. ['/oauth/v1/token']).
 */
export interface Faults {
  /** `refuse`: the server stops listening (ECONNREFUSED). `5xx`: answers with HTTP 5xx. */
  outage?: 'refuse' | '5xx';
  outageStatus?: number;
  latencyMs?: number;
  rateLimit?: RateLimitFault;
  malformedBody?: MalformedBody;
  /** Health check answers HTTP 200 with `stat: FAIL` (Duo's "unhealthy" shape). */
  healthCheckFail?: boolean;
  tokenFault?: TokenFault;
  /** Default push/phone answer for users without their own. Default `manual`. */
  pushAnswer?: PushAnswer;
  /** Default prompt behaviour for users without their own. Default `interactive`. */
  promptAction?: PromptAction;
  /** Seconds added to the emulator's clock (id_token times, Date window, codes). */
  clockSkewSec?: number;
  /** Return `preferred_username` lower-cased when the user matched through an alias. */
  aliasLowercase?: boolean;
  endpoints?: string[];
}

export const FAULT_KEYS: ReadonlyArray<keyof Faults> = [
  'outage',
  'outageStatus',
  'latencyMs',
  'rateLimit',
  'malformedBody',
  'healthCheckFail',
  'tokenFault',
  'pushAnswer',
  'promptAction',
  'clockSkewSec',
  'aliasLowercase',
  'endpoints',
];

export function faultApplies(faults: Faults, path: string): boolean {
  return !faults.endpoints || faults.endpoints.some((p) => path.startsWith(p));
}
