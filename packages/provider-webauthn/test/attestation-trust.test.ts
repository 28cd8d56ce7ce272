/**
 * WA-14: the provider's own attestation checks, called directly, so each is proven without the
 * library's checks in front of it (the library also compares a packed leaf's AAGUID extension
 * and validity; the provider must not depend on that).
 */
import { encodeCBOR, type CBORType } from '@levischuck/tiny-cbor';
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
});
