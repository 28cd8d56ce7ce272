/**
 * core's conformance kit against the provider. Each user gets a software authenticator of their
 * own: one credential backs one enrollment only (WA-12), so the same key cannot be registered to
 * every user the kit creates. The wrong answer is a well-formed assertion whose signature does
 * not verify.
 */
import { describeProviderConformance } from '@factorkit/core/testing';
import { describe, it } from 'vitest';
import type { SoftwareAuthenticator } from '../src/testing/index.js';
import { WebauthnProvider } from '../src/webauthn-provider.js';
import { SETTINGS, authenticator } from './helpers.js';

const keys = new Map<string, SoftwareAuthenticator>();
const keyOf = ({ user }: { user: { id: string } }) => {
  let key = keys.get(user.id);
  if (!key) keys.set(user.id, (key = authenticator()));
  return key;
};
const optionsJSON = (prompt: unknown) =>
  (prompt as { optionsJSON: { challenge: string } }).optionsJSON;

describeProviderConformance(
  'WebAuthn provider with a software authenticator',
  {
    provider: WebauthnProvider,
    settings: SETTINGS,
    answersBoundToChallenge: true,
    answerActivation: (args) => keyOf(args).register(optionsJSON(args.prompt)),
    answerChallenge: (args) => keyOf(args).authenticate(optionsJSON(args.prompt)),
    wrongAnswer: (args) =>
      args.prompt.kind === 'webauthn-registration'
        ? keyOf(args).register(optionsJSON(args.prompt), {
            challenge: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
          })
        : keyOf(args).authenticate(optionsJSON(args.prompt), { badSignature: true }),
  },
  { describe, it },
);
