/**
 * The stored deployment document is sealed with the deployment's key ring (AES-256-GCM through
 * core's SecretBox): it holds the real Duo and YubiCloud secrets an admin typed, and a database
 * dump or backup must not reveal them (SS-01, CF-03). The additional data names the row, so a
 * sealed value copied into another row does not open.
 */
import { CryptoRandomSource, SecretBox } from '@factorkit/core';
import type { RawConfig } from './deployment.js';
import type { KeyRingInput } from './encryption-keys.js';

const CONTEXT = ['portal_settings', 'deployment'];

export class DocumentSeal {
  private readonly box: SecretBox;

  constructor(ring: KeyRingInput) {
    const keys = Object.fromEntries(
      Object.entries(ring.keys).map(([id, b64]) => [id, Buffer.from(b64, 'base64')]),
    );
    this.box = new SecretBox({ activeKeyId: ring.activeKeyId, keys }, new CryptoRandomSource());
  }

  seal(document: RawConfig): string {
    return this.box.seal(JSON.stringify(document), CONTEXT);
  }

  open(value: string): RawConfig {
    return JSON.parse(this.box.open(value, CONTEXT)) as RawConfig;
  }
}
