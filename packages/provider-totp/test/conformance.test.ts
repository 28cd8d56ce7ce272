import type { QrEnrollmentPrompt } from '@factorkit/core';
import { describeProviderConformance } from '@factorkit/core/testing';
import { describe, it } from 'vitest';
import { TotpProvider } from '../src/totp-provider.js';
import { appCode, enrollmentOf } from './helpers.js';

// The activation prompt holds the secret an app would scan; the right answer is its current code.
const answer = (prompt: unknown, now: number) => appCode(enrollmentOf(prompt), now);

/** A well-formed code valid for none of the accepted steps (T-2 .. T+1). */
function wrongCode(prompt: QrEnrollmentPrompt, now: number): string {
  const e = enrollmentOf(prompt);
  const taken = new Set([-2, -1, 0, 1].map((k) => appCode(e, now + k * e.period * 1000)));
  for (let n = 0; ; n++) {
    const candidate = String(n).padStart(e.digits, '0');
    if (!taken.has(candidate)) return candidate;
  }
}

for (const [name, settings] of [
  ['defaults (SHA1, 6 digits, 30 s)', {}],
  [
    'SHA512, 8 digits, 60 s, window 2',
    { algorithm: 'SHA512', digits: 8, period: 60, window: 2, futureWindow: 1 },
  ],
] as const) {
  const period = (settings as { period?: number }).period ?? 30;
  describeProviderConformance(
    `TOTP provider, ${name}`,
    {
      provider: TotpProvider,
      settings,
      stepMs: period * 1000,
      answerActivation: ({ prompt, clock }) => answer(prompt, clock.now()),
      answerChallenge: ({ activationPrompt, clock }) => answer(activationPrompt, clock.now()),
      wrongAnswer: ({ activationPrompt, clock }) =>
        wrongCode(activationPrompt as QrEnrollmentPrompt, clock.now()),
    },
    { describe, it },
  );
}
