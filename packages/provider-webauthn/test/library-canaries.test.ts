/**
 * WA-19: pins the @simplewebauthn/server behaviours this provider's glue depends on. A library
 * upgrade that changes one of them fails here, and the glue in webauthn-provider.ts is reviewed.
 */
import { verifyAuthenticationResponse, verifyRegistrationResponse } from '@simplewebauthn/server';
import { describe, expect, it } from 'vitest';
import { SoftwareAuthenticator } from '../src/testing/index.js';
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
