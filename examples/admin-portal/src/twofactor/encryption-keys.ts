/**
 * The AES-256-GCM key ring that seals factor secrets. It never goes into the database it
 * protects: PORTAL_ENCRYPTION_KEYS (JSON `{ activeKeyId, keys }`) when set, otherwise a key
 * generated on first start into `<data>/encryption-keys.json`, readable by its owner only.
 * Several processes of one deployment must see the same ring (the same data folder or variable).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CryptoRandomSource, generateEncryptionKey } from '@factorkit/core';

export interface KeyRingInput {
  activeKeyId: string;
  keys: Record<string, string>;
}

export function loadKeyRing(dataDir: string, env: NodeJS.ProcessEnv = process.env): KeyRingInput {
  const fromEnv = env['PORTAL_ENCRYPTION_KEYS'];
  if (fromEnv) return JSON.parse(fromEnv) as KeyRingInput;
  const file = join(dataDir, 'encryption-keys.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as KeyRingInput;
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const ring = { activeKeyId: 'k1', keys: { k1: generateEncryptionKey(new CryptoRandomSource()) } };
  // 'wx': two processes starting at once on a new folder must not each write their own key.
  try {
    writeFileSync(file, JSON.stringify(ring, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
  } catch {
    return JSON.parse(readFileSync(file, 'utf8')) as KeyRingInput;
  }
  return ring;
}
