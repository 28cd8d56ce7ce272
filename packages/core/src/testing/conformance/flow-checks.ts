import assert from 'node:assert/strict';
import { testUser } from '../harness.js';
import { ALLOWED_FAILURES, LENIENT_THROTTLE, isSuccess, rejects, type Rig } from './rig.js';
import { MALFORMED_INPUTS, type Check } from './types.js';

/** Activation and sign-in through the service: what passes, what is refused, what is counted. */
export function flowChecks(rig: Rig): Check[] {
  const { options, providerId } = rig;
  return [
    {
      name: 'activation (EN-02): the right answer enrolls the user and issues recovery codes once',
      async run() {
        const { h } = rig.make();
        const user = testUser();
        const started = await h.service.beginActivation(user, providerId);
        const answer = await options.answerActivation({
          prompt: started.prompt,
          clock: h.clock,
          user,
        });
        const done = await h.service.completeActivation(started.activationId, user, answer);
        assert.ok(
          done.ok === true && (done.recoveryCodes?.length ?? 0) >= 4,
          'first factor issues recovery codes',
        );
        const req = await h.service.requirement(user);
        assert.equal(req.action, 'challenge');
      },
    },
    {
      name: 'activation (EN-01): a wrong answer is refused and enrolls nothing',
      async run() {
        const { h } = rig.make();
        const user = testUser();
        const started = await h.service.beginActivation(user, providerId);
        const wrong = await options.wrongAnswer({
          prompt: started.prompt,
          clock: h.clock,
          user,
          activationPrompt: started.prompt,
        });
        await rejects(
          h.service.completeActivation(started.activationId, user, wrong),
          ALLOWED_FAILURES,
          'wrong activation answer',
        );
        assert.equal((await h.service.listEnrollments(user)).length, 0);
      },
    },
    {
      name: 'activation (IN-01): malformed input gives a typed failure, never success or a crash',
      async run() {
        const { h } = rig.make({ policy: LENIENT_THROTTLE });
        const user = testUser();
        for (const bad of MALFORMED_INPUTS) {
          const started = await h.service.beginActivation(user, providerId);
          await rejects(
            h.service.completeActivation(started.activationId, user, bad),
            ALLOWED_FAILURES,
            `activation input ${JSON.stringify(bad)?.slice(0, 20)}`,
          );
        }
        assert.equal((await h.service.listEnrollments(user)).length, 0);
      },
    },
    {
      name: 'challenge (RP-01, invariant 3): the right answer passes, once; the used challenge id is then unknown',
      async run() {
        const { h } = rig.make();
        const s = await rig.signIn(h, testUser());
        const answer = await s.right();
        assert.ok(isSuccess(await s.complete(answer)), 'right answer must succeed');
        await rejects(s.complete(answer), ['CHALLENGE_NOT_FOUND'], 'reused challenge id');
      },
    },
    {
      name: 'challenge (BF-01): a wrong answer is refused with a typed error and counted',
      async run() {
        const { h } = rig.make();
        const s = await rig.signIn(h, testUser());
        await rejects(s.complete(await s.wrong()), ALLOWED_FAILURES, 'wrong challenge answer');
        assert.equal((await h.service.throttleStatus(s.user)).failures, 1);
      },
    },
    {
      name: 'challenge (IN-01): malformed input gives a typed failure, never success or a crash',
      async run() {
        const { h } = rig.make({ policy: LENIENT_THROTTLE });
        const s = await rig.signIn(h, testUser());
        for (const bad of MALFORMED_INPUTS) {
          const ch = await h.service.beginChallenge(s.user);
          await rejects(
            h.service.completeChallenge(ch.challengeId, s.user, bad),
            ALLOWED_FAILURES,
            `challenge input ${JSON.stringify(bad)?.slice(0, 20)}`,
          );
        }
      },
    },
    {
      name: "challenge (FL-05, DU-01): bound to its user; another user's attempt does not consume it",
      async run() {
        const { h } = rig.make();
        const mallory = testUser();
        await rig.enroll(h, mallory);
        const s = await rig.signIn(h, testUser());
        const answer = await s.right();
        await rejects(
          h.service.completeChallenge(s.challenge.challengeId, mallory, answer),
          ['CHALLENGE_NOT_FOUND'],
          'foreign challenge',
        );
        assert.ok(isSuccess(await s.complete(answer)), 'owner still completes');
      },
    },
    {
      name: 'challenge (FL-08): expires after the pending lifetime',
      async run() {
        const { h } = rig.make();
        const s = await rig.signIn(h, testUser());
        h.clock.advance(h.config.policy.pending.ttlSeconds * 1000 + 1);
        await rejects(s.complete(await s.right()), ['CHALLENGE_EXPIRED'], 'expired challenge');
      },
    },
    {
      name: 'throttling (BF-01): after the failure limit even the right answer is refused as LOCKED',
      async run() {
        const { h } = rig.make({
          policy: { throttle: { maxFailures: 3, freeFailures: 3, permanentLockAfter: 100 } },
        });
        const s = await rig.signIn(h, testUser());
        for (let i = 0; i < 3; i++) {
          const retry = await s.again();
          await rejects(
            retry.complete(await retry.wrong()),
            ALLOWED_FAILURES,
            `wrong answer ${i + 1}`,
          );
        }
        // the challenge opened before the lock, answered right, is refused too
        await rejects(s.complete(await s.right()), ['LOCKED'], 'right answer while locked');
        await rejects(h.service.beginChallenge(s.user), ['LOCKED'], 'challenge while locked');
      },
    },
  ];
}
