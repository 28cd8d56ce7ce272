import { describe, it } from 'vitest';
import { CryptoRandomSource } from '@factorkit/core';
import { describeProviderConformance } from '@factorkit/core/testing';
import { EmailCodeProvider } from '../../examples/email-code-provider/email-code-provider.js';

// The outbox an email-code test would read: the last code mailed to each address.
const mailbox = new Map<string, string>();
const inbox = (to: string) => mailbox.get(to) ?? 'no-mail';

describeProviderConformance(
  'example email-code provider (built @factorkit/core, public exports only)',
  {
    provider: () =>
      new EmailCodeProvider(new CryptoRandomSource(), (to, _subject, code) =>
        mailbox.set(to, code),
      ),
    settings: { digits: 8, subject: 'Sign-in code' },
    answerActivation: ({ user }) => inbox(user.email!),
    answerChallenge: ({ user }) => inbox(user.email!),
    wrongAnswer: ({ user }) => (inbox(user.email!) === '00000000' ? '11111111' : '00000000'),
  },
  { describe, it },
);
