import { InvalidArgumentError } from '@factorkit/core';
import { TOTP, URI } from 'otpauth';
import { secretFromBase32, type TotpParameters } from './otp.js';
import { TOTP_ALGORITHMS, type TotpAlgorithm } from './settings.js';

export interface OtpauthFields extends TotpParameters {
  readonly issuer: string;
  readonly accountName: string;
  /** Canonical Base32 (upper case, unpadded). */
  readonly secret: string;
}

// Key Uri Format defaults. otpauth 9.5.2 always writes all three parameters; we drop the ones equal
// to the default so that apps which ignore them (Google Authenticator) see the same thing we mean.
const DEFAULT_PARAMS = new Set(['algorithm=SHA1', 'digits=6', 'period=30']);

/**
 * The `otpauth://totp/` URI for an authenticator app (Google's Key Uri Format), built by otpauth:
 * label `enc(issuer):enc(account)` (each part percent-encoded, so neither holds a raw `:`), an
 * `issuer` parameter equal to the label prefix, the secret as unpadded Base32, and `algorithm`,
 * `digits`, `period` only when they differ from SHA1, 6 and 30.
 */
export function buildOtpauthUri(fields: OtpauthFields): string {
  if (fields.issuer.length === 0 || fields.issuer.includes(':')) {
    throw new InvalidArgumentError(
      'The issuer must be non-empty and must not contain a colon (Key Uri Format).',
    );
  }
  if (fields.accountName.length === 0)
    throw new InvalidArgumentError('The account name of an otpauth URI must not be empty.');
  let full: string;
  try {
    full = new TOTP({
      issuer: fields.issuer,
      label: fields.accountName,
      issuerInLabel: true,
      secret: secretFromBase32(fields.secret),
      algorithm: fields.algorithm,
      digits: fields.digits,
      period: fields.period,
    }).toString();
  } catch (cause) {
    // encodeURIComponent throws URIError on a lone UTF-16 surrogate.
    throw new InvalidArgumentError('The issuer or account name is not valid Unicode text.', {
      cause,
    });
  }
  const [head, query = ''] = full.split('?', 2) as [string, string?];
  const kept = query.split('&').filter((pair) => !DEFAULT_PARAMS.has(pair));
  return `${head}?${kept.join('&')}`;
}

/** Reads an `otpauth://totp/` URI back (otpauth's parser); for round-trip tests and migrations. */
export function parseOtpauthUri(uri: string): OtpauthFields {
  let otp: ReturnType<typeof URI.parse>;
  try {
    otp = URI.parse(uri);
  } catch (cause) {
    throw new InvalidArgumentError('Not a valid otpauth:// URI.', { cause });
  }
  if (!(otp instanceof TOTP)) throw new InvalidArgumentError('Not an otpauth://totp/ URI.');
  const algorithm = otp.algorithm as TotpAlgorithm;
  if (!TOTP_ALGORITHMS.includes(algorithm))
    throw new InvalidArgumentError('Unsupported TOTP algorithm in the URI.');
  return {
    issuer: otp.issuer,
    accountName: otp.label,
    secret: otp.secret.base32,
    algorithm,
    digits: otp.digits,
    period: otp.period,
  };
}
