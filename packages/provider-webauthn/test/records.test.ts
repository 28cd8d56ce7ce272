/**
 * What a registration stores and what a sign-in proves (SECURITY.md WA-12..WA-18), and the
 * audience policy that offers admins only phishing-resistant factors.
 */
import { randomBytes } from 'node:crypto';
import { MemoryStore } from '@factorkit/core';
import { TotpProvider } from '@factorkit/provider-totp';
import { Secret, TOTP } from 'otpauth';
import { FakeClock, createHarness, testUser } from '@factorkit/core/testing';
import { describe, expect, it } from 'vitest';
import { WebauthnProvider } from '../src/webauthn-provider.js';
import {
  SETTINGS,
  authenticator,
  enroll,
  harness,
  optionsOf,
  outcomeOf,
  signIn,
} from './helpers.js';

async function register(
  h: ReturnType<typeof harness>,
  answer: (o: ReturnType<typeof optionsOf>) => unknown,
) {
  const user = testUser();
  const started = await h.service.beginActivation(user, 'webauthn');
  return outcomeOf(
    h.service.completeActivation(started.activationId, user, answer(optionsOf(started))),
  );
}

describe('registration records', () => {
  it('WA-12: a 1023-byte credential id is accepted, a 1024-byte one refused', async () => {
    const h = harness();
    const long = authenticator({ credentialIdBytes: 1023 });
    expect(await register(h, (o) => long.register(o))).toBe('SUCCESS');
    const longer = authenticator({ credentialIdBytes: 1024 });
    expect(await register(h, (o) => longer.register(o))).toBe('INVALID_FORMAT');
  });

  it('WA-13: a key with an algorithm that was not offered is refused', async () => {
    const h = harness({ algorithms: [-7] });
    const key = authenticator();
    expect(await register(h, (o) => key.register(o, { alg: -8 }))).toBe('INVALID_CODE');
    expect(await register(h, (o) => key.register(o))).toBe('SUCCESS');
  });

  it('WA-14: attestation none is asked for; none and packed self attestation both register', async () => {
    const h = harness();
    const user = testUser();
    const started = await h.service.beginActivation(user, 'webauthn');
    expect(optionsOf(started)['attestation']).toBe('none');
    const aaguid = '01020304-0506-0708-0102-030405060708';
    expect(await register(h, (o) => authenticator({ aaguid }).register(o))).toBe('SUCCESS');
    expect(await register(h, (o) => authenticator({ aaguid }).register(o, { fmt: 'packed' }))).toBe(
      'SUCCESS',
    );
  });

  it('WA-15: a device-bound key is hardware-bound (hwk); a synced passkey is not (swk)', async () => {
    const h = harness();
    const bound = authenticator();
    const a = await enroll(h, bound);
    const ok = await h.service.completeChallenge(
      ...(await (async () => {
        const ch = await h.service.beginChallenge(a.user, { enrollmentId: a.enrollmentId });
        return [ch.challengeId, a.user, bound.authenticate(optionsOf(ch))] as const;
      })()),
    );
    expect(ok).toMatchObject({
      ok: true,
      amr: ['hwk', 'user', 'mfa'],
      assurance: { phishingResistant: true, hardwareBound: true, aal: 2 },
    });
    const synced = authenticator({ backupEligible: true, backedUp: true });
    const b = await enroll(h, synced);
    const ch = await h.service.beginChallenge(b.user, { enrollmentId: b.enrollmentId });
    const passkey = await h.service.completeChallenge(
      ch.challengeId,
      b.user,
      synced.authenticate(optionsOf(ch)),
    );
    expect(passkey).toMatchObject({
      ok: true,
      amr: ['swk', 'user', 'mfa'],
      assurance: { phishingResistant: true, hardwareBound: false },
    });
  });

  it('WA-15: backup flags that changed since registration, or BS without BE, are refused', async () => {
    const h = harness();
    expect(await register(h, (o) => authenticator().register(o, { backedUp: true }))).toBe(
      'INVALID_CODE',
    );
    const key = authenticator();
    const { user, enrollmentId } = await enroll(h, key);
    expect(await (await signIn(h, key, user, enrollmentId, { backupEligible: true })).result).toBe(
      'INVALID_CODE',
    );
    expect(await (await signIn(h, key, user, enrollmentId, { backedUp: true })).result).toBe(
      'INVALID_CODE',
    );
    expect(await (await signIn(h, key, user, enrollmentId)).result).toBe('SUCCESS');
  });

  it('WA-15: admins that must use a phishing-resistant factor are offered only WebAuthn, not TOTP', async () => {
    const shared = {
      stores: new MemoryStore(),
      clock: new FakeClock(),
      encryptionKey: randomBytes(32).toString('base64'),
    };
    const deploy = (admin: Record<string, unknown>) =>
      createHarness({
        providers: [TotpProvider, WebauthnProvider],
        settings: { totp: { issuer: 'Example' }, webauthn: SETTINGS },
        policy: { audiences: { client: {}, admin } },
        ...shared,
      });
    const open = deploy({});
    const admin = testUser({ audience: 'admin' });
    const started = await open.service.beginActivation(admin, 'totp');
    const secret = new URL((started.prompt as { otpauthUri: string }).otpauthUri).searchParams.get(
      'secret',
    )!;
    const code = new TOTP({ secret: Secret.fromBase32(secret) }).generate({
      timestamp: shared.clock.now(),
    });
    expect((await open.service.completeActivation(started.activationId, admin, code)).ok).toBe(
      true,
    );
    const key = authenticator();
    await enroll(open, key, admin);
    const strict = deploy({ force: true, requirePhishingResistant: true });
    const requirement = await strict.service.requirement(admin);
    expect(requirement).toMatchObject({ action: 'challenge', providers: ['webauthn'] });
    expect(await outcomeOf(strict.service.beginChallenge(admin, 'totp'))).not.toBe('SUCCESS');
    const ch = await strict.service.beginChallenge(admin);
    expect(ch.providerId).toBe('webauthn');
    const ok = await strict.service.completeChallenge(
      ch.challengeId,
      admin,
      key.authenticate(optionsOf(ch)),
    );
    expect(ok.ok).toBe(true);
  });

  it('WA-17: a removed key is refused, even for a challenge issued before the removal', async () => {
    const h = harness();
    const key = authenticator();
    const { user, enrollmentId } = await enroll(h, key);
    await enroll(h, authenticator(), user);
    const ch = await h.service.beginChallenge(user, { enrollmentId });
    // Removed at the store, as a removal on another instance would (no step-up here).
    expect((await h.stores.enrollments.remove(user.id, enrollmentId)).removed).toBe(true);
    expect(
      await outcomeOf(
        h.service.completeChallenge(ch.challengeId, user, key.authenticate(optionsOf(ch))),
      ),
    ).toBe('CHALLENGE_NOT_FOUND');
    expect(await outcomeOf(h.service.beginChallenge(user, { enrollmentId }))).not.toBe('SUCCESS');
  });

  it('WA-18: malformed answers are INVALID_FORMAT, never a crash, and each one counts', async () => {
    const h = harness(
      {},
      { throttle: { maxFailures: 100, freeFailures: 100, permanentLockAfter: 100 } },
    );
    const key = authenticator();
    const { user, enrollmentId } = await enroll(h, key);
    const good = (await signIn(h, key, user, enrollmentId)).answer as {
      rawId: string;
      response: Record<string, unknown>;
    };
    const bad: unknown[] = [
      'a code',
      null,
      [],
      { ...good, rawId: 'x' + good.rawId },
      { ...good, type: 'other' },
      { ...good, response: { ...good.response, signature: 'not base64url!' } },
      { ...good, response: { ...good.response, clientDataJSON: 'A'.repeat(1_000_000) } },
      { ...good, response: { ...good.response, authenticatorData: 42 } },
      { ...good, response: 'x' },
    ];
    for (const answer of bad) {
      const ch = await h.service.beginChallenge(user, { enrollmentId });
      expect(await outcomeOf(h.service.completeChallenge(ch.challengeId, user, answer))).toBe(
        'INVALID_FORMAT',
      );
    }
    expect(h.audit.ofType('failed').filter((e) => e.reason === 'INVALID_FORMAT')).toHaveLength(
      bad.length,
    );
  });
});
