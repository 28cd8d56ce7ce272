/**
 * WA-14: the provider's own attestation checks, called directly, so each is proven without the
 * library's checks in front of it (the library also compares a packed leaf's AAGUID extension
 * and validity; the provider must not depend on that).
 */
import { encodeCBOR, type CBORType } from '@levischuck/tiny-cbor';
// @peculiar/x509 loads tsyringe, which needs the Reflect metadata polyfill before it.
import 'reflect-metadata';
import { KeyObject, webcrypto } from 'node:crypto';
import { BasicConstraintsExtension, X509CertificateGenerator } from '@peculiar/x509';
import { beforeAll, describe, expect, it } from 'vitest';
import { attestationPolicyOf } from '../src/attestation-policy.js';
import { attestationVerdict } from '../src/attestation-trust.js';
import { TestAttestationCa, type AttestationIdentity } from '../src/testing/index.js';
import { LISTED, UNLISTED } from './attestation-helpers.js';
import { authenticator } from './helpers.js';

let root: TestAttestationCa;
let policy: NonNullable<ReturnType<typeof attestationPolicyOf>>;

beforeAll(async () => {
  root = await TestAttestationCa.create();
  policy = attestationPolicyOf({
    allowedAaguids: [LISTED.toUpperCase()],
    trustAnchors: [root.pem],
  })!;
});

/** The attestation object the software authenticator makes for `identity`. */
function attestationObjectOf(identity: AttestationIdentity, aaguid = LISTED): Uint8Array {
  const answer = authenticator({ aaguid, attestation: identity }).register({ challenge: 'c' }) as {
    response: { attestationObject: string };
  };
  return new Uint8Array(Buffer.from(answer.response.attestationObject, 'base64url'));
}

function withStatement(fmt: string, attStmt: Map<string, CBORType>): Uint8Array {
  return encodeCBOR(
    new Map<string, CBORType>([
      ['fmt', fmt],
      ['attStmt', attStmt],
      ['authData', new Uint8Array(37)],
    ]),
  );
}

