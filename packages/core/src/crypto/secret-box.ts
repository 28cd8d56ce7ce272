import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  createSecretKey,
  hkdfSync,
  timingSafeEqual,
  type KeyObject,
} from 'node:crypto';
import { SecretDecryptError } from '../errors.js';
import type { RandomSource } from '../services.js';
import type { KeyRingConfig } from '../config/deployment.js';

const PREFIX = 'fk1';
const TAG_PREFIX = 'fk0';
const MAC_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * AES-256-GCM envelopes with a key ring (ASVS 11.3.3, 13.3.4). The envelope is
 * `fk1.<keyId>.<iv>.<ciphertext+tag>` (base64url). The additional data binds each ciphertext to
 * its context (user, provider, enrollment or pending id) and to the key id, so a ciphertext
 * copied into another user's row fails to open (SS-03). A fresh random 96-bit
 * IV is drawn for every encryption (ASVS 11.3.4).
 */
export class SecretBox {
  constructor(
    private readonly ring: KeyRingConfig,
    private readonly random: RandomSource,
  ) {}

  /** HMAC subkeys, one per ring key, derived once (HKDF keeps them apart from the AES keys). */
  private readonly macKeys = new Map<string, KeyObject>();

  get activeKeyId(): string {
    return this.ring.activeKeyId;
  }

  private aad(keyId: string, context: readonly string[]): Buffer {
    // JSON keeps the parts unambiguous ("a|b","c" vs "a","b|c").
    return Buffer.from(JSON.stringify([PREFIX, keyId, ...context]), 'utf8');
  }

  seal(plaintext: string, context: readonly string[]): string {
    const keyId = this.ring.activeKeyId;
    const key = this.ring.keys[keyId];
    if (!key)
      throw new SecretDecryptError(`The active encryption key "${keyId}" is not in the key ring.`);
    const iv = Buffer.from(this.random.bytes(IV_BYTES));
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(this.aad(keyId, context));
    const ct = Buffer.concat([
      cipher.update(plaintext, 'utf8'),
      cipher.final(),
      cipher.getAuthTag(),
    ]);
    return [PREFIX, keyId, iv.toString('base64url'), ct.toString('base64url')].join('.');
  }

  private macKey(keyId: string): KeyObject | undefined {
    let macKey = this.macKeys.get(keyId);
    if (!macKey) {
      const key = this.ring.keys[keyId];
      if (!key) return undefined;
      const info = Buffer.from('factorkit fk0 tag', 'utf8');
      macKey = createSecretKey(Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), info, 32)));
      this.macKeys.set(keyId, macKey);
    }
    return macKey;
  }

  private mac(macKey: KeyObject, keyId: string, body: string, context: readonly string[]): Buffer {
    return createHmac('sha256', macKey)
      .update(JSON.stringify([TAG_PREFIX, keyId, body, ...context]), 'utf8')
      .digest();
  }

  /**
   * A public `body` that must not be altered nor moved to another record, at the cost of one
   * HMAC-SHA256 instead of an AES-GCM seal: `fk0.<keyId>.<body>.<mac>` (base64url). For data
   * with nothing secret in it; the body must not contain a dot.
   */
  tag(body: string, context: readonly string[]): string {
    const keyId = this.ring.activeKeyId;
    const macKey = this.macKey(keyId);
    if (!macKey)
      throw new SecretDecryptError(`The active encryption key "${keyId}" is not in the key ring.`);
    const mac = this.mac(macKey, keyId, body, context).toString('base64url');
    return [TAG_PREFIX, keyId, body, mac].join('.');
  }

  /** The body of a `tag` envelope whose MAC holds for `context`; throws otherwise. */
  untag(envelope: string, context: readonly string[]): string {
    const parts = envelope.split('.');
    if (parts.length !== 4 || parts[0] !== TAG_PREFIX)
      throw new SecretDecryptError('A stored record is not a factorkit tagged record.');
    const [, keyId, body, macText] = parts as [string, string, string, string];
    const macKey = this.macKey(keyId);
    if (!macKey) {
      throw new SecretDecryptError(
        `A stored record uses key "${keyId}", which is not in the key ring.`,
        { details: { keyId } },
      );
    }
    const given = Buffer.from(macText, 'base64url');
    const expected = this.mac(macKey, keyId, body, context);
    if (given.length !== MAC_BYTES || !timingSafeEqual(given, expected)) {
      throw new SecretDecryptError(
        'A stored record failed authentication: it was altered or belongs to another record.',
        { details: { keyId } },
      );
    }
    return body;
  }

  static keyIdOf(envelope: string): string | undefined {
    const parts = envelope.split('.');
    return parts.length === 4 && parts[0] === PREFIX ? parts[1] : undefined;
  }

  open(envelope: string, context: readonly string[]): string {
    const parts = typeof envelope === 'string' ? envelope.split('.') : [];
    if (parts.length !== 4 || parts[0] !== PREFIX) {
      throw new SecretDecryptError('A stored secret is not a factorkit envelope.');
    }
    const [, keyId, ivText, ctText] = parts as [string, string, string, string];
    const key = this.ring.keys[keyId];
    if (!key) {
      throw new SecretDecryptError(
        `A stored secret uses key "${keyId}", which is not in the key ring. Add it back, or rotate before removing keys.`,
        {
          details: { keyId },
        },
      );
    }
    const iv = Buffer.from(ivText, 'base64url');
    const data = Buffer.from(ctText, 'base64url');
    if (iv.length !== IV_BYTES || data.length < TAG_BYTES)
      throw new SecretDecryptError('A stored secret is truncated.');
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, iv);
      decipher.setAAD(this.aad(keyId, context));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      return Buffer.concat([
        decipher.update(data.subarray(0, data.length - TAG_BYTES)),
        decipher.final(),
      ]).toString('utf8');
    } catch (cause) {
      throw new SecretDecryptError(
        'A stored secret failed authentication: it was altered or belongs to another record.',
        {
          cause,
          details: { keyId },
        },
      );
    }
  }
}

/** 32 random bytes, base64: a fresh key for `encryption.keys`. */
export function generateEncryptionKey(random: RandomSource): string {
  return Buffer.from(random.bytes(32)).toString('base64');
}
