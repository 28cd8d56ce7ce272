import { describe, it } from 'vitest';
import { describeProviderConformance } from '@factorkit/core/testing';
import { HotpProvider } from '../../examples/hotp-provider/hotp-provider.js';
import { TokenRack } from './hotp-token.js';

// Each user's token is programmed from the activation prompt; every right answer is a press.
const rack = new TokenRack();

describeProviderConformance(
  'example HOTP provider (examples/hotp-provider, written from packages/core/README.md)',
  {
    provider: HotpProvider,
    settings: { digits: 6, lookAhead: 5 },
    answerActivation: ({ prompt, user }) => {
      rack.program(user.id, prompt);
      return rack.press(user.id);
    },
    answerChallenge: ({ user }) => rack.press(user.id),
    wrongAnswer: ({ prompt, user }) => {
      if (prompt.kind === 'token-programming') rack.program(user.id, prompt);
      return rack.wrong(user.id);
    },
  },
  { describe, it },
);
