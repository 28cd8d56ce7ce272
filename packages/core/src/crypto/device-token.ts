import { createHash } from 'node:crypto';
import type { RandomSource } from '../services.js';

/** 256 bits from the CSPRNG (FL-09 asks for at least 128). */
const TOKEN_BYTES = 32;
/** base64url of 32 bytes, unpadded: exactly 43 characters of this alphabet. */
const TOKEN_RE = /^[A-Za-z0-9_-]{43}$/;

/** A new device token for the host, and the only form of it that is stored. */
export function newDeviceToken(random: RandomSource): { token: string; tokenHash: string } {
  const token = random.token(TOKEN_BYTES);
  return { token, tokenHash: hashDeviceToken(token) };
}

/** Hex SHA-256: the token has 256 bits of entropy, so a fast unsalted hash cannot be reversed. */
function hashDeviceToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * The stored form of a presented token, or undefined when it cannot be one of ours (not a string,
 * wrong length or alphabet). The length is checked before anything else, so a huge value costs
 * nothing, and a malformed token is simply not trusted: never an exception in a sign-in.
 */
export function presentedTokenHash(token: unknown): string | undefined {
  if (typeof token !== 'string' || token.length !== 43 || !TOKEN_RE.test(token)) return undefined;
  return hashDeviceToken(token);
}
