// Core's provider conformance suite (IN-01, FL-05, FL-08, BF-01 as core defines them)
// run against the Duo provider in Universal mode, answering each redirect prompt by driving the
// emulator's prompt over real HTTPS (approve for the right answer, deny for the wrong one).
import type { ActivationPrompt, ChallengePrompt } from '@factorkit/core';
import { describeProviderConformance } from '@factorkit/core/testing';
import { afterAll, describe, it } from 'vitest';
import { DuoProvider } from '../src/index.js';
import { followPrompt, startEmulator, universalSettings } from './support/duo-test-kit.js';

// Settings are validated when the suite registers its checks, so the emulator starts first.
const emu = await startEmulator();
afterAll(() => emu.stop());

const urlOf = (prompt: ActivationPrompt | ChallengePrompt): string => {
  if (prompt.kind !== 'redirect') throw new Error(`expected a redirect prompt, got ${prompt.kind}`);
  return prompt.url;
};

describeProviderConformance(
  'duo (Universal Prompt, against the emulator)',
  {
    provider: DuoProvider,
    settings: universalSettings(emu),
    answerActivation: ({ prompt }) => followPrompt(emu, urlOf(prompt), 'approve'),
    answerChallenge: ({ prompt }) => followPrompt(emu, urlOf(prompt), 'approve'),
    wrongAnswer: ({ prompt }) => followPrompt(emu, urlOf(prompt), 'deny'),
  },
  { describe, it },
);
