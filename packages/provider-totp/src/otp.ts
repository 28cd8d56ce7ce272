import { createHmac } from 'node:crypto';
import { constantTimeEqual, decodeBase32 } from '@factorkit/core';
import { HOTP, Secret, TOTP } from 'otpauth';
import type { TotpAlgorithm } from './settings.js';

/** What an enrollment fixes at activation: later config changes never break an enrolled app. */
export interface TotpParameters {
  readonly algorithm: TotpAlgorithm;
  readonly digits: number;
  readonly period: number;
}

/** RFC 6238 §4: T = floor((now - T0) / X) with T0 = 0, from the server clock only (ASVS 6.5.8). */
export function timeStep(nowMs: number, period: number): number {
  return TOTP.counter({ period, timestamp: nowMs });
}

/** The code of one counter (HOTP, RFC 4226 §5.3; TOTP is HOTP of the time step). */
export function generateCode(
  secret: Secret,
  params: Omit<TotpParameters, 'period'>,
  counter: number,
): string {
  return HOTP.generate({ secret, algorithm: params.algorithm, digits: params.digits, counter });
}

/** The code for the time step that contains `nowMs`. */
export function codeAt(secret: Secret, params: TotpParameters, nowMs: number): string {
  return generateCode(secret, params, timeStep(nowMs, params.period));
}

export interface WindowOptions {
  /** Earlier steps accepted. */
  readonly back: number;
  /** Later steps accepted. */
  readonly forward: number;
}

/** node:crypto's names of the HMAC functions RFC 6238 §1.2 allows. */
const HMAC_NAMES: Record<TotpAlgorithm, string> = {
  SHA1: 'sha1',
  SHA256: 'sha256',
  SHA512: 'sha512',
};

/**
 * The HOTP value of one counter (RFC 4226 §5.3: HMAC of the 8-byte big-endian counter, dynamic
 * truncation, modulo 10^digits), as `digits` ASCII digits. Written with node:crypto here rather
 * than through otpauth because this runs for every candidate step of every sign-in: otpauth
 * builds a Secret, a counter array and an HMAC wrapper per code, which made `verify` cost 1.5x
 * a plain RFC 6238 loop. otpauth still generates every code outside the verify loop, and the
 * tests hold this function to it and to the RFC vectors (self-test.ts checks both at run time).
 */
export function hotpCode(
  key: Uint8Array,
  algorithm: TotpAlgorithm,
  digits: number,
  counter: number,
) {
  const message = Buffer.alloc(8);
  message.writeUInt32BE(Math.floor(counter / 0x1_0000_0000), 0);
  message.writeUInt32BE(counter >>> 0, 4);
  const mac = createHmac(HMAC_NAMES[algorithm], key).update(message).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const binary =
    ((mac[offset]! & 0x7f) << 24) |
    (mac[offset + 1]! << 16) |
    (mac[offset + 2]! << 8) |
    mac[offset + 3]!;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

/**
 * The time step whose code equals `code`, among the steps from T - back to T + forward, or null.
 * `code` must already be canonical (exactly `digits` ASCII digits).
 *
 * Hand-written on purpose instead of otpauth's `TOTP.validate`, which (9.5.2) stops at the first
 * match and checks T, T-1, T+1, ... in turn (so the time taken tells which step matched) and only
 * knows a symmetric window (CK-01 wants forward steps only when configured). Every candidate is
 * computed and compared with core's `constantTimeEqual` (which is `crypto.timingSafeEqual`), with
 * no early exit (SS-06, ASVS 11.2.4). When two steps share a code, the latest wins, so a code
 * that is also valid for a not-yet-used step is not refused as a replay.
 */
export function matchStep(
  key: Uint8Array,
  params: TotpParameters,
  code: string,
  nowMs: number,
  window: WindowOptions,
): number | null {
  const current = timeStep(nowMs, params.period);
  const submitted = Buffer.from(code, 'latin1');
  let matched: number | null = null;
  for (let step = current - window.back; step <= current + window.forward; step++) {
    if (step < 0) continue;
    if (constantTimeEqual(submitted, hotpCode(key, params.algorithm, params.digits, step)))
      matched = step;
  }
  return matched;
}

/**
 * The key bytes of an enrollment's Base32 secret, for the verify loop. Core's strict decoder
 * takes half the time of otpauth's `Secret.fromBase32` on every sign-in; a stored secret it
 * refuses (core never writes one: every secret is encoded or imported through it) is decoded by
 * otpauth as before, so nothing that verified before stops verifying.
 */
export function keyFromBase32(base32: string): Uint8Array {
  try {
    return decodeBase32(base32);
  } catch {
    return Secret.fromBase32(base32).bytes;
  }
}

/** A secret from canonical (upper-case, unpadded) Base32, as kept in enrollments. */
export function secretFromBase32(base32: string): Secret {
  return Secret.fromBase32(base32);
}

/** The Base32 secret in groups of four for typing into an app (`JBSW Y3DP EHPK 3PXP`). */
export function groupKey(base32: string): string {
  return base32.replace(/(.{4})(?=.)/g, '$1 ');
}
