import assert from 'node:assert/strict';
import { FactorkitError } from '../../errors.js';
import { FakeClock } from '../fake-clock.js';
import type { Harness } from '../harness.js';
import { testUser } from '../harness.js';
import { isSuccess, type Rig, type Session } from './rig.js';
import type { Check } from './types.js';

/** Any typed refusal ends a replay well; which one depends on who noticed (core or provider). */
const REFUSALS = [
  'CODE_ALREADY_USED',
  'INVALID_CODE',
  'INVALID_FORMAT',
  'PROVIDER_DENIED',
  'STATE_MISMATCH',
  'USERNAME_MISMATCH',
  'CHALLENGE_EXPIRED',
  'PROVIDER_ERROR',
];

/**
 * RP-01 and RP-02 (RFC 6238 §5.2, ASVS 6.5.1), for every provider whatever it declares:
 * one right answer signs in once. The kit replays the very value that was accepted, so an
 * out-of-band answer (a Duo callback) is replayed as is. For a provider that declares
 * `replayCounter`, core must be the one that refuses (CODE_ALREADY_USED); for one that does not,
 * core cannot refuse, so the provider must.
 */
export function replayChecks(rig: Rig): Check[] {
  const { providerId, declared, stepMs } = rig;
  // Core's counter is the refusing party only where the answer is not already challenge-bound.
  const byCounter = declared.replayCounter && rig.options.answersBoundToChallenge !== true;

  const explain = (what: string): string =>
    declared.replayCounter
      ? `${what} signed in again, although ${providerId} declares replayCounter: true. The counter it ` +
        'reports must identify the code (e.g. the TOTP time step), not the moment or the attempt, ' +
        'so the same code always reports the same counter and core refuses it.'
      : `${what} signed in again. ${providerId} declares replayCounter: false, so core keeps no ` +
        'counter and cannot refuse a replay: only the provider can. An answer that stays valid ' +
        'beyond one challenge (a time-based or static code) must declare replayCounter: true and ' +
        'report the counter that identifies it; an answer bound to one challenge must be refused ' +
        'on any other.';

  /** The replay must be refused; with `byCore`, by core's counter when the provider has one. */
  const refused = async (attempt: Promise<unknown>, what: string, byCore: boolean) => {
    const codes = byCounter && byCore ? ['CODE_ALREADY_USED'] : REFUSALS;
    let result: unknown;
    try {
      result = await attempt;
    } catch (err) {
      assert.ok(
        err instanceof FactorkitError,
        `${what}: expected a typed refusal, got ${String(err)}`,
      );
      assert.ok(
        codes.includes(err.code),
        `${what}: expected ${codes.join(' or ')}, got ${err.code} (${err.message})`,
      );
      return;
    }
    if (isSuccess(result)) assert.fail(explain(what));
    assert.fail(`${what}: expected a refusal, got ${JSON.stringify(result)?.slice(0, 200)}`);
  };

  /** Signs in once with the right answer and returns it, to be replayed. */
  const signedIn = async (h: Harness): Promise<{ s: Session; answer: unknown }> => {
    const s = await rig.signIn(h, testUser());
    const answer = await s.right();
    assert.ok(isSuccess(await s.complete(answer)), 'the right answer must sign in');
    return { s, answer };
  };

  const checks: Check[] = [
    {
      name: 'replay (RP-02): the answer that confirmed activation does not sign in',
      async run() {
        const { h } = rig.make();
        const user = testUser();
        const { answer } = await rig.enroll(h, user);
        const ch = await h.service.beginChallenge(user);
        await refused(
          h.service.completeChallenge(ch.challengeId, user, answer),
          'The answer that confirmed activation, submitted at the first sign-in,',
          true,
        );
      },
    },
    {
      name: 'replay (RP-01): an accepted answer does not sign in again on a new challenge',
      async run() {
        const { h } = rig.make();
        const { s, answer } = await signedIn(h);
        const second = await s.again();
        await refused(
          second.complete(answer),
          'The answer accepted on the first challenge, submitted on a new challenge,',
          true,
        );
        if (byCounter) {
          assert.equal(
            h.audit.ofType('replay.rejected').length,
            1,
            'a replay refused by the counter is audited as replay.rejected',
          );
        }
      },
    },
    {
      name: 'replay (RP-01): an accepted answer does not sign in again after the clock moves within its step',
      async run() {
        const { h } = rig.make();
        const { s, answer } = await signedIn(h);
        // Half of what is left of the current step (a second when answers ignore the clock):
        // the code is still valid by time, so only replay protection can refuse it.
        const now = h.clock.now();
        const moved = stepMs > 0 ? Math.max(1, Math.floor((stepMs - (now % stepMs)) / 2)) : 1000;
        h.clock.advance(moved);
        const second = await s.again();
        await refused(
          second.complete(answer),
          `The answer accepted on the first challenge, submitted on a new challenge ${moved} ms later (within its step),`,
          true,
        );
      },
    },
  ];
  if (stepMs > 0) {
    checks.push({
      name: "replay (RP-01): after a sign-in, the previous step's code (still inside the window) is refused",
      async run() {
        const { h } = rig.make();
        const { s } = await signedIn(h);
        const second = await s.again();
        const earlier = await second.right(new FakeClock(h.clock.now() - stepMs));
        await refused(
          second.complete(earlier),
          "The previous step's code, submitted after the current step's code signed in,",
          false,
        );
      },
    });
  }
  return checks;
}
