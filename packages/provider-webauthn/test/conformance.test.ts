/**
 * core's conformance kit against the provider. One software authenticator answers for every
 * user (the kit registers it once per user, as a person registers the same key on two
 * accounts); the wrong answer is a well-formed assertion whose signature does not verify.
 */
import { describeProviderConformance } from '@factorkit/core/testing';
import { describe, it } from 'vitest';
import { WebauthnProvider } from '../src/webauthn-provider.js';
import { SETTINGS, authenticator } from './helpers.js';

const key = authenticator();
const optionsJSON = (prompt: unknown) =>
  (prompt as { optionsJSON: { challenge: string } }).optionsJSON;

describeProviderConformance(
  'WebAuthn provider with a software authenticator',
  {
    provider: WebauthnProvider,
    settings: SETTINGS,
    answersBoundToChallenge: true,
    answerActivation: ({ prompt }) => key.register(optionsJSON(prompt)),
    answerChallenge: ({ prompt }) => key.authenticate(optionsJSON(prompt)),
    wrongAnswer: ({ prompt }) =>
      prompt.kind === 'webauthn-registration'
        ? key.register(optionsJSON(prompt), {
            challenge: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
          })
        : key.authenticate(optionsJSON(prompt), { badSignature: true }),
  },
  { describe, it },
);
