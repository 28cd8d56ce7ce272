import { ConfigValidationError, type ConfigIssue } from '@factorkit/core';
import { TOTP_ALGORITHMS, type TotpAlgorithm } from './settings.js';
import { normaliseBase32Secret } from './secret.js';

/**
 * Activation input that enrolls a secret the user already holds (migration from another system)
 * instead of the one generated at `beginActivation`. The user still proves it with a current code.
 * Accepted only when the deployment sets `allowSecretImport: true`.
 */
export interface TotpImportInput {
  readonly kind: 'totp-import';
  /** Canonical Base32 (upper case, unpadded, at least 128 bits). */
  readonly secret: string;
  /** A current code from the user's authenticator app for this secret. */
  readonly code: string;
  readonly algorithm: TotpAlgorithm;
  readonly digits: number;
  readonly period: number;
}

export interface ImportOptions {
  /** @default 'SHA1' (what a bare Base32 secret means to authenticator apps) */
  algorithm?: TotpAlgorithm;
  /** @default 6 */
  digits?: number;
  /** @default 30 */
  period?: number;
}

/**
 * Builds the activation input for an imported secret, validating it first: a bad secret or
 * parameter throws `ConfigValidationError` (code `CONFIG_INVALID`) naming the field, without
 * echoing the secret. Then: `service.beginActivation(user, 'totp')` (ignore its QR prompt) and
 * `service.completeActivation(activationId, user, totpImportInput(oldSecret, codeTheUserTyped))`.
 */
export function totpImportInput(
  secret: unknown,
  code: string,
  options: ImportOptions = {},
): TotpImportInput {
  const issues: ConfigIssue[] = [];
  let canonical = '';
  try {
    canonical = normaliseBase32Secret(secret);
  } catch (err) {
    if (!(err instanceof ConfigValidationError)) throw err;
    issues.push(...err.issues);
  }
  const algorithm = options.algorithm ?? 'SHA1';
  const digits = options.digits ?? 6;
  const period = options.period ?? 30;
  if (!TOTP_ALGORITHMS.includes(algorithm))
    issues.push({ path: 'algorithm', message: 'must be SHA1, SHA256 or SHA512' });
  if (digits !== 6 && digits !== 8) issues.push({ path: 'digits', message: 'must be 6 or 8' });
  if (period !== 30 && period !== 60) issues.push({ path: 'period', message: 'must be 30 or 60' });
  if (issues.length > 0) throw new ConfigValidationError(issues);
  return { kind: 'totp-import', secret: canonical, code, algorithm, digits, period };
}

/** Reads an activation input as an import, or returns a reason it is not a valid one. */
export function readImportInput(input: unknown): TotpImportInput | 'not-import' | 'invalid' {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return 'not-import';
  const o = input as Record<string, unknown>;
  if (o['kind'] !== 'totp-import') return 'not-import';
  const keys = Object.keys(o).sort().join(',');
  if (keys !== 'algorithm,code,digits,kind,period,secret') return 'invalid';
  if (typeof o['code'] !== 'string') return 'invalid';
  try {
    return totpImportInput(o['secret'], o['code'], {
      algorithm: o['algorithm'] as TotpAlgorithm,
      digits: o['digits'] as number,
      period: o['period'] as number,
    });
  } catch (err) {
    if (err instanceof ConfigValidationError) return 'invalid';
    throw err;
  }
}
