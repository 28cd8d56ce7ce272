/** The `encryption` section: the AES-256-GCM key ring that seals stored secrets. */
import type { ConfigIssue } from '../errors.js';
import { reportUnknownKeys, type LiteralSecretCheck } from './raw-input.js';
import { isPlainObject } from './validate.js';

export interface KeyRingConfig {
  readonly activeKeyId: string;
  readonly keys: Readonly<Record<string, Buffer>>;
}

const KEY_ID_RE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/;
const BASE64_RE = /^[A-Za-z0-9+/_-]+={0,2}$/;
const KEY_BYTES = 32;
/** 32 random bytes practically always hold far more distinct values; fewer means a made-up key. */
const MIN_DISTINCT_BYTES = 16;
const NOT_A_KEY = 'must be a base64 string of 32 random bytes';

export function loadKeyRing(
  raw: unknown,
  literalSecret: LiteralSecretCheck,
  issues: ConfigIssue[],
): KeyRingConfig {
  if (!isPlainObject(raw)) {
    issues.push({
      path: 'encryption',
      message:
        'is required: { activeKeyId, keys: { <id>: <base64 of 32 random bytes> } } (generateEncryptionKey() makes one)',
    });
    return { activeKeyId: '', keys: {} };
  }
  reportUnknownKeys(raw, ['activeKeyId', 'keys'], 'encryption', issues);
  const keys: Record<string, Buffer> = {};
  const keysRaw = raw['keys'];
  if (!isPlainObject(keysRaw) || Object.keys(keysRaw).length === 0) {
    issues.push({ path: 'encryption.keys', message: 'must name at least one key' });
  } else {
    for (const [keyId, value] of Object.entries(keysRaw)) {
      const path = `encryption.keys.${keyId}`;
      literalSecret(path, value);
      if (!KEY_ID_RE.test(keyId)) {
        issues.push({ path, message: 'key ids are 1-32 letters, digits, - or _' });
        continue;
      }
      const key = decodeKey(value, path, issues);
      if (key) keys[keyId] = key;
    }
  }
  const active = raw['activeKeyId'];
  if (typeof active !== 'string' || !isPlainObject(keysRaw) || !Object.hasOwn(keysRaw, active)) {
    issues.push({ path: 'encryption.activeKeyId', message: 'must name one of encryption.keys' });
  }
  return { activeKeyId: typeof active === 'string' ? active : '', keys };
}

function decodeKey(raw: unknown, path: string, issues: ConfigIssue[]): Buffer | undefined {
  if (typeof raw !== 'string') {
    issues.push({ path, message: NOT_A_KEY });
    return undefined;
  }
  const clean = raw.trim();
  if (!BASE64_RE.test(clean)) {
    issues.push({ path, message: NOT_A_KEY });
    return undefined;
  }
  const key = Buffer.from(clean.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (key.length !== KEY_BYTES) {
    issues.push({
      path,
      message: `must decode to exactly 32 bytes for AES-256-GCM (it decodes to ${key.length})`,
    });
    return undefined;
  }
  if (new Set(key).size < MIN_DISTINCT_BYTES) {
    issues.push({ path, message: 'is not random (too few distinct bytes): generate a new key' });
    return undefined;
  }
  return key;
}
