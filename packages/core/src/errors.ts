/**
 * Typed errors with stable codes. Callers branch on `code`, never on `message`.
 * Messages say what was wrong and what to do; they never carry a secret or a submitted code.
 */
export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'PROVIDER_REGISTRATION_INVALID'
  | 'PROVIDER_NOT_FOUND'
  | 'PROVIDER_NOT_ALLOWED'
  | 'NOT_ENROLLED'
  | 'ALREADY_ENROLLED'
  | 'POLICY_DENIED'
  | 'STEP_UP_REQUIRED'
  | 'INVALID_FORMAT'
  | 'INVALID_CODE'
  | 'CODE_ALREADY_USED'
  | 'RATE_LIMITED'
  | 'LOCKED'
  | 'CHALLENGE_NOT_FOUND'
  | 'CHALLENGE_EXPIRED'
  | 'STATE_MISMATCH'
  | 'USERNAME_MISMATCH'
  | 'PROVIDER_UNAVAILABLE'
  | 'PROVIDER_ERROR'
  | 'PROVIDER_DENIED'
  | 'PUSH_RATE_LIMITED'
  | 'SECRET_DECRYPT_FAILED'
  | 'STORE_UNAVAILABLE'
  | 'INVALID_ARGUMENT';

export interface FactorkitErrorOptions {
  cause?: unknown;
  /** Non-secret structured details for logs and hosts. */
  details?: Record<string, unknown>;
}

/**
 * The answers a sign-in gives a user in normal operation (a wrong or reused code, a lock, an
 * unknown step, a policy refusal). They are created on every failed attempt, so they carry no
 * stack trace: capturing one cost more than the checks they report, and the stack of an
 * expected refusal tells an operator nothing (the web layer never shows it, LG-03). Faults (a
 * store, a provider, a key ring, a config or a programming error) keep theirs.
 */
const REFUSAL_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'PROVIDER_NOT_ALLOWED',
  'NOT_ENROLLED',
  'ALREADY_ENROLLED',
  'POLICY_DENIED',
  'STEP_UP_REQUIRED',
  'INVALID_FORMAT',
  'INVALID_CODE',
  'CODE_ALREADY_USED',
  'RATE_LIMITED',
  'LOCKED',
  'CHALLENGE_NOT_FOUND',
  'CHALLENGE_EXPIRED',
  'STATE_MISMATCH',
  'USERNAME_MISMATCH',
  'PROVIDER_DENIED',
  'PUSH_RATE_LIMITED',
]);

export class FactorkitError extends Error {
  override readonly name: string = 'FactorkitError';
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message: string, options: FactorkitErrorOptions = {}) {
    const stackTraceLimit = Error.stackTraceLimit;
    if (REFUSAL_CODES.has(code)) Error.stackTraceLimit = 0;
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    Error.stackTraceLimit = stackTraceLimit;
    this.code = code;
    this.details = Object.freeze({ ...(options.details ?? {}) });
  }
}

/** One problem in a deployment or provider config, addressed by a dotted path. */
export interface ConfigIssue {
  path: string;
  message: string;
}

export class ConfigValidationError extends FactorkitError {
  override readonly name = 'ConfigValidationError';
  readonly issues: readonly ConfigIssue[];

  constructor(issues: ConfigIssue[]) {
    const list = issues.map((i) => `  - ${i.path}: ${i.message}`).join('\n');
    super(
      'CONFIG_INVALID',
      `Invalid factorkit configuration (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n${list}`,
      {
        details: { issues },
      },
    );
    this.issues = Object.freeze([...issues]);
  }
}

export class ProviderRegistrationError extends FactorkitError {
  override readonly name = 'ProviderRegistrationError';
  constructor(message: string, options?: FactorkitErrorOptions) {
    super('PROVIDER_REGISTRATION_INVALID', message, options);
  }
}

export class ProviderNotFoundError extends FactorkitError {
  override readonly name = 'ProviderNotFoundError';
  constructor(providerId: string) {
    super('PROVIDER_NOT_FOUND', `No provider with id "${providerId}" is registered and enabled.`, {
      details: { providerId },
    });
  }
}

export class PolicyError extends FactorkitError {
  override readonly name = 'PolicyError';
  constructor(
    code: 'PROVIDER_NOT_ALLOWED' | 'NOT_ENROLLED' | 'ALREADY_ENROLLED' | 'POLICY_DENIED',
    message: string,
    options?: FactorkitErrorOptions,
  ) {
    super(code, message, options);
  }
}

/** Why a step-up was refused: no time given, too old, or later than core's clock. */
export type StepUpRefusal = 'missing' | 'stale' | 'future';

/**
 * A sensitive action needs the second factor passed again: the session's last second-factor
 * time was missing, older than `maxAgeSeconds`, or in the future (SECURITY.md FL-06).
 */
