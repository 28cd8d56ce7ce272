/**
 * Registration and sign-in through core with the software authenticator, and the attacks on
 * them that WebAuthn's relying-party steps exist for (SECURITY.md WA-01..WA-18).
 */
import { testUser } from '@factorkit/core/testing';
import { describe, expect, it } from 'vitest';
import {
  authenticator,
  enroll,
  harness,
  optionsOf,
  registrationOptionsOf,
  outcomeOf,
  signIn,
  ORIGIN,
  RP_ID,
} from './helpers.js';

describe('WebAuthn ceremonies', () => {
  it('WA-01: clean options; two keys for one user, either signs in', async () => {
    const h = harness();
    const user = testUser();
    const started = await h.service.beginActivation(user, 'webauthn');
    const options = registrationOptionsOf(started);
    expect(started.prompt.kind).toBe('webauthn-registration');
    expect(Buffer.from(options.challenge, 'base64url')).toHaveLength(32);
    expect(options.timeout).toBe(300000);
    expect(options.rp).toEqual({ name: 'Example', id: RP_ID });
    expect(options.authenticatorSelection).toMatchObject({
      residentKey: 'discouraged',
      userVerification: 'preferred',
    });
    expect(options.pubKeyCredParams.map((p) => p.alg)).toEqual([-7, -8, -257]);
    expect(options.attestation).toBe('none');
    const a = authenticator();
    const b = authenticator();
    const done = await h.service.completeActivation(
      started.activationId,
      user,
      a.register(options),
    );
    expect(done.ok).toBe(true);
    const second = await enroll(h, b, user);
    const first = (done as { enrollmentId: string }).enrollmentId;
    expect(await (await signIn(h, a, user, first)).result).toBe('SUCCESS');
    expect(await (await signIn(h, b, user, second.enrollmentId)).result).toBe('SUCCESS');
    // Each challenge names the one key it is for.
    const next = await h.service.beginChallenge(user, { enrollmentId: first });
    expect(optionsOf(next)['allowCredentials']).toEqual([
      { id: a.credentialId, type: 'public-key', transports: ['usb'] },
    ]);
  });

  it('WA-02: a challenge is single use, and another user cannot answer with it', async () => {
    const h = harness();
    const key = authenticator();
    const { user, enrollmentId } = await enroll(h, key);
    const { started, answer, result } = await signIn(h, key, user, enrollmentId);
    expect(await result).toBe('SUCCESS');
    expect(await outcomeOf(h.service.completeChallenge(started.challengeId, user, answer))).toBe(
      'CHALLENGE_NOT_FOUND',
    );
    // A second challenge of the same user does not accept the first one's answer.
    const other = await h.service.beginChallenge(user, { enrollmentId });
    expect(await outcomeOf(h.service.completeChallenge(other.challengeId, user, answer))).toBe(
      'INVALID_CODE',
    );
    // Another user's challenge id: not theirs.
    const mallory = await enroll(h, authenticator());
    const hers = await h.service.beginChallenge(user, { enrollmentId });
    const signed = key.authenticate(optionsOf(hers));
    expect(
      await outcomeOf(h.service.completeChallenge(hers.challengeId, mallory.user, signed)),
    ).toBe('CHALLENGE_NOT_FOUND');
  });

  it('WA-02: a registration challenge cannot answer a sign-in', async () => {
    const h = harness();
    const key = authenticator();
    const { user } = await enroll(h, key);
    const activation = await h.service.beginActivation(user, 'webauthn');
    const answer = key.authenticate(optionsOf(activation));
    expect(
      await outcomeOf(h.service.completeChallenge(activation.activationId, user, answer)),
    ).toBe('CHALLENGE_NOT_FOUND');
  });

  it('WA-03: a wrong origin or a cross-origin frame is refused in both ceremonies', async () => {
    const h = harness();
    const key = authenticator();
    for (const t of [
      { origin: 'https://evil.example.net' },
      { origin: 'http://login.example.com' },
      { origin: `${ORIGIN}:8443` },
      { crossOrigin: true },
    ]) {
      const user = testUser();
      const started = await h.service.beginActivation(user, 'webauthn');
      expect(
        await outcomeOf(
          h.service.completeActivation(
            started.activationId,
            user,
            key.register(optionsOf(started), t),
          ),
        ),
      ).toBe('INVALID_CODE');
    }
    const { user, enrollmentId } = await enroll(h, key);
    for (const t of [{ origin: 'https://evil.example.net' }, { crossOrigin: true }]) {
      expect(await (await signIn(h, key, user, enrollmentId, t)).result).toBe('INVALID_CODE');
    }
  });

  it('WA-04: an RP ID hash of another site is refused in both ceremonies', async () => {
    const h = harness();
    const key = authenticator();
    const user = testUser();
    const started = await h.service.beginActivation(user, 'webauthn');
    expect(
      await outcomeOf(
        h.service.completeActivation(
          started.activationId,
          user,
          key.register(optionsOf(started), { rpId: 'other.example' }),
        ),
      ),
    ).toBe('INVALID_CODE');
    const e = await enroll(h, key, user);
    expect(
      await (
        await signIn(h, key, user, e.enrollmentId, { rpId: 'other.example' })
      ).result,
    ).toBe('INVALID_CODE');
  });

  it("WA-05: another user's key, a foreign credential id or user handle do not sign in", async () => {
    const h = harness();
    const alice = await enroll(h, authenticator());
    const eveKey = authenticator();
    await enroll(h, eveKey);
    // Eve signs Alice's challenge with her own registered key.
    expect(await (await signIn(h, eveKey, alice.user, alice.enrollmentId)).result).toBe(
      'INVALID_CODE',
    );
    // Eve's key presented under Alice's credential id: the id matches, the key does not.
    const aliceKey = authenticator();
    const bob = await enroll(h, aliceKey);
    expect(
      await (
        await signIn(h, eveKey, bob.user, bob.enrollmentId, { credentialId: aliceKey.credentialId })
      ).result,
    ).toBe('INVALID_CODE');
    // Bob's own key and signature under another credential id (the library compares no id).
    expect(
      await (
        await signIn(h, aliceKey, bob.user, bob.enrollmentId, { credentialId: eveKey.credentialId })
      ).result,
    ).toBe('INVALID_CODE');
    // The right key with another user's handle.
    expect(
      await (
        await signIn(h, aliceKey, bob.user, bob.enrollmentId, { userHandle: 'AAAA' })
      ).result,
    ).toBe('INVALID_CODE');
    expect(await (await signIn(h, aliceKey, bob.user, bob.enrollmentId)).result).toBe('SUCCESS');
  });

  it('WA-06: a bad signature is refused and writes nothing', async () => {
    const h = harness();
    const key = authenticator();
    const { user, enrollmentId } = await enroll(h, key);
    const before = await h.stores.enrollments.get(enrollmentId);
    expect(await (await signIn(h, key, user, enrollmentId, { badSignature: true })).result).toBe(
      'INVALID_CODE',
    );
    expect(await h.stores.enrollments.get(enrollmentId)).toEqual(before);
  });

  it('WA-07: an assertion or registration without user presence is refused', async () => {
    const h = harness();
    const key = authenticator();
    const user = testUser();
    const started = await h.service.beginActivation(user, 'webauthn');
    expect(
      await outcomeOf(
        h.service.completeActivation(
          started.activationId,
          user,
          key.register(optionsOf(started), { userPresent: false }),
        ),
      ),
    ).toBe('INVALID_CODE');
    const e = await enroll(h, key, user);
    expect(await (await signIn(h, key, user, e.enrollmentId, { userPresent: false })).result).toBe(
      'INVALID_CODE',
    );
  });

  it('WA-08: admins need user verification whatever the client sends; clients do not', async () => {
    const h = harness({ userVerificationByAudience: { admin: 'required' } });
    const key = authenticator({ userVerified: false });
    const admin = testUser({ audience: 'admin' });
    const started = await h.service.beginActivation(admin, 'webauthn');
    expect(registrationOptionsOf(started).authenticatorSelection.userVerification).toBe('required');
    expect(
      await outcomeOf(
        h.service.completeActivation(started.activationId, admin, key.register(optionsOf(started))),
      ),
    ).toBe('INVALID_CODE');
    const e = await enroll(h, key, admin, { userVerified: true });
    const challenge = await h.service.beginChallenge(admin, { enrollmentId: e.enrollmentId });
    expect(optionsOf(challenge)['userVerification']).toBe('required');
    expect(await (await signIn(h, key, admin, e.enrollmentId)).result).toBe('INVALID_CODE');
    expect(await (await signIn(h, key, admin, e.enrollmentId, { userVerified: true })).result).toBe(
      'SUCCESS',
    );
    // A client's key without user verification signs in (one credential per enrollment: WA-12).
    const clientKey = authenticator({ userVerified: false });
    const client = await enroll(h, clientKey);
    const ok = await signIn(h, clientKey, client.user, client.enrollmentId);
    expect(await ok.result).toBe('SUCCESS');
  });
});
