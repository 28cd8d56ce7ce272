/** The conformance kit run against core's own counter-based test provider (replay checks on). */
import { describe, it } from 'vitest';
import { describeProviderConformance } from '../src/testing/index.js';
import { ClockCodeProvider, STEP_MS, codeAt } from './support/clock-code-provider.js';

describeProviderConformance(
  'clock-code (counter-based test provider)',
  {
    provider: ClockCodeProvider,
    answerActivation: ({ clock }) => codeAt(clock.now()),
    answerChallenge: ({ clock }) => codeAt(clock.now()),
    wrongAnswer: ({ clock }) => (codeAt(clock.now()) === '000000' ? '111111' : '000000'),
    stepMs: STEP_MS,
  },
  { describe, it },
);
