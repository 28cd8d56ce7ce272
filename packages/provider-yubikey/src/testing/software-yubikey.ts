/**
 * A software YubiKey: the same state and token format as the hardware (private id, usage
 * counter, session counter, timestamp, random, CRC-16, AES-128), so tests type real Yubico OTPs.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { modhexEncode } from '../modhex.js';
import { encryptBlock, tokenBytes, type TokenFields } from '../token.js';

export interface SoftwareYubikeyOptions {
  /** Modhex, 0..16 characters; default 12 random ones (6 bytes, as YubiKeys ship). */
  publicId?: string;
  /** 6 bytes, hex; default random. */
  privateId?: string;
  /** 16 bytes, hex; default random. */
  aesKey?: string;
  /** Usage counter at the first power-up; default 1. */
  counter?: number;
}

/** The OTP for these fields: public id, then the encrypted token in modhex. */
export function encodeOtp(publicId: string, aesKeyHex: string, fields: TokenFields): string {
  const key = Buffer.from(aesKeyHex, 'hex');
  return publicId + modhexEncode(encryptBlock(key, tokenBytes(fields)));
}

export class SoftwareYubikey {
  readonly publicId: string;
  readonly privateId: string;
  readonly aesKey: string;
  /** Set to emit OTPs with the caps-lock trigger bit (0x8000) in the usage counter. */
  capsLock = false;
  private ctr: number;
  private use = 0;
  private timestamp: number;

  constructor(options: SoftwareYubikeyOptions = {}) {
    this.publicId = options.publicId ?? modhexEncode(randomBytes(6));
    this.privateId = options.privateId ?? randomBytes(6).toString('hex');
    this.aesKey = options.aesKey ?? randomBytes(16).toString('hex');
    this.ctr = options.counter ?? 1;
    this.timestamp = randomInt(0, 0x1000000);
  }

  /** (usage counter, session counter) of the next OTP. */
  get counters(): { counter: number; use: number } {
    return { counter: this.ctr, use: this.use };
  }

  /** A touch of the button: the next OTP. */
  press(): string {
    const otp = encodeOtp(this.publicId, this.aesKey, {
      privateId: this.privateId,
      counter: this.ctr | (this.capsLock ? 0x8000 : 0),
      timestamp: this.timestamp,
      use: this.use,
      random: randomInt(0, 0x10000),
    });
    this.timestamp = (this.timestamp + randomInt(1, 64)) & 0xffffff;
    if (this.use === 0xff) {
      this.use = 0;
      this.bumpCounter();
    } else {
      this.use++;
    }
    return otp;
  }

  /** Unplug and plug in again: usage counter + 1, session counter 0, a new timestamp. */
  replug(): void {
    this.bumpCounter();
    this.use = 0;
    this.timestamp = randomInt(0, 0x1000000);
  }

  private bumpCounter(): void {
    // The hardware counter sticks at its maximum, so such a key can no longer make new OTPs.
    this.ctr = Math.min(this.ctr + 1, 0x7fff);
  }
}
