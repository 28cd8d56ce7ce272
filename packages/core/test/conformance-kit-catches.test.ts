/**
 * The conformance kit trusts no self-description: each deliberately broken provider (the honest
 * clock-code provider with one defect) fails exactly the check that names its defect, with a
 * message that says what to fix. The honest provider, run the same way, fails nothing.
 */
import { describe, expect, it } from 'vitest';
import type { ProviderFactory } from '../src/index.js';
import {
  outcomeProblems,
  providerConformanceChecks,
  type ConformanceOptions,
} from '../src/testing/index.js';
import { ClockCodeProvider, STEP_MS, codeAt } from './support/clock-code-provider.js';
import {
  classOutcomeProvider,
  getterOkProvider,
  inheritedOkProvider,
  millisecondCounterProvider,
  responseOutcomeProvider,
  reusableCodeProvider,
} from './support/misbehaving-providers.js';

const answers: Omit<ConformanceOptions, 'provider'> = {
  answerActivation: ({ clock }) => codeAt(clock.now()),
  answerChallenge: ({ clock }) => codeAt(clock.now()),
  wrongAnswer: ({ clock }) => (codeAt(clock.now()) === '000000' ? '111111' : '000000'),
  stepMs: STEP_MS,
};

/** Runs every kit check programmatically; returns the failing ones, name to message. */
async function failures(provider: ConformanceOptions['provider']): Promise<Record<string, string>> {
  const failed: Record<string, string> = {};
  for (const check of providerConformanceChecks({ ...answers, provider })) {
    await check.run().catch((err: unknown) => {
      failed[check.name] = err instanceof Error ? err.message : String(err);
    });
  }
  return failed;
}

const RP02 = /^replay \(RP-02\): the answer that confirmed activation/;
const RP01_NEW_CHALLENGE = /^replay \(RP-01\): .* on a new challenge$/;
const RP01_CLOCK_MOVED = /^replay \(RP-01\): .* after the clock moves within its step$/;
const RP01_PREVIOUS_STEP = /^replay \(RP-01\): .*previous step's code/;
const FL03_OUTCOMES = /^outcomes \(FL-03, invariant 1\)/;

describe('conformance kit: broken providers fail the check that names their defect', () => {
  it('control: the honest clock-code provider, run the same way, fails no check', async () => {
    expect(await failures(ClockCodeProvider)).toEqual({});
  });

  it('RP-01, RP-02: replayCounter: false yet the same code signs in again fails every replay check', async () => {
    const failed = await failures(reusableCodeProvider);
    expect(Object.keys(failed)).toEqual([
      expect.stringMatching(RP02),
      expect.stringMatching(RP01_NEW_CHALLENGE),
      expect.stringMatching(RP01_CLOCK_MOVED),
      expect.stringMatching(RP01_PREVIOUS_STEP),
    ]);
    for (const message of Object.values(failed)) {
      expect(message).toMatch(/signed in again\. clock-code declares replayCounter: false/);
      expect(message).toMatch(/must declare replayCounter: true and report the counter/);
    }
  });

  it('RP-01 a: a counter that is the moment, not the step, is caught once the clock moves within the step', async () => {
    const failed = await failures(millisecondCounterProvider);
    expect(Object.keys(failed)).toEqual([expect.stringMatching(RP01_CLOCK_MOVED)]);
    expect(Object.values(failed)[0]).toMatch(
      /ms later \(within its step\), signed in again, although clock-code declares replayCounter: true\. The counter it reports must identify the code/,
    );
  });

  // Core's service refuses these answers too (the plain-object rule), so checks that need a
  // sign-in fail as well; the outcome check is the one that names the defect.
  const outcomeFailure = (failed: Record<string, string>) =>
    Object.entries(failed).find(([name]) => FL03_OUTCOMES.test(name))?.[1];

  it.each<[string, ProviderFactory, RegExp]>([
    [
      'a class instance',
      classOutcomeProvider,
      /it is an instance of VerifyResult, not a plain object/,
    ],
    ['an inherited ok', inheritedOkProvider, /its ok is inherited, not its own property/],
    ['a getter for ok', getterOkProvider, /its ok is a getter, not a data property/],
    [
      'a fetch Response (ok from a getter on its prototype)',
      responseOutcomeProvider,
      /it is an instance of Response, not a plain object; its ok is inherited, not its own property/,
    ],
  ])(
    'FL-03: verify answering with %s fails the outcome check, which names the defect',
    async (_what, provider, why) => {
      const failed = await failures(provider);
      expect(outcomeFailure(failed)).toMatch(
        /^clock-code\.verify returned an outcome core must not trust: /,
      );
      expect(outcomeFailure(failed)).toMatch(why);
      // ...and nothing signed anyone in with such an answer.
      for (const message of Object.values(failed)) expect(message).not.toMatch(/signed in again/);
    },
  );
});

describe('outcomeProblems (FL-03): what the outcome check accepts', () => {
  it.each<[string, unknown, string[]]>([
    ['a plain success', { ok: true, counter: 1 }, []],
    ['a plain failure', { ok: false, reason: 'INVALID_CODE' }, []],
    ['a null-prototype object', Object.assign(Object.create(null) as object, { ok: true }), []],
    ['undefined', undefined, ['it is undefined, not an object']],
    ['an array', [true], ['it is an array, not an object']],
    ['no ok at all', {}, ['it has no ok']],
    ['ok as a string', { ok: 'true' }, ['its ok is "true", not a boolean']],
    ['a Date', new Date(0), ['it is an instance of Date, not a plain object', 'it has no ok']],
  ])('%s', (_what, outcome, problems) => {
    expect(outcomeProblems(outcome)).toEqual(problems);
  });
});
