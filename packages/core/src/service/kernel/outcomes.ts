import {
  FactorkitError,
  InvalidFormatError,
  InvalidCodeError,
  PendingStateError,
  ProviderDeniedError,
  ProviderError,
  ProviderUnavailableError,
  StoreUnavailableError,
  type ErrorCode,
} from '../../errors.js';
import {
  VERIFY_FAILURE_REASONS,
  type JsonValue,
  type LookupKey,
  type VerifyFailureReason,
} from '../../provider/contract.js';
import {
  amrProblem,
  assuranceDeclarationProblem,
  type AmrValue,
  type FactorAssurance,
} from '../../provider/assurance.js';
import type { Logger } from '../../services.js';
import { readLookupKey } from './lookup-keys.js';

/** A provider's answer, read under the plain-object rule. */
export type Outcome =
  | {
      ok: true;
      counter?: number;
      counterless?: true;
      method?: string;
      amr?: readonly AmrValue[];
      assurance?: FactorAssurance;
      enrollment?: JsonValue;
      label?: string;
      lookupKey?: LookupKey;
    }
  | { ok: false; reason: 'WAITING'; pending?: JsonValue }
  | Failure;

export interface Failure {
  ok: false;
  reason: VerifyFailureReason;
  detail?: string;
  /** The provider's own wish about retrying this answer on the same step. */
  retry?: boolean;
  /** The provider's typed error, when it threw one: it reaches the host with its details. */
  error?: FactorkitError;
}

/**
 * One row per failure reason: whether it counts against the user's budget (SECURITY.md BF-04: an
 * outage or a poll is not a guess), whether the same step may be answered again, and the typed
 * error the host gets. `retry: 'answer'` is a wrong answer (retried only where the provider
 * allows); `'outage'` may be retried in activation once the provider is back.
 */
interface ReasonRow {
  readonly counted: boolean;
  readonly retry: 'answer' | 'outage' | 'never';
  readonly error: (details: Record<string, unknown>) => FactorkitError;
}

export const REASONS: Readonly<Record<VerifyFailureReason, ReasonRow>> = {
  INVALID_FORMAT: {
    counted: true,
    retry: 'answer',
    error: (details) => new InvalidFormatError(undefined, { details }),
  },
  INVALID_CODE: {
    counted: true,
    retry: 'answer',
    error: (details) => new InvalidCodeError(undefined, { details }),
  },
  DENIED: {
    counted: true,
    retry: 'never',
    error: (details) => new ProviderDeniedError(undefined, { details }),
  },
  EXPIRED: {
    counted: false,
    retry: 'never',
    error: (details) => new PendingStateError('CHALLENGE_EXPIRED', { details }),
  },
  STATE_MISMATCH: {
    counted: true,
    retry: 'never',
    error: (details) =>
      new FactorkitError(
        'STATE_MISMATCH',
        'The answer does not belong to this sign-in. Start again.',
        { details },
      ),
  },
  USERNAME_MISMATCH: {
    counted: true,
    retry: 'never',
    error: (details) =>
      new FactorkitError(
        'USERNAME_MISMATCH',
        'The second factor was completed for another account.',
        { details },
      ),
  },
  UNAVAILABLE: {
    counted: false,
    retry: 'outage',
    error: (details) => new ProviderUnavailableError(undefined, { details }),
  },
  PUSH_RATE_LIMITED: {
    counted: false,
    retry: 'never',
    error: (details) =>
      new FactorkitError(
        'PUSH_RATE_LIMITED',
        'Too many push requests. Wait before asking for another.',
        { details },
      ),
  },
  SERVICE_FAULT: {
    counted: false,
    retry: 'never',
    error: (details) =>
      new ProviderError(
        'The second-factor service could not check this answer. Try again later, or use another factor.',
        { details },
      ),
  },
  ERROR: {
    counted: true,
    retry: 'never',
    error: (details) => new ProviderError(undefined, { details }),
  },
};

/** The typed errors a provider may throw from a hook, and the reason each stands for. */
const THROWN: Partial<Record<ErrorCode, VerifyFailureReason>> = {
  PROVIDER_UNAVAILABLE: 'UNAVAILABLE',
  INVALID_FORMAT: 'INVALID_FORMAT',
  INVALID_CODE: 'INVALID_CODE',
  PROVIDER_DENIED: 'DENIED',
  STATE_MISMATCH: 'STATE_MISMATCH',
  USERNAME_MISMATCH: 'USERNAME_MISMATCH',
  CHALLENGE_EXPIRED: 'EXPIRED',
  PUSH_RATE_LIMITED: 'PUSH_RATE_LIMITED',
};

/**
 * The same error (class, message, code, cause and own fields such as `retryAfter`) with more
 * details: a provider's typed error reaches the host whole, never flattened and rebuilt.
 */
export function withDetails<E extends FactorkitError>(err: E, extra: Record<string, unknown>): E {
  const copy = Object.create(
    Object.getPrototypeOf(err) as object,
    Object.getOwnPropertyDescriptors(err),
  ) as E;
  Object.defineProperty(copy, 'details', {
    value: Object.freeze({ ...err.details, ...extra }),
    enumerable: true,
  });
  return copy;
}

/** The error a failure ends in: the provider's own when it threw one, else the table's. */
export function failureError(f: Failure, details: Record<string, unknown>): FactorkitError {
  return f.error ? withDetails(f.error, details) : REASONS[f.reason].error(details);
}

