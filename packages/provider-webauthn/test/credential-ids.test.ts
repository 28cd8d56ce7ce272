/**
 * One credential, one enrollment (SECURITY.md WA-12): the library accepts a `none` registration
 * that carries any credential id, so a victim's id (with the attacker's own key) would otherwise
 * bind the victim's authenticator to a second account. Core's store holds a digest of every
 * registered id under a unique index; the second registration is refused, on any instance.
 */
import { randomBytes } from 'node:crypto';
import { FactorkitError, type FactorkitStores } from '@factorkit/core';
import { FakeClock, createHarness, testUser, type Harness } from '@factorkit/core/testing';
import { describe, expect, it } from 'vitest';
import { credentialLookupKey } from '../src/identifiers.js';
import { WebauthnProvider } from '../src/webauthn-provider.js';
import { DATABASES } from './databases.js';
import {
  SETTINGS,
  authenticator,
  enroll,
  harness,
  optionsOf,
  outcomeOf,
  signIn,
} from './helpers.js';
import type { SoftwareAuthenticator } from '../src/testing/index.js';

/** Registers `key` for `user` and returns the refusal it ends in (or 'SUCCESS'). */
async function registerRefusal(h: Harness, key: SoftwareAuthenticator, user = testUser()) {
  const started = await h.service.beginActivation(user, 'webauthn');
  try {
    await h.service.completeActivation(
      started.activationId,
      user,
      key.register(optionsOf(started)),
    );
    return { code: 'SUCCESS' };
  } catch (err) {
    if (!(err instanceof FactorkitError)) throw err;
    return { code: err.code, reason: err.details['reason'] };
  }
}

const TAKEN = { code: 'ALREADY_ENROLLED', reason: 'WA_CREDENTIAL_ID_TAKEN' };

describe('a credential id is registered once', () => {
  it("WA-12: another user's credential id, with the attacker's own key, is refused; the holder keeps signing in", async () => {
    const h = harness();
    const victimKey = authenticator();
    const victim = await enroll(h, victimKey);
    const before = await h.stores.enrollments.get(victim.enrollmentId);
    // The attacker's authenticator claims the victim's id; the library says `verified`.
    const forged = authenticator({ credentialId: victimKey.credentialId });
    const attacker = testUser();
    expect(await registerRefusal(h, forged, attacker)).toEqual(TAKEN);
    // The victim's own authenticator, registered to another account: refused the same way.
    expect(await registerRefusal(h, victimKey.clone(), attacker)).toEqual(TAKEN);
    expect(await h.stores.enrollments.listByUser(attacker.id)).toEqual([]);
    expect(h.audit.ofType('activation.failed').map((e) => [e.userId, e.reason])).toEqual([
      [attacker.id, 'WA_CREDENTIAL_ID_TAKEN'],
      [attacker.id, 'WA_CREDENTIAL_ID_TAKEN'],
    ]);
    // The holder is untouched and signs in as before.
    expect(await h.stores.enrollments.get(victim.enrollmentId)).toEqual(before);
    expect(await (await signIn(h, victimKey, victim.user, victim.enrollmentId)).result).toBe(
      'SUCCESS',
    );
  });

  it('WA-12: the owner registering the same authenticator again is refused too; after its removal it registers', async () => {
    const h = harness();
    const key = authenticator();
    const { user, enrollmentId } = await enroll(h, key);
    expect(await registerRefusal(h, key, user)).toEqual(TAKEN);
    expect((await h.stores.enrollments.listByUser(user.id)).map((e) => e.id)).toEqual([
      enrollmentId,
    ]);
    // Removed (at the store, as an admin reset would): the id is free again, for anyone.
    expect((await h.stores.enrollments.remove(user.id, enrollmentId)).removed).toBe(true);
    expect(await registerRefusal(h, key, testUser())).toEqual({ code: 'SUCCESS' });
  });

  it('WA-12: the store keeps a digest of the credential id, never the id itself', async () => {
    const h = harness();
    const key = authenticator();
    const { enrollmentId } = await enroll(h, key);
    const lookup = credentialLookupKey(key.credentialId);
    expect(lookup).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(lookup).not.toContain(key.credentialId);
    expect((await h.stores.enrollments.findByLookupKey('webauthn', lookup))?.id).toBe(enrollmentId);
  });
});

