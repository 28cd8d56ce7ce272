/**
 * A provider's typed error reaches the host whole: its class, code, details and cause survive the
 * verify path (SECURITY.md LG-04: the host needs Duo's clock-skew hint, an enrollment URL or a
 * `retryAfter`, not a rebuilt generic error).
 */
import { describe, expect, it } from 'vitest';
import {
  InvalidCodeError,
  ProviderDeniedError,
  ProviderUnavailableError,
  type FactorkitError,
} from '../src/index.js';
import { testUser } from '../src/testing/index.js';
import { clockHarness } from './support/setup.js';

async function failure(error: unknown): Promise<FactorkitError> {
  const h = clockHarness();
  const user = testUser();
  await h.enroll(user);
  const ch = await h.service.beginChallenge(user);
  h.provider.behaviour = { kind: 'verify-throws', error };
  return h.service.completeChallenge(ch.challengeId, user, h.code()).then(
    () => {
      throw new Error('expected a rejection');
    },
    (err: FactorkitError) => err,
  );
}

describe('typed provider errors in the verify path', () => {
  it('LG-04: a wrong-code error keeps its class, message, details and cause, plus retryable', async () => {
    const cause = new Error('skew');
    const thrown = new InvalidCodeError('Your device clock is 90 s fast.', {
      cause,
      details: { clockSkewSeconds: 90 },
    });
    const err = await failure(thrown);
    expect(err).toBeInstanceOf(InvalidCodeError);
    expect(err.message).toBe('Your device clock is 90 s fast.');
    expect(err.details).toMatchObject({ clockSkewSeconds: 90, retryable: true });
    expect(err.cause).toBe(cause);
  });

  it('LG-04: a denial keeps the enrollment portal URL the provider gave', async () => {
    const err = await failure(
      new ProviderDeniedError('Enroll first.', {
        details: { enrollUrl: 'https://api-x.duosecurity.com/portal' },
      }),
    );
    expect(err).toBeInstanceOf(ProviderDeniedError);
    expect(err.details['enrollUrl']).toBe('https://api-x.duosecurity.com/portal');
  });

  it('LG-04, OUT-01: an outage keeps its retryAfter and cause, beside core’s own details', async () => {
    const cause = new Error('429');
    const err = await failure(
      new ProviderUnavailableError('Duo asks us to wait.', { cause, details: { retryAfter: 7 } }),
    );
    expect(err).toBeInstanceOf(ProviderUnavailableError);
    expect(err.details).toMatchObject({ retryAfter: 7, providerId: 'clock-code' });
    expect(typeof err.details['challengeId']).toBe('string');
    expect(err.cause).toBeInstanceOf(ProviderUnavailableError);
    expect((err.cause as Error).cause).toBe(cause);
  });

  it('FL-03: a typed error no failure reason stands for is a PROVIDER_ERROR with it as the cause', async () => {
    const { InvalidArgumentError } = await import('../src/index.js');
    const thrown = new InvalidArgumentError('bad');
    const err = await failure(thrown);
    expect(err.code).toBe('PROVIDER_ERROR');
    expect(err.cause).toBe(thrown);
  });
});