const READ_KEYS = [
  'ok',
  'counter',
  'counterless',
  'method',
  'amr',
  'assurance',
  'enrollment',
  'label',
  'lookupKey',
  'reason',
  'detail',
  'retry',
  'pending',
];

function accessor(o: object, key: string): boolean {
  const d = Object.getOwnPropertyDescriptor(o, key);
  return d !== undefined && !('value' in d);
}

/** Own data property, never a getter and never inherited. */
function own(o: object, key: string): unknown {
  const d = Object.getOwnPropertyDescriptor(o, key);
  return d && 'value' in d ? (d.value as unknown) : undefined;
}

/**
 * The plain-object rule (SECURITY.md FL-03, ASVS 16.5.3): an answer is read only when it is a
 * plain object (prototype `Object.prototype` or null) and only through own data properties. A
 * fetch `Response` (`ok === true` for any HTTP 200), a class instance, an object that inherits
 * `ok`, or a getter is a provider error: it fails closed.
 */
export function readOutcome(raw: unknown, kind: 'verify' | 'activation'): Outcome {
  const error = (detail: string): Failure => ({ ok: false, reason: 'ERROR', detail });
  if (typeof raw !== 'object' || raw === null)
    return error(`provider ${kind} returned a non-object`);
  const proto: unknown = Object.getPrototypeOf(raw);
  if (proto !== Object.prototype && proto !== null) {
    return error(`provider ${kind} returned something other than a plain object`);
  }
  // A getter could answer differently each time it is read: an answer holds only data.
  if (READ_KEYS.some((key) => accessor(raw, key))) {
    return error(`provider ${kind} returned an answer with accessor properties`);
  }
  const ok = own(raw, 'ok');
  if (ok === true) {
    const counter = own(raw, 'counter');
    if (
      counter !== undefined &&
      (typeof counter !== 'number' || !Number.isSafeInteger(counter) || counter < 0)
    ) {
      return error('provider returned an invalid counter');
    }
    const counterless = own(raw, 'counterless');
    if (counterless !== undefined && (counterless !== true || counter !== undefined))
      return error('provider returned counterless other than true, or with a counter');
    const method = own(raw, 'method');
    const amr = own(raw, 'amr');
    const badAmr = amrProblem(amr, `provider ${kind} amr`);
    if (badAmr) return error(badAmr);
    const assurance = own(raw, 'assurance');
    const badAssurance = assuranceDeclarationProblem(assurance);
    if (badAssurance) return error(`provider ${kind}: ${badAssurance}`);
    const success = {
      ok: true as const,
      ...(counter === undefined ? {} : { counter: counter }),
      ...(counterless === true ? { counterless: true as const } : {}),
      ...(typeof method === 'string' ? { method } : {}),
      ...(amr === undefined ? {} : { amr: Object.freeze([...(amr as AmrValue[])]) }),
      ...(assurance === undefined ? {} : { assurance: assurance as FactorAssurance }),
    };
    if (kind === 'verify') return success;
    const enrollment = own(raw, 'enrollment');
    if (enrollment === undefined) return error('provider activation returned no enrollment');
    const label = own(raw, 'label');
    const lookupKey = own(raw, 'lookupKey');
    const key = lookupKey === undefined ? undefined : readLookupKey(lookupKey);
    if (key === null) return error('provider activation returned an invalid lookupKey');
    return {
      ...success,
      enrollment: enrollment as JsonValue,
      ...(typeof label === 'string' ? { label: label.slice(0, 100) } : {}),
      ...(key === undefined ? {} : { lookupKey: key }),
    };
  }
  if (ok === false) {
    const reason = own(raw, 'reason');
    if (reason === 'WAITING')
      return { ok: false, reason, pending: own(raw, 'pending') as JsonValue };
    if (VERIFY_FAILURE_REASONS.includes(reason as VerifyFailureReason)) {
      const detail = own(raw, 'detail');
      const retry = own(raw, 'retry');
      return {
        ok: false,
        reason: reason as VerifyFailureReason,
        ...(typeof detail === 'string' ? { detail } : {}),
        ...(typeof retry === 'boolean' ? { retry } : {}),
      };
    }
  }
  return error(`provider ${kind} returned an unrecognised outcome`);
}

/** Runs a verify or completeActivation hook: anything thrown is a failure, never a success. */
export async function runHook(
  kind: 'verify' | 'activation',
  fn: () => Promise<unknown>,
  logger: Logger,
): Promise<Outcome> {
  try {
    return readOutcome(await fn(), kind);
  } catch (err) {
    // Our own store failed under the provider (a quota take): not the provider's answer, and not
    // a guess. The flow puts the step back, refunds the attempt and reports it (OUT-05).
    if (err instanceof StoreUnavailableError) throw err;
    if (err instanceof FactorkitError) {
      const reason = THROWN[err.code];
      // A typed error of a kind no reason stands for (say INVALID_ARGUMENT) is a provider fault.
      return reason
        ? { ok: false, reason, detail: err.message, error: err }
        : {
            ok: false,
            reason: 'ERROR',
            detail: err.message,
            error: new ProviderError(undefined, { cause: err }),
          };
    }
    logger.error('factorkit: provider hook threw', {
      kind,
      error: err instanceof Error ? err.name : typeof err,
    });
    return { ok: false, reason: 'ERROR', detail: 'provider hook threw' };
  }
}
