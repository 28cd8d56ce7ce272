/**
 * Two app instances on one store, for every store a deployment may share: core's memory store,
 * SQLite and PostgreSQL. Registration (SECURITY.md WA-16): its challenge is single use and bound
 * to registering, whichever instance answers; it never counts as a sign-in; it is audited and the
 * user notified; adding a key to an account that has one is the host's step-up call. Sign-in races
 * (WA-20): one assertion at both instances at once succeeds once; an older assertion landing after
 * a newer one is refused by the compare-and-set.
 */
import { randomBytes } from 'node:crypto';
import type { FactorkitStores, SecurityNotice } from '@factorkit/core';
import { FakeClock, createHarness, testUser } from '@factorkit/core/testing';
import { describe, expect, it } from 'vitest';
import { WebauthnProvider } from '../src/webauthn-provider.js';
import { DATABASES } from './databases.js';
import { SETTINGS, authenticator, enroll, optionsOf, outcomeOf } from './helpers.js';

const encryptionKey = randomBytes(32).toString('base64');
const policy = { throttle: { maxFailures: 100, freeFailures: 100, permanentLockAfter: 100 } };

function instance(stores: FactorkitStores, clock: FakeClock, notices: SecurityNotice[] = []) {
  return createHarness({
    providers: [WebauthnProvider],
    settings: { webauthn: SETTINGS },
    policy,
    stores,
    clock,
    encryptionKey,
    timeline: { notifier: { send: (n) => void notices.push(n) } },
  });
}

type Instance = ReturnType<typeof instance>;

async function registrationOnTwoInstances([a, b]: Instance[], notices: SecurityNotice[]) {
  const user = testUser();
  const first = authenticator();
  // Begun on A, answered on B: the step lives in the shared store.
  const started = await a!.service.beginActivation(user, 'webauthn');
  const answer = first.register(optionsOf(started));
  const done = await b!.service.completeActivation(started.activationId, user, answer);
  expect(done).toMatchObject({ ok: true, providerId: 'webauthn' });
  // Registering is no sign-in: no success time, no assurance to put in a session.
  expect(done).not.toHaveProperty('at');
  expect(done).not.toHaveProperty('assurance');
  // The same answer again, at either instance: the step is gone.
  for (const h of [a!, b!])
    expect(await outcomeOf(h.service.completeActivation(started.activationId, user, answer))).toBe(
      'CHALLENGE_NOT_FOUND',
    );
  // A registration step cannot be answered as a sign-in challenge, nor by another user.
  const next = await a!.service.beginActivation(user, 'webauthn');
  expect(
    await outcomeOf(
      b!.service.completeChallenge(next.activationId, user, first.authenticate(optionsOf(next))),
    ),
  ).toBe('CHALLENGE_NOT_FOUND');
  const stranger = testUser();
  expect(
    await outcomeOf(
      b!.service.completeActivation(
        next.activationId,
        stranger,
        authenticator().register(optionsOf(next)),
      ),
    ),
  ).toBe('CHALLENGE_NOT_FOUND');
  expect(await a!.stores.enrollments.listByUser(stranger.id)).toEqual([]);
  // Audited and told, once.
  expect(b!.audit.ofType('activated').map((e) => e.userId)).toEqual([user.id]);
  expect(notices.filter((n) => n.kind === 'factor-added').map((n) => n.userId)).toEqual([user.id]);
  return { user, key: first, enrollmentId: done.ok ? done.enrollmentId : '' };
}

describe.each(DATABASES)('two instances on one $name store', (target) => {
  it.skipIf(target.skip)(
    'WA-16: a registration challenge is single use and bound to registering and to its user, across instances; registering is no sign-in; audited and notified',
    async () => {
      const db = await target.open();
      try {
        const clock = new FakeClock();
        const notices: SecurityNotice[] = [];
        const hs = [instance(db.stores, clock, notices), instance(db.stores, clock, notices)];
        const { user, key, enrollmentId } = await registrationOnTwoInstances(hs, notices);
        // A second key for an account that has one: the host asks for a recent second factor.
        clock.advance(3_600_000);
        const stale = hs[0]!.service.requireRecentSecondFactor(user, { secondFactorAt: 0 });
        expect(await outcomeOf(stale)).toBe('STEP_UP_REQUIRED');
        const ch = await hs[0]!.service.beginChallenge(user, { enrollmentId });
        const signedIn = await hs[1]!.service.completeChallenge(
          ch.challengeId,
          user,
          key.authenticate(optionsOf(ch)),
        );
        if (!signedIn.ok) throw new Error('sign-in failed');
        await hs[1]!.service.requireRecentSecondFactor(user, { secondFactorAt: signedIn.at });
        await enroll(hs[1]!, authenticator(), user);
        expect((await hs[0]!.stores.enrollments.listByUser(user.id)).length).toBe(2);
      } finally {
        await db.close();
      }
    },
  );

  it.skipIf(target.skip)(
    'WA-20: the same assertion at two instances at once succeeds once; an older assertion after a newer one is refused (20 rounds)',
    async () => {
      const db = await target.open();
      try {
        const clock = new FakeClock();
        const hs = [instance(db.stores, clock), instance(db.stores, clock)];
        const key = authenticator();
        const { user, enrollmentId } = await enroll(hs[0]!, key);
        for (let round = 0; round < 20; round++) {
          const ch = await hs[0]!.service.beginChallenge(user, { enrollmentId });
          const answer = key.authenticate(optionsOf(ch));
          const same = await Promise.all(
            hs.map((h) => outcomeOf(h.service.completeChallenge(ch.challengeId, user, answer))),
          );
          expect(same.sort()).toEqual(['CHALLENGE_NOT_FOUND', 'SUCCESS']);
          // Assertions N and N+1 on two challenges, answered in reverse order at once: N+1
          // always counts; N wins only if it lands first, else the compare-and-set refuses it.
          const [a, b] = await Promise.all(
            hs.map((h) => h.service.beginChallenge(user, { enrollmentId })),
          );
          const older = key.authenticate(optionsOf(a!));
          const newer = key.authenticate(optionsOf(b!));
          const [late, early] = await Promise.all([
            outcomeOf(hs[1]!.service.completeChallenge(b!.challengeId, user, newer)),
            outcomeOf(hs[0]!.service.completeChallenge(a!.challengeId, user, older)),
          ]);
          expect(late).toBe('SUCCESS');
          expect(['SUCCESS', 'CODE_ALREADY_USED']).toContain(early);
          expect((await db.stores.enrollments.get(enrollmentId))!.counter).toBe(key.counter);
        }
      } finally {
        await db.close();
      }
    },
  );
});
