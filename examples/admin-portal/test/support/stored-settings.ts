/**
 * The portal's stored deployment document as tests read (and, for setup only, write) it: the
 * row is sealed with the data folder's key ring, as the portal seals it.
 */
import { loadKeyRing } from '../../src/twofactor/encryption-keys.js';
import { DocumentSeal } from '../../src/twofactor/sealed-document.js';
import type { RawConfig } from '../../src/twofactor/deployment.js';

export function sealFor(dataDir: string): DocumentSeal {
  return new DocumentSeal(loadKeyRing(dataDir, {}));
}

export function openStored(dataDir: string, value: string): RawConfig {
  return sealFor(dataDir).open(value);
}
