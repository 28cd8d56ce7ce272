/**
 * A passkey as the second step (SECURITY.md WA-08, WA-15): a discoverable credential created with
 * `residentKey: "required"` and user verification required. Its assertion carries the user handle
 * it was created with, and with UV it proves possession plus a PIN or biometric on its own:
 * `amr` includes `mfa`; it is phishing-resistant at AAL2, hardware-bound only when device-bound.
 */
import { testUser } from '@factorkit/core/testing';
import { describe, expect, it } from 'vitest';
import { authenticator, harness, optionsOf, outcomeOf } from './helpers.js';
import type { SoftwareAuthenticator } from '../src/testing/index.js';

const PASSKEYS = {
  residentKey: 'required',
  userVerification: 'required',
};

interface CreationOptions {
  user: { id: string };
  authenticatorSelection: { residentKey?: string; requireResidentKey?: boolean };
}

async function registerPasskey(h: ReturnType<typeof harness>, key: SoftwareAuthenticator) {
  const user = testUser({ audience: 'admin' });
  const started = await h.service.beginActivation(user, 'webauthn');
  const options = optionsOf(started) as unknown as CreationOptions & { challenge: string };
  const done = await h.service.completeActivation(
    started.activationId,
    user,
    key.register(options),
  );
  if (!done.ok) throw new Error('not registered');
  // What a discoverable credential stores and returns at every assertion.
  return { user, enrollmentId: done.enrollmentId, userHandle: options.user.id, options };
}

describe('passkeys', () => {
  it('WA-08 WA-15: a discoverable credential with UV required satisfies the second step (amr mfa, AAL2, phishing-resistant)', async () => {
    const h = harness(PASSKEYS, {
      audiences: { client: {}, admin: { force: true, requirePhishingResistant: true } },
    });
    const synced = authenticator({ backupEligible: true, backedUp: true });
    const { user, enrollmentId, userHandle, options } = await registerPasskey(h, synced);
    expect(options.authenticatorSelection).toMatchObject({
      residentKey: 'required',
      requireResidentKey: true,
    });
    expect(await h.service.requirement(user)).toMatchObject({
      action: 'challenge',
      providers: ['webauthn'],
    });
    const ch = await h.service.beginChallenge(user, { enrollmentId });
    expect(optionsOf(ch)['userVerification']).toBe('required');
    const ok = await h.service.completeChallenge(
      ch.challengeId,
      user,
      synced.authenticate(optionsOf(ch), { userHandle }),
    );
    expect(ok).toMatchObject({
      ok: true,
      method: 'webauthn-uv',
      amr: ['swk', 'user', 'mfa'],
      assurance: { phishingResistant: true, hardwareBound: false, aal: 2 },
    });
    expect(h.audit.ofType('verified').at(-1)).toMatchObject({
      aal: 2,
      amr: ['swk', 'user', 'mfa'],
    });
  });

  it('WA-15: a device-bound resident key with UV is hardware-bound as well', async () => {
    const h = harness(PASSKEYS);
    const bound = authenticator();
    const { user, enrollmentId, userHandle } = await registerPasskey(h, bound);
    const ch = await h.service.beginChallenge(user, { enrollmentId });
    const ok = await h.service.completeChallenge(
      ch.challengeId,
      user,
      bound.authenticate(optionsOf(ch), { userHandle }),
    );
    expect(ok).toMatchObject({
      amr: ['hwk', 'user', 'mfa'],
      assurance: { phishingResistant: true, hardwareBound: true, aal: 2 },
    });
  });

  it('WA-08: the passkey without user verification, or with another user handle, does not sign in', async () => {
    const h = harness(PASSKEYS);
    const key = authenticator({ backupEligible: true, backedUp: true });
    const { user, enrollmentId, userHandle } = await registerPasskey(h, key);
    const attempt = async (t: Parameters<SoftwareAuthenticator['authenticate']>[1]) => {
      const ch = await h.service.beginChallenge(user, { enrollmentId });
      return outcomeOf(
        h.service.completeChallenge(ch.challengeId, user, key.authenticate(optionsOf(ch), t)),
      );
    };
    expect(await attempt({ userHandle, userVerified: false })).toBe('INVALID_CODE');
    const otherHandle = Buffer.from('someone else').toString('base64url');
    expect(await attempt({ userHandle: otherHandle })).toBe('INVALID_CODE');
    expect(await attempt({ userHandle })).toBe('SUCCESS');
  });

  it('WA-08: where UV is only preferred, a key without it signs in as single-factor cryptographic (no mfa)', async () => {
    const h = harness();
    const key = authenticator({ userVerified: false });
    const user = testUser();
    const started = await h.service.beginActivation(user, 'webauthn');
    const done = await h.service.completeActivation(
      started.activationId,
      user,
      key.register(optionsOf(started)),
    );
    if (!done.ok) throw new Error('not registered');
    const ch = await h.service.beginChallenge(user, { enrollmentId: done.enrollmentId });
    const ok = await h.service.completeChallenge(
      ch.challengeId,
      user,
      key.authenticate(optionsOf(ch)),
    );
    expect(ok).toMatchObject({ method: 'webauthn', amr: ['hwk', 'user'] });
  });
});