describe('excludeCredentials', () => {
  it("WA-01 WA-12: registration options list the user's other keys (id and transports only), never another user's", async () => {
    const h = harness();
    const first = authenticator();
    const second = authenticator();
    const { user } = await enroll(h, first);
    h.clock.advance(1000); // listed oldest first
    await enroll(h, second, user);
    await enroll(h, authenticator(), testUser());
    const started = await h.service.beginActivation(user, 'webauthn');
    expect(optionsOf(started)['excludeCredentials']).toEqual([
      { id: first.credentialId, type: 'public-key', transports: ['usb'] },
      { id: second.credentialId, type: 'public-key', transports: ['usb'] },
    ]);
    // A new user is offered an empty list; the browser would register anything.
    const fresh = await h.service.beginActivation(testUser(), 'webauthn');
    expect(optionsOf(fresh)['excludeCredentials']).toEqual([]);
    // A removed key drops off the list.
    const [oldest] = await h.stores.enrollments.listByUser(user.id);
    await h.stores.enrollments.remove(user.id, oldest!.id);
    const after = await h.service.beginActivation(user, 'webauthn');
    expect((optionsOf(after)['excludeCredentials'] as { id: string }[]).map((c) => c.id)).toEqual([
      second.credentialId,
    ]);
  });
});

describe.each(DATABASES)('two instances registering one credential id, $name', (target) => {
  const encryptionKey = randomBytes(32).toString('base64');
  const instance = (stores: FactorkitStores) =>
    createHarness({
      providers: [WebauthnProvider],
      settings: { webauthn: SETTINGS },
      stores,
      clock: new FakeClock(),
      encryptionKey,
    });

  it.skipIf(target.skip)(
    'WA-12: two users registering one new credential id at the same instant: exactly one wins, 20 times',
    async () => {
      const db = await target.open();
      try {
        const instances = [instance(db.stores), instance(db.stores)];
        for (let trial = 0; trial < 20; trial++) {
          const credentialId = randomBytes(32).toString('base64url');
          const users = [testUser(), testUser()];
          const started = await Promise.all(
            instances.map((h, i) => h.service.beginActivation(users[i]!, 'webauthn')),
          );
          // Each instance gets a registration of the same id, from two different key pairs.
          const outcomes = await Promise.all(
            instances.map((h, i) =>
              registerOutcome(h, started[i]!, users[i]!, authenticator({ credentialId })),
            ),
          );
          expect([...outcomes].sort()).toEqual(['ALREADY_ENROLLED', 'SUCCESS']);
          const winner = users[outcomes.indexOf('SUCCESS')]!;
          const loser = users[outcomes.indexOf('ALREADY_ENROLLED')]!;
          const holder = await db.stores.enrollments.findByLookupKey(
            'webauthn',
            credentialLookupKey(credentialId),
          );
          expect(holder?.userId).toBe(winner.id);
          expect(await db.stores.enrollments.listByUser(loser.id)).toEqual([]);
          expect(await db.stores.enrollments.countRecoveryCodes(loser.id)).toBe(0);
        }
      } finally {
        await db.close();
      }
    },
  );
});

async function registerOutcome(
  h: Harness,
  started: { activationId: string; prompt: unknown },
  user: ReturnType<typeof testUser>,
  key: SoftwareAuthenticator,
): Promise<string> {
  return outcomeOf(
    h.service.completeActivation(started.activationId, user, key.register(optionsOf(started))),
  );
}
