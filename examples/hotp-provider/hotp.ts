/**
 * HOTP (RFC 4226 §5.3), on node:crypto: HMAC of the 8-byte big-endian counter, dynamic
 * truncation from the low 4 bits of the digest's last byte, 31 bits modulo 10^digits.
 */
import { createHmac } from 'node:crypto';

export const HOTP_ALGORITHMS = ['SHA1', 'SHA256', 'SHA512'] as const;
export type HotpAlgorithm = (typeof HOTP_ALGORITHMS)[number];

export interface HotpParameters {
  readonly algorithm: HotpAlgorithm;
  readonly digits: number;
}

export function hotpCode(secret: Uint8Array, counter: number, params: HotpParameters): string {
  const message = Buffer.alloc(8);
  // A BigInt, not bit operations: JavaScript's are 32-bit and would wrap a large counter.
  message.writeBigUInt64BE(BigInt(counter));
  const digest = createHmac(params.algorithm.toLowerCase(), secret).update(message).digest();
  // The offset comes from the last byte of this digest, whatever its length (VEC-02).
  const offset = digest[digest.length - 1]! & 0x0f;
  const truncated = digest.readUInt32BE(offset) & 0x7fffffff;
  return String(truncated % 10 ** params.digits).padStart(params.digits, '0');
}
