/**
 * WA-19: pins the @simplewebauthn/server behaviours this provider's glue depends on. A library
 * upgrade that changes one of them fails here, and the glue in webauthn-provider.ts is reviewed.
 */
import { verifyAuthenticationResponse, verifyRegistrationResponse } from '@simplewebauthn/server';
import { beforeAll, describe, expect, it } from 'vitest';
import { SoftwareAuthenticator, TestAttestationCa } from '../src/testing/index.js';
import { ORIGIN, RP_ID } from './helpers.js';

const CHALLENGE = Buffer.from('canary challenge of thirty-two b').toString('base64url');

async function registered(key: SoftwareAuthenticator) {
  const result = await verifyRegistrationResponse({
    response: key.register({ challenge: CHALLENGE }) as never,
    expectedChallenge: CHALLENGE,
    expectedOrigin: ORIGIN,
    expectedRPID: RP_ID,
  });
  if (!result.verified) throw new Error('canary registration failed');
  return result.registrationInfo.credential;
}

const assert = (
  key: SoftwareAuthenticator,
  stored: number,
  extra: Record<string, unknown> = {},
  t = {},
) =>
  registered(key).then((credential) =>
    verifyAuthenticationResponse({
      response: key.authenticate({ challenge: CHALLENGE }, t) as never,
      expectedChallenge: CHALLENGE,
      expectedOrigin: ORIGIN,
      expectedRPID: RP_ID,
      credential: { ...credential, counter: stored },
      ...extra,
    }),
  );

describe('WA-19: @simplewebauthn/server behaviours the provider relies on', () => {
  it('WA-19: the counter check runs before the signature check, and equal counters throw', async () => {
    const key = new SoftwareAuthenticator({
      rpId: RP_ID,
      origin: ORIGIN,
      counterMode: 'fixed',
      counter: 5,
    });
    await expect(assert(key, 5)).rejects.toThrow(/counter/i);
    await expect(assert(key, 9, {}, { badSignature: true })).rejects.toThrow(/counter/i);
    // With the stored counter 0 (what the provider passes) a bad signature is verified: false.
    await expect(assert(key, 0, {}, { badSignature: true })).resolves.toMatchObject({
      verified: false,
    });
  });

  it('WA-19: both counters 0 pass the library check', async () => {
    const key = new SoftwareAuthenticator({ rpId: RP_ID, origin: ORIGIN, counterMode: 'zero' });
    await expect(assert(key, 0)).resolves.toMatchObject({
      verified: true,
      authenticationInfo: { newCounter: 0 },
    });
  });

  it('WA-19: advancedFIDOConfig skips user presence (so the provider never passes it)', async () => {
    const key = new SoftwareAuthenticator({ rpId: RP_ID, origin: ORIGIN });
    await expect(assert(key, 0, {}, { userPresent: false })).rejects.toThrow(/present/i);
    await expect(
      assert(
        key,
        0,
        { advancedFIDOConfig: { userVerification: 'preferred' } },
        { userPresent: false, userVerified: false },
      ),
    ).resolves.toMatchObject({ verified: true });
  });

  it('WA-19: crossOrigin without topOrigin is accepted, and no credential id is compared', async () => {
    const key = new SoftwareAuthenticator({ rpId: RP_ID, origin: ORIGIN });
    await expect(assert(key, 0, {}, { crossOrigin: true })).resolves.toMatchObject({
      verified: true,
    });
    await expect(assert(key, 0, {}, { credentialId: 'c29tZW9uZS1lbHNl' })).resolves.toMatchObject({
      verified: true,
    });
  });

  it('WA-19: registration without expectedRPID does not check the RP ID hash', async () => {
    const key = new SoftwareAuthenticator({ rpId: 'other.example', origin: ORIGIN });
    const result = await verifyRegistrationResponse({
      response: key.register({ challenge: CHALLENGE }) as never,
      expectedChallenge: CHALLENGE,
      expectedOrigin: ORIGIN,
    });
    expect(result.verified).toBe(true);
  });
});

describe('WA-19: what the library does and does not check of an attestation (WA-14)', () => {
  const AAGUID = '2fc0579f-8113-47ea-b116-bb5a8db9202a';
  let ca: TestAttestationCa;
  beforeAll(async () => {
    ca = await TestAttestationCa.create();
  });
  const verify = (key: SoftwareAuthenticator, t = {}) =>
    verifyRegistrationResponse({
      response: key.register({ challenge: CHALLENGE }, t) as never,
      expectedChallenge: CHALLENGE,
      expectedOrigin: ORIGIN,
      expectedRPID: RP_ID,
    });
  const key = (
    attestation: Awaited<ReturnType<TestAttestationCa['attestation']>>,
    aaguid = AAGUID,
  ) => new SoftwareAuthenticator({ rpId: RP_ID, origin: ORIGIN, aaguid, attestation });

  it('WA-19: with no anchors set, a packed or fido-u2f chain to any CA verifies (no chain check)', async () => {
    const packed = await verify(key(await ca.attestation('packed', { aaguid: AAGUID })));
    expect(packed).toMatchObject({
      verified: true,
      registrationInfo: { fmt: 'packed', aaguid: AAGUID },
    });
    // The provider reads the attestation object the library returns.
    expect(packed.registrationInfo?.attestationObject).toBeInstanceOf(Uint8Array);
    const zero = '00000000-0000-0000-0000-000000000000';
    await expect(verify(key(await ca.attestation('fido-u2f'), zero))).resolves.toMatchObject({
      verified: true,
      registrationInfo: { fmt: 'fido-u2f', aaguid: zero },
    });
  });

  it('WA-19: the statement must be signed by the leaf of x5c, in both formats', async () => {
    for (const fmt of ['packed', 'fido-u2f'] as const) {
      const signer = await ca.attestation(fmt, { aaguid: AAGUID });
      const other = await ca.attestation(fmt, { aaguid: AAGUID });
      const refused = await verify(key(signer), { x5c: other.x5c }).catch(() => ({
        verified: false,
      }));
      expect(refused.verified).toBe(false);
    }
  });

  it('WA-19: a packed leaf whose AAGUID extension differs is refused, and so is an expired one', async () => {
    const other = await ca.attestation('packed', {
      aaguid: 'ee882879-721c-4913-9775-3dfcce97072a',
    });
    await expect(verify(key(other))).rejects.toThrow(/id-fido-gen-ce-aaguid/);
    const expired = await ca.attestation('packed', { notAfter: new Date(Date.now() - 1000) });
    await expect(verify(key(expired))).rejects.toThrow(/not good after/);
  });
});
