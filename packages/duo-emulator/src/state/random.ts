import { randomBytes, randomInt, randomUUID } from 'node:crypto';

const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function pick(alphabet: string, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

/** Duo-style identifiers: a two-letter prefix then upper-case alphanumerics, 20 chars in all. */
export function duoId(prefix: 'DI' | 'DU' | 'DP' | 'DA'): string {
  return prefix + pick(UPPER_ALNUM, 18);
}

/** A 40-character secret (Client Secret / Secret Key). */
export function duoSecret(): string {
  return pick(ALNUM, 40);
}

export function opaqueToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

export function txid(): string {
  return randomUUID();
}

export function digits(n: number): string {
  return pick('0123456789', n);
}
