/**
 * A software authenticator for tests: real registration and assertion responses (ES256 with
 * node:crypto, CBOR with tiny-cbor), including ones no browser would send (a wrong RP ID hash, no
 * presence flag, a low counter, a bad signature). Hand-written because no library makes
 * authenticator responses on the server side.
 */
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { encodeCBOR, type CBORType } from '@levischuck/tiny-cbor';
import type { AttestationIdentity } from './attestation-ca.js';

export type CounterMode = 'incrementing' | 'fixed' | 'zero';

export interface AuthenticatorOptions {
  readonly rpId: string;
  readonly origin: string;
  /** `incrementing` (+1 per assertion), `fixed` (always `counter`), `zero` (no counter). */
  readonly counterMode?: CounterMode;
  readonly counter?: number;
  readonly userVerified?: boolean;
  /** Backup eligible (BE) and backed up (BS): a synced passkey sets both. */
  readonly backupEligible?: boolean;
  readonly backedUp?: boolean;
  readonly aaguid?: string;
  readonly credentialIdBytes?: number;
  /**
   * base64url: the credential id to claim instead of a random one (an attacker registering a
   * victim's id with a key of their own, WebAuthn §7.1 step 26).
   */
  readonly credentialId?: string;
  /**
   * Full attestation (`packed` with x5c, or `fido-u2f`) with a certificate from a
   * `TestAttestationCa`; absent, registrations carry `none` (or `packed` self attestation).
   */
  readonly attestation?: AttestationIdentity;
}

/** Per-call changes, for attacks. */
export interface Tamper {
  readonly origin?: string;
  readonly rpId?: string;
  readonly challenge?: string;
  readonly userPresent?: boolean;
  readonly userVerified?: boolean;
  readonly counter?: number;
  readonly badSignature?: boolean;
  readonly crossOrigin?: boolean;
  readonly backupEligible?: boolean;
  readonly backedUp?: boolean;
  readonly credentialId?: string;
  readonly userHandle?: string;
  /** COSE alg id written into the registered key (the key itself stays ES256). */
  readonly alg?: number;
  /** `none`, or `packed` self attestation, instead of the configured full attestation. */
  readonly fmt?: 'none' | 'packed';
  /** An x5c to send instead of the attestation identity's own (its key still signs). */
  readonly x5c?: readonly Uint8Array[];
}

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url');
const sha256 = (data: Uint8Array | string): Buffer => createHash('sha256').update(data).digest();

interface KeyState {
  privateKey: KeyObject;
  publicKey: KeyObject;
  credentialId: Buffer;
  counter: number;
}

export class SoftwareAuthenticator {
  private state: KeyState;

  constructor(
    readonly options: AuthenticatorOptions,
    state?: KeyState,
  ) {
    if (state) this.state = state;
    else {
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const credentialId =
        options.credentialId === undefined
          ? randomBytes(options.credentialIdBytes ?? 32)
          : Buffer.from(options.credentialId, 'base64url');
      this.state = { privateKey, publicKey, credentialId, counter: options.counter ?? 0 };
    }
  }

  get credentialId(): string {
    return b64(this.state.credentialId);
  }

  get counter(): number {
    return this.state.counter;
  }

  /** A copy sharing the key and the current counter, counting on its own from here (a clone). */
  clone(options: Partial<AuthenticatorOptions> = {}): SoftwareAuthenticator {
    return new SoftwareAuthenticator({ ...this.options, ...options }, { ...this.state });
  }