describe('WA-14: the attestation verdict', () => {
  it('WA-14: a listed AAGUID (compared lower-case) chained to the anchor passes', async () => {
    const identity = await root.attestation('packed', { aaguid: LISTED });
    expect(attestationVerdict(attestationObjectOf(identity), LISTED, policy, Date.now())).toEqual({
      ok: true,
    });
  });

  it('WA-14: a leaf naming another AAGUID is refused by the provider itself', async () => {
    const identity = await root.attestation('packed', { aaguid: UNLISTED });
    expect(
      attestationVerdict(attestationObjectOf(identity), LISTED, policy, Date.now()),
    ).toMatchObject({ ok: false, reason: 'WA_AAGUID_MISMATCH' });
  });

  it('WA-14: validity is judged at the given (server) time, not the machine clock', async () => {
    const identity = await root.attestation('packed', { aaguid: LISTED });
    const object = attestationObjectOf(identity);
    const inTwentyYears = Date.now() + 20 * 365 * 24 * 3600 * 1000;
    expect(attestationVerdict(object, LISTED, policy, inTwentyYears)).toMatchObject({
      ok: false,
      reason: 'WA_ATTESTATION_EXPIRED',
    });
  });

  it('WA-14: other formats, undecodable objects and broken chains are refused', async () => {
    const now = Date.now();
    const verdict = (object: Uint8Array) => attestationVerdict(object, LISTED, policy, now);
    expect(verdict(withStatement('tpm', new Map()))).toMatchObject({
      reason: 'WA_ATTESTATION_FORMAT_NOT_SUPPORTED',
    });
    expect(verdict(withStatement('apple', new Map()))).toMatchObject({
      reason: 'WA_ATTESTATION_FORMAT_NOT_SUPPORTED',
    });
    expect(verdict(new Uint8Array([0xff, 0x00]))).toMatchObject({
      reason: 'WA_ATTESTATION_REQUIRED',
    });
    const garbage = new Map<string, CBORType>([['x5c', [new Uint8Array([1, 2, 3])]]]);
    expect(verdict(withStatement('packed', garbage))).toMatchObject({
      reason: 'WA_ATTESTATION_UNTRUSTED',
    });
    const identity = await root.attestation('packed', { aaguid: LISTED });
    const long = new Map<string, CBORType>([['x5c', Array(6).fill(identity.x5c[0]!)]]);
    expect(verdict(withStatement('packed', long))).toMatchObject({
      reason: 'WA_ATTESTATION_UNTRUSTED',
    });
    const empty = new Map<string, CBORType>([['x5c', []]]);
    expect(verdict(withStatement('packed', empty))).toMatchObject({
      reason: 'WA_ATTESTATION_UNTRUSTED',
    });
  });

  it('WA-14: the anchor itself as the attestation certificate earns nothing', async () => {
    const rootDer = new Uint8Array(Buffer.from(root.certificate.rawData));
    const selfie = new Map<string, CBORType>([['x5c', [rootDer]]]);
    expect(
      attestationVerdict(withStatement('packed', selfie), LISTED, policy, Date.now()),
    ).toMatchObject({ ok: false, reason: 'WA_ATTESTATION_UNTRUSTED' });
  });

  it('WA-14: an issuer may have as many CAs below it as its path length allows, no more', async () => {
    const check = async (pathLength: number) => {
      const top = await TestAttestationCa.create({ pathLength });
      const identity = await (await top.intermediate()).attestation('packed', { aaguid: LISTED });
      const own = attestationPolicyOf({ allowedAaguids: [LISTED], trustAnchors: [top.pem] })!;
      return attestationVerdict(attestationObjectOf(identity), LISTED, own, Date.now());
    };
    expect(await check(1)).toEqual({ ok: true });
    expect(await check(0)).toEqual({
      ok: false,
      reason: 'WA_ATTESTATION_UNTRUSTED',
      detail: 'certificate 2 exceeds its path length',
    });
  });

  it('WA-14: an anchor with a weak key, or a leaf signed with SHA-1, is refused (63B-4 §3.2.4)', async () => {
    const verdictUnder = async (modulusLength: number, hash: string) => {
      const rsa = { name: 'RSASSA-PKCS1-v1_5', hash, publicExponent: new Uint8Array([1, 0, 1]) };
      const rootKeys = await webcrypto.subtle.generateKey({ ...rsa, modulusLength }, true, [
        'sign',
        'verify',
      ]);
      const validity = { notBefore: new Date('2025-01-01'), notAfter: new Date(Date.now() + 9e10) };
      const anchor = await X509CertificateGenerator.createSelfSigned({
        serialNumber: '0a',
        name: 'CN=Old Root, O=Factorkit Test, C=DE',
        keys: rootKeys,
        signingAlgorithm: rsa,
        extensions: [new BasicConstraintsExtension(true, undefined, true)],
        ...validity,
      });
      const ec = { name: 'ECDSA', namedCurve: 'P-256' };
      const leafKeys = await webcrypto.subtle.generateKey(ec, true, ['sign', 'verify']);
      const leaf = await X509CertificateGenerator.create({
        serialNumber: '0b',
        subject: 'CN=Key, OU=Authenticator Attestation, O=Factorkit Test, C=DE',
        issuer: anchor.subject,
        signingKey: rootKeys.privateKey,
        publicKey: leafKeys.publicKey,
        signingAlgorithm: rsa,
        ...validity,
      });
      const identity: AttestationIdentity = {
        fmt: 'packed',
        privateKey: KeyObject.from(leafKeys.privateKey),
        x5c: [new Uint8Array(leaf.rawData)],
      };
      const own = attestationPolicyOf({
        allowedAaguids: [LISTED],
        trustAnchors: [anchor.toString('pem')],
      })!;
      return attestationVerdict(attestationObjectOf(identity), LISTED, own, Date.now());
    };
    expect(await verdictUnder(2048, 'SHA-256')).toEqual({ ok: true });
    expect(await verdictUnder(1024, 'SHA-256')).toMatchObject({
      reason: 'WA_ATTESTATION_UNTRUSTED',
      detail: 'certificate 1 uses a weak key or hash',
    });
    expect(await verdictUnder(2048, 'SHA-1')).toMatchObject({
      reason: 'WA_ATTESTATION_UNTRUSTED',
      detail: 'certificate 0 uses a weak key or hash',
    });
  });
});
