/**
 * The 16-byte Yubico OTP token (yubikey.h `yubikey_token_st`, little-endian fields) and its
 * CRC-16. Shared by the software YubiKey, which encrypts tokens, and the offline validation
 * server, which decrypts them: both sides of the tests speak the real format.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';

export interface TokenFields {
  /** The 6-byte private id, hex. */
  privateId: string;
  /** Usage counter, 15 bits; bit 0x8000 is the caps-lock trigger flag. */
  counter: number;
  /** 24-bit timestamp (about 8 Hz), restarted at each power-up. */
  timestamp: number;
  /** Session counter, 0..255. */
  use: number;
  /** 16 random bits. */
  random: number;
}

/** CRC-16 over all 16 bytes of a good token (the stored CRC is the complement). */
export const CRC_RESIDUE = 0xf0b8;

/** The ISO 13239 CRC-16 of yubikey.c (reflected polynomial 0x8408, initial 0xffff). */
export function crc16(bytes: Uint8Array): number {
  let crc = 0xffff;
  for (const b of bytes) {
    crc ^= b;
    for (let i = 0; i < 8; i++) {
      const carry = crc & 1;
      crc >>= 1;
      if (carry) crc ^= 0x8408;
    }
  }
  return crc;
}

export function tokenBytes(f: TokenFields): Uint8Array {
  const t = Buffer.alloc(16);
  Buffer.from(f.privateId, 'hex').copy(t, 0, 0, 6);
  t.writeUInt16LE(f.counter & 0xffff, 6);
  t.writeUInt16LE(f.timestamp & 0xffff, 8);
  t.writeUInt8((f.timestamp >> 16) & 0xff, 10);
  t.writeUInt8(f.use & 0xff, 11);
  t.writeUInt16LE(f.random & 0xffff, 12);
  t.writeUInt16LE(~crc16(t.subarray(0, 14)) & 0xffff, 14);
  return new Uint8Array(t);
}

/** Fields of a decrypted token, or null when its CRC residue is wrong (a wrong key or a flip). */
export function parseToken(bytes: Uint8Array): (TokenFields & { crc: number }) | null {
  if (bytes.length !== 16 || crc16(bytes) !== CRC_RESIDUE) return null;
  const t = Buffer.from(bytes);
  return {
    privateId: t.subarray(0, 6).toString('hex'),
    counter: t.readUInt16LE(6),
    timestamp: t.readUInt16LE(8) | (t.readUInt8(10) << 16),
    use: t.readUInt8(11),
    random: t.readUInt16LE(12),
    crc: t.readUInt16LE(14),
  };
}

/** One AES-128-ECB block, no padding: the token is exactly one block. */
export function encryptBlock(aesKey: Uint8Array, block: Uint8Array): Uint8Array {
  const cipher = createCipheriv('aes-128-ecb', aesKey, null).setAutoPadding(false);
  return new Uint8Array(Buffer.concat([cipher.update(block), cipher.final()]));
}

export function decryptBlock(aesKey: Uint8Array, block: Uint8Array): Uint8Array {
  const decipher = createDecipheriv('aes-128-ecb', aesKey, null).setAutoPadding(false);
  return new Uint8Array(Buffer.concat([decipher.update(block), decipher.final()]));
}
