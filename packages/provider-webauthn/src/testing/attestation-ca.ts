/**
 * A test certificate authority for attestation: a root (the deployment's trust anchor), optional
 * intermediates, and attestation certificates for the software authenticator's `packed` and
 * `fido-u2f` statements. Made at test time with @peculiar/x509 (node:crypto parses and verifies
 * certificates but cannot issue them), on ECDSA P-256 keys.
 */
// @peculiar/x509 loads tsyringe, which needs the Reflect metadata polyfill before it.
import 'reflect-metadata';
import { KeyObject, randomBytes, webcrypto } from 'node:crypto';
import {
  BasicConstraintsExtension,
  Extension,
  KeyUsageFlags,
  KeyUsagesExtension,
  X509Certificate,
  X509CertificateGenerator,
} from '@peculiar/x509';

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const FIDO_AAGUID_OID = '1.3.6.1.4.1.45724.1.1.4';
const YEAR_MS = 365 * 24 * 3600 * 1000;

export interface Validity {
  /** Default: 2025-01-01, before core's FakeClock starts. */
  readonly notBefore?: Date;
  /** Default: ten years from now for a CA, one year for an attestation certificate. */
  readonly notAfter?: Date;
}

export interface CaOptions extends Validity {
  /** The distinguished name's common name. */
  readonly name?: string;
  /** basicConstraints pathLenConstraint; absent: unlimited. */
  readonly pathLength?: number;
}

export interface AttestationCertOptions extends Validity {
  /** Written as the FIDO AAGUID extension (1.3.6.1.4.1.45724.1.1.4); absent: no extension. */
  readonly aaguid?: string;
  /** Issue it as a CA certificate (an attack: attestation certificates must not be CAs). */
  readonly ca?: boolean;
}

/** What the software authenticator attests with: the leaf's key and x5c (leaf first). */
export interface AttestationIdentity {
  readonly fmt: 'packed' | 'fido-u2f';
  readonly privateKey: KeyObject;
  readonly x5c: readonly Uint8Array[];
}

const serial = (): string => `01${randomBytes(8).toString('hex')}`;
const newKeys = (): Promise<webcrypto.CryptoKeyPair> =>
  webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);

function aaguidExtension(aaguid: string): Extension {
  const bytes = Buffer.from(aaguid.replace(/-/g, ''), 'hex');
  return new Extension(FIDO_AAGUID_OID, false, Buffer.concat([Buffer.from([0x04, 0x10]), bytes]));
}

function caExtensions(pathLength?: number) {
  return [
    new BasicConstraintsExtension(true, pathLength, true),
    new KeyUsagesExtension(KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign, true),
  ];
}

function validity(options: Validity, defaultYears: number) {
  return {
    notBefore: options.notBefore ?? new Date(Date.UTC(2025, 0, 1)),
    notAfter: options.notAfter ?? new Date(Date.now() + defaultYears * YEAR_MS),
  };
}

export class TestAttestationCa {
  private constructor(
    readonly certificate: X509Certificate,
    private readonly keys: webcrypto.CryptoKeyPair,
    /** The intermediates between this CA and the root, this one first (empty for the root). */
    private readonly chainAbove: readonly X509Certificate[],
  ) {}

  /** A self-signed root: give its `pem` to `settings.attestation.trustAnchors`. */
  static async create(options: CaOptions = {}): Promise<TestAttestationCa> {
    const keys = await newKeys();
    const certificate = await X509CertificateGenerator.createSelfSigned({
      serialNumber: serial(),
      name: `CN=${options.name ?? 'Factorkit Test Attestation Root'}, O=Factorkit Test, C=DE`,
      ...validity(options, 10),
      keys,
      signingAlgorithm: ALGORITHM,
      extensions: caExtensions(options.pathLength),
    });
    return new TestAttestationCa(certificate, keys, []);
  }

  get pem(): string {
    return this.certificate.toString('pem');
  }

  /** An intermediate CA issued by this one. */
  async intermediate(options: CaOptions = {}): Promise<TestAttestationCa> {
    const keys = await newKeys();
    const certificate = await X509CertificateGenerator.create({
      serialNumber: serial(),
      subject: `CN=${options.name ?? 'Factorkit Test Attestation CA'}, O=Factorkit Test, C=DE`,
      issuer: this.certificate.subject,
      ...validity(options, 10),
      signingKey: this.keys.privateKey,
      publicKey: keys.publicKey,
      signingAlgorithm: ALGORITHM,
      extensions: caExtensions(options.pathLength),
    });
    return new TestAttestationCa(certificate, keys, [this.certificate, ...this.chainAbove]);
  }

  /**
   * An attestation certificate of one authenticator model, and its x5c: the leaf, then the
   * intermediates up to (not including) the root, as authenticators send it.
   */
  async attestation(
    fmt: 'packed' | 'fido-u2f',
    options: AttestationCertOptions = {},
  ): Promise<AttestationIdentity> {
    const keys = await newKeys();
    const leaf = await X509CertificateGenerator.create({
      serialNumber: serial(),
      // The subject WebAuthn §8.2.1 asks of a packed attestation certificate.
      subject: 'CN=Factorkit Test Key, OU=Authenticator Attestation, O=Factorkit Test, C=DE',
      issuer: this.certificate.subject,
      ...validity(options, 1),
      signingKey: this.keys.privateKey,
      publicKey: keys.publicKey,
      signingAlgorithm: ALGORITHM,
      extensions: [
        new BasicConstraintsExtension(options.ca ?? false, undefined, true),
        ...(options.aaguid === undefined ? [] : [aaguidExtension(options.aaguid)]),
      ],
    });
    const above = this.chainAbove.length > 0 ? [this.certificate, ...this.chainAbove] : [];
    // The root is the anchor the server holds; x5c stops below it.
    const x5c = [leaf, ...above.slice(0, -1)].map((c) => new Uint8Array(c.rawData));
    return { fmt, privateKey: KeyObject.from(keys.privateKey), x5c };
  }
}
