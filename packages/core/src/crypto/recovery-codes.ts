import { createHash } from 'node:crypto';
import type { RandomSource } from '../services.js';

/**
 * Recovery codes: 24 characters of Crockford Base32 (120 bits from the CSPRNG), shown as six
 * groups of four. At 120 bits a code is beyond offline guessing, so a single SHA-256 (salted with
 * the user id) is an adequate stored form (ASVS 5.0 6.5.2: >= 112 bits may use an approved hash;
 * NIST SP 800-63B-4 §4.2.1.1: >= 64 bits, stored hashed). A fast hash also lets the store
 * consume a code by equality in one atomic statement, with no read-then-compare race.
 *
 * Normalisation, applied once before anything else (IN-02):
 *   1. input longer than 64 characters is rejected outright (no work on huge input);
 *   2. ASCII spaces, hyphens and underscores are removed;
 *   3. ASCII letters are upper-cased;
 *   4. Crockford's confusables are mapped: O -> 0, I and L -> 1;
 * then the result must be exactly 24 characters of the alphabet below.
 */
export const RECOVERY_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const RECOVERY_CODE_LENGTH = 24;
const MAX_INPUT = 64;
const SHAPE = new RegExp(`^[${RECOVERY_ALPHABET}]{${RECOVERY_CODE_LENGTH}}$`);

function encode(bytes: Uint8Array): string {
  // 15 bytes -> 24 symbols of 5 bits.
  let bits = 0;
  let value = 0;
  let out = '';
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += RECOVERY_ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  return out;
}

export function generateRecoveryCode(random: RandomSource): string {
  return encode(random.bytes(15));
}

/** The display form: `ABCD-EFGH-JKMN-PQRS-TVWX-YZ01`. */
export function formatRecoveryCode(canonical: string): string {
  return canonical.match(/.{1,4}/g)?.join('-') ?? canonical;
}

/** The one documented normalisation; `undefined` when the input cannot be a recovery code. */
export function canonicalRecoveryCode(input: unknown): string | undefined {
  if (typeof input !== 'string' || input.length > MAX_INPUT) return undefined;
  const c = input
    .replace(/[ \-_]/g, '')
    .replace(/[a-z]/g, (ch) => ch.toUpperCase())
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1');
  return SHAPE.test(c) ? c : undefined;
}

export function hashRecoveryCode(userId: string, canonical: string): string {
  return createHash('sha256')
    .update(`factorkit-recovery-v1\0${userId}\0${canonical}`, 'utf8')
    .digest('hex');
}
