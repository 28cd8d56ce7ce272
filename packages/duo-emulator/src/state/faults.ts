import { DuoEmulatorError } from '../errors.js';
import { PROMPT_ACTIONS, PUSH_ANSWERS, type PromptAction, type PushAnswer } from './users.js';

/** Ways the id_token can be spoiled, one per client-side check (DU-04/DU-05, CK-03). */
export type TokenFault =
  | 'wrong_key'
  | 'wrong_iss'
  | 'wrong_aud'
  | 'wrong_preferred_username'
  | 'alg_hs256'
  | 'expired'
  | 'missing_nonce'
  | 'auth_result_deny'
  // DU-04: an unsigned token, required claims left out, and a spoiled token response.
  | 'alg_none'
  | 'missing_exp'
  | 'missing_iat'
  | 'missing_iss'
  | 'missing_aud'
  | 'token_type_mac'
  | 'missing_id_token';

/**
 * Ways a successful Auth API answer (`stat: OK`) can be spoiled (DA-03, DA-04; mockduo's
 * `preauth-bad-stat`, `*-missing_response`). Narrow it with `endpoints`, e.g. ['/auth/v2/preauth'].
 * - `unknown_result`: `response.result` is `ALLOW` (upper case: only a sloppy comparison accepts it)
 * - `missing_result`: `response.result` is removed
 * - `bad_stat`: `stat` is `ok` (lower case), the response is kept
 * - `missing_response`: the body is `{"stat":"OK"}`
 */
export type AuthApiAnswerFault =
  'unknown_result' | 'missing_result' | 'bad_stat' | 'missing_response';

/**
 * Text a hostile or broken Duo might send in its messages: terminal escape sequences (clear
 * screen, an OSC window title, colours), a bell, a forged log line and HTML (DA-04,
 * ASVS 16.4.1; mockduo's `escape-inject-*`).
 */
export const HOSTILE_TEXT =
  '\u001b[2J\u001b]0;duo-pwned\u0007\u001b[31mDuo\u001b[0m <script>alert("duo")</script>' +
  '<img src=x onerror=alert(1)>\r\n2026-01-01T00:00:00Z level=info msg="login ok" user=admin';

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
 * `endpoints` narrows outage5xx, latency, rate limits, malformed bodies, `authApiAnswer` and
 * `hostileText` to paths starting with one of the given prefixes (e.g. ['/oauth/v1/token']).
 */
export interface Faults {
  /** `refuse`: the server stops listening (ECONNREFUSED). `5xx`: answers with HTTP 5xx. */
  outage?: 'refuse' | '5xx';
  outageStatus?: number;
  latencyMs?: number;
  rateLimit?: RateLimitFault;
  malformedBody?: MalformedBody;
  /**
   * Duo reports itself unhealthy: the Universal `health_check` and the Auth API `ping` and
   * `check` answer HTTP 200 with `stat: FAIL` and a 5xxxx code (Duo's "unhealthy" shape).
   */
  healthCheckFail?: boolean;
  tokenFault?: TokenFault;
  /** Spoils successful Auth API answers (see AuthApiAnswerFault). */
  authApiAnswer?: AuthApiAnswerFault;
  /**
   * Replaces every message Duo writes (`status_msg`, `message`, `message_detail`,
   * `error_description`, a Verified Push `verification_code`, in JSON answers and in the
   * prompt's deny redirect) with this text;
   * `true` uses HOSTILE_TEXT.
   */
  hostileText?: true | string;
  /**
   * The account policy "Require Verified Duo Push": `preauth` with
   * `client_supports_verified_push=1` returns `txid`, `verification_code` and `expiration`, and a
   * push needs that `txid` in `/auth`; without the flag, devices lose the `push` capability.
   */
  verifiedPush?: boolean;
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
  'authApiAnswer',
  'hostileText',
  'verifiedPush',
  'pushAnswer',
  'promptAction',
  'clockSkewSec',
  'aliasLowercase',
  'endpoints',
];

/** Allowed values of the enumerated faults (anything else is refused, not silently ignored). */
export const FAULT_VALUES: Partial<Record<keyof Faults, ReadonlyArray<unknown>>> = {
  outage: ['refuse', '5xx'],
  malformedBody: ['truncated_json', 'html', 'empty'],
  healthCheckFail: [true, false],
  tokenFault: [
    'wrong_key',
    'wrong_iss',
    'wrong_aud',
    'wrong_preferred_username',
    'alg_hs256',
    'expired',
    'missing_nonce',
    'auth_result_deny',
    'alg_none',
    'missing_exp',
    'missing_iat',
    'missing_iss',
    'missing_aud',
    'token_type_mac',
    'missing_id_token',
  ] satisfies TokenFault[],
  authApiAnswer: [
    'unknown_result',
    'missing_result',
    'bad_stat',
    'missing_response',
  ] satisfies AuthApiAnswerFault[],
  verifiedPush: [true, false],
  pushAnswer: PUSH_ANSWERS,
  promptAction: PROMPT_ACTIONS,
  aliasLowercase: [true, false],
};

/**
 * Checks a complete fault set in place: unknown fields and values outside an enumeration are
 * refused with OPTIONS_INVALID; `undefined`/`null` fields are removed (they clear a fault).
 */
export function validateFaults(next: Faults): Faults {
  for (const k of Object.keys(next) as Array<keyof Faults>) {
    if (!FAULT_KEYS.includes(k))
      throw new DuoEmulatorError('OPTIONS_INVALID', `Unknown fault: ${String(k)}`);
    if (next[k] === undefined || next[k] === null) {
      delete next[k];
      continue;
    }
    const allowed = FAULT_VALUES[k];
    if (allowed && !allowed.includes(next[k]))
      throw new DuoEmulatorError(
        'OPTIONS_INVALID',
        `Fault ${String(k)} must be one of: ${allowed.map(String).join(', ')}`,
      );
  }
  return next;
}

export function faultApplies(faults: Faults, path: string): boolean {
  return !faults.endpoints || faults.endpoints.some((p) => path.startsWith(p));
}
