/**
 * Modhex, the keyboard-layout-safe hex alphabet a YubiKey types, and the one normalisation of a
 * typed Yubico OTP (YK-01): everything that reaches the network has passed `normaliseOtp`.
 */

/** Nibbles 0..f as a YubiKey types them on a US QWERTY layout. */
export const MODHEX_ALPHABET = 'cbdefghijklnrtuv';
/** The same key positions typed on a US Dvorak layout (yubikey-val translates these). */
const DVORAK_ALPHABET = 'jxe.uidchtnbpygk';

/** A YubiKey OTP: a public id of 0..16 modhex characters, then the 32-character token. */
export const TOKEN_LENGTH = 32;
export const MAX_PUBLIC_ID_LENGTH = 16;
export const MAX_OTP_LENGTH = TOKEN_LENGTH + MAX_PUBLIC_ID_LENGTH;
/** Longer input is refused before any other work, so a megabyte costs nothing. */
export const MAX_OTP_INPUT_LENGTH = 128;

const MODHEX_OTP = /^[cbdefghijklnrtuv]{32,48}$/;
const DVORAK_OTP = /^[jxe.uidchtnbpygk]{32,48}$/;
const ASCII_WHITESPACE = /^[\t\n\f\r ]+|[\t\n\f\r ]+$/g;

export function isModhex(text: string): boolean {
  return /^(?:[cbdefghijklnrtuv]{2})*$/.test(text);
}

export function modhexEncode(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += MODHEX_ALPHABET[b >> 4]! + MODHEX_ALPHABET[b & 0x0f]!;
  return out;
}

/** Throws on anything that is not an even number of modhex characters. */
export function modhexDecode(text: string): Uint8Array {
  if (!isModhex(text)) throw new TypeError('not modhex: an even number of cbdefghijklnrtuv');
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) {
    out[i] =
      (MODHEX_ALPHABET.indexOf(text[2 * i]!) << 4) | MODHEX_ALPHABET.indexOf(text[2 * i + 1]!);
  }
  return out;
}

/**
 * Trims ASCII whitespace (a YubiKey ends with Enter), lower-cases, maps a wholly Dvorak OTP to
 * modhex, then requires 32..48 modhex characters. Returns null for anything else: no URL, SQL
 * or status-line injection can survive an alphabet of sixteen letters.
 */
export function normaliseOtp(input: unknown): string | null {
  if (typeof input !== 'string' || input.length > MAX_OTP_INPUT_LENGTH) return null;
  const text = input.replace(ASCII_WHITESPACE, '').replace(/[A-Z]/g, (c) => c.toLowerCase());
  if (MODHEX_OTP.test(text)) return text;
  if (DVORAK_OTP.test(text)) {
    let mapped = '';
    for (const c of text) mapped += MODHEX_ALPHABET[DVORAK_ALPHABET.indexOf(c)]!;
    return mapped;
  }
  return null;
}

/** The public id of a normalised OTP: everything but the last 32 characters. */
export function publicIdOf(otp: string): string {
  return otp.slice(0, otp.length - TOKEN_LENGTH);
}