export class StepUpRequiredError extends FactorkitError {
  override readonly name = 'StepUpRequiredError';
  readonly maxAgeSeconds: number;
  constructor(maxAgeSeconds: number, refusal: StepUpRefusal, options?: FactorkitErrorOptions) {
    super(
      'STEP_UP_REQUIRED',
      `Confirm it is you: pass your second factor again (it must be less than ${maxAgeSeconds} s old).`,
      { ...options, details: { ...(options?.details ?? {}), maxAgeSeconds, refusal } },
    );
    this.maxAgeSeconds = maxAgeSeconds;
  }
}

/** The submitted answer is not in the accepted shape (checked before any cryptographic work). */
export class InvalidFormatError extends FactorkitError {
  override readonly name = 'InvalidFormatError';
  constructor(
    message = 'The code is not in the expected format.',
    options?: FactorkitErrorOptions,
  ) {
    super('INVALID_FORMAT', message, options);
  }
}

export class InvalidCodeError extends FactorkitError {
  override readonly name = 'InvalidCodeError';
  constructor(message = 'The code is not valid.', options?: FactorkitErrorOptions) {
    super('INVALID_CODE', message, options);
  }
}

export class CodeAlreadyUsedError extends FactorkitError {
  override readonly name = 'CodeAlreadyUsedError';
  constructor(
    message = 'This code has already been used. Wait for a new code.',
    options?: FactorkitErrorOptions,
  ) {
    super('CODE_ALREADY_USED', message, options);
  }
}

export class RateLimitedError extends FactorkitError {
  override readonly name = 'RateLimitedError';
  /** Seconds until the next attempt is allowed. */
  readonly retryAfter: number;
  constructor(retryAfter: number, options?: FactorkitErrorOptions) {
    super('RATE_LIMITED', `Too many failed attempts. Try again in ${retryAfter} s.`, {
      ...options,
      details: { ...(options?.details ?? {}), retryAfter },
    });
    this.retryAfter = retryAfter;
  }
}

export class LockedError extends FactorkitError {
  override readonly name = 'LockedError';
  /** Seconds until the lock lifts, or null when only an administrator can lift it. */
  readonly retryAfter: number | null;
  constructor(retryAfter: number | null, options?: FactorkitErrorOptions) {
    super(
      'LOCKED',
      retryAfter === null
        ? 'Two-factor sign-in is locked after too many failed attempts. An administrator must reset it.'
        : `Two-factor sign-in is locked after too many failed attempts. Try again in ${retryAfter} s.`,
      { ...options, details: { ...(options?.details ?? {}), retryAfter } },
    );
    this.retryAfter = retryAfter;
  }
}

export class PendingStateError extends FactorkitError {
  override readonly name = 'PendingStateError';
  constructor(code: 'CHALLENGE_NOT_FOUND' | 'CHALLENGE_EXPIRED', options?: FactorkitErrorOptions) {
    super(
      code,
      code === 'CHALLENGE_EXPIRED'
        ? 'This sign-in step has expired. Start again.'
        : 'This sign-in step is unknown or was already used. Start again.',
      options,
    );
  }
}

export class ProviderUnavailableError extends FactorkitError {
  override readonly name = 'ProviderUnavailableError';
  constructor(
    message = 'The two-factor service is unavailable. Try again later.',
    options?: FactorkitErrorOptions,
  ) {
    super('PROVIDER_UNAVAILABLE', message, options);
  }
}

export class ProviderError extends FactorkitError {
  override readonly name = 'ProviderError';
  constructor(message = 'The two-factor provider failed.', options?: FactorkitErrorOptions) {
    super('PROVIDER_ERROR', message, options);
  }
}

export class ProviderDeniedError extends FactorkitError {
  override readonly name = 'ProviderDeniedError';
  constructor(message = 'The second factor was denied.', options?: FactorkitErrorOptions) {
    super('PROVIDER_DENIED', message, options);
  }
}

export class SecretDecryptError extends FactorkitError {
  override readonly name = 'SecretDecryptError';
  constructor(message: string, options?: FactorkitErrorOptions) {
    super('SECRET_DECRYPT_FAILED', message, options);
  }
}

export class StoreUnavailableError extends FactorkitError {
  override readonly name = 'StoreUnavailableError';
  constructor(message = 'The factorkit store is unavailable.', options?: FactorkitErrorOptions) {
    super('STORE_UNAVAILABLE', message, options);
  }
}

export class InvalidArgumentError extends FactorkitError {
  override readonly name = 'InvalidArgumentError';
  constructor(message: string, options?: FactorkitErrorOptions) {
    super('INVALID_ARGUMENT', message, options);
  }
}

export function isFactorkitError(value: unknown): value is FactorkitError {
  return value instanceof FactorkitError;
}