  /** The answer `startRegistration({ optionsJSON })` would give. */
  register(optionsJSON: { challenge?: unknown }, t: Tamper = {}): Record<string, unknown> {
    const clientDataJSON = this.clientData('webauthn.create', optionsJSON, t);
    const authData = this.authData(t, true);
    const full = t.fmt === undefined ? this.options.attestation : undefined;
    const fmt = full?.fmt ?? t.fmt ?? 'none';
    const attStmt = new Map<string, CBORType>();
    const clientDataHash = sha256(clientDataJSON);
    if (full?.fmt === 'fido-u2f') {
      // FIDO U2F raw message signature (WebAuthn §8.6): 0x00 ‖ rpIdHash ‖ clientDataHash ‖
      // credentialId ‖ the public key as an uncompressed P-256 point.
      const signed = Buffer.concat([
        Buffer.from([0x00]),
        sha256(t.rpId ?? this.options.rpId),
        clientDataHash,
        this.state.credentialId,
        this.uncompressedPoint(),
      ]);
      attStmt.set('sig', sign('sha256', signed, full.privateKey));
      attStmt.set('x5c', [...(t.x5c ?? full.x5c)]);
    } else if (fmt === 'packed') {
      // Full attestation is signed by the attestation certificate's key (WebAuthn §8.2); self
      // attestation by the credential's own key.
      attStmt.set('alg', -7);
      attStmt.set(
        'sig',
        sign(
          'sha256',
          Buffer.concat([authData, clientDataHash]),
          full?.privateKey ?? this.state.privateKey,
        ),
      );
      if (full) attStmt.set('x5c', [...(t.x5c ?? full.x5c)]);
    }
    const attestationObject = encodeCBOR(
      new Map<string, CBORType>([
        ['fmt', fmt],
        ['attStmt', attStmt],
        ['authData', new Uint8Array(authData)],
      ]),
    );
    const id = t.credentialId ?? this.credentialId;
    return {
      id,
      rawId: id,
      type: 'public-key',
      clientExtensionResults: {},
      response: {
        clientDataJSON: b64(clientDataJSON),
        attestationObject: b64(attestationObject),
        transports: ['usb'],
      },
    };
  }

  /** The answer `startAuthentication({ optionsJSON })` would give. */
  authenticate(optionsJSON: { challenge?: unknown }, t: Tamper = {}): Record<string, unknown> {
    const mode = this.options.counterMode ?? 'incrementing';
    if (mode === 'incrementing') this.state.counter += 1;
    if (mode === 'zero') this.state.counter = 0;
    const clientDataJSON = this.clientData('webauthn.get', optionsJSON, t);
    const authData = this.authData(t, false);
    const signed = Buffer.concat([authData, sha256(clientDataJSON)]);
    let signature = sign('sha256', signed, this.state.privateKey);
    if (t.badSignature)
      signature = sign('sha256', Buffer.from('something else'), this.state.privateKey);
    const id = t.credentialId ?? this.credentialId;
    return {
      id,
      rawId: id,
      type: 'public-key',
      clientExtensionResults: {},
      response: {
        clientDataJSON: b64(clientDataJSON),
        authenticatorData: b64(authData),
        signature: b64(signature),
        ...(t.userHandle === undefined ? {} : { userHandle: t.userHandle }),
      },
    };
  }

  private clientData(type: string, optionsJSON: { challenge?: unknown }, t: Tamper): Buffer {
    const data: Record<string, unknown> = {
      type,
      challenge: t.challenge ?? optionsJSON.challenge,
      origin: t.origin ?? this.options.origin,
      crossOrigin: t.crossOrigin ?? false,
    };
    return Buffer.from(JSON.stringify(data));
  }

  private authData(t: Tamper, attested: boolean): Buffer {
    const o = this.options;
    const be = t.backupEligible ?? o.backupEligible ?? false;
    const bs = t.backedUp ?? o.backedUp ?? false;
    const flags =
      ((t.userPresent ?? true) ? 0x01 : 0) |
      ((t.userVerified ?? o.userVerified ?? true) ? 0x04 : 0) |
      (be ? 0x08 : 0) |
      (bs ? 0x10 : 0) |
      (attested ? 0x40 : 0);
    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(t.counter ?? this.state.counter);
    const head = Buffer.concat([sha256(t.rpId ?? o.rpId), Buffer.from([flags]), counter]);
    if (!attested) return head;
    const aaguid = Buffer.from(
      (o.aaguid ?? '00000000-0000-0000-0000-000000000000').replace(/-/g, ''),
      'hex',
    );
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(this.state.credentialId.length);
    return Buffer.concat([
      head,
      aaguid,
      idLength,
      this.state.credentialId,
      this.coseKey(t.alg ?? -7),
    ]);
  }

  private uncompressedPoint(): Buffer {
    const jwk = this.state.publicKey.export({ format: 'jwk' });
    return Buffer.concat([
      Buffer.from([0x04]),
      Buffer.from(jwk.x!, 'base64url'),
      Buffer.from(jwk.y!, 'base64url'),
    ]);
  }

  private coseKey(alg: number): Buffer {
    const jwk = this.state.publicKey.export({ format: 'jwk' });
    const key = new Map<number, CBORType>([
      [1, 2],
      [3, alg],
      [-1, 1],
      [-2, new Uint8Array(Buffer.from(jwk.x!, 'base64url'))],
      [-3, new Uint8Array(Buffer.from(jwk.y!, 'base64url'))],
    ]);
    return Buffer.from(encodeCBOR(key));
  }
}
