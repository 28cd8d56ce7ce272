import {
  Clock,
  FactorkitError,
  Provider,
  type Begun,
  type ChallengePrompt,
  type ProviderCapabilities,
  type VerifyOutcome,
} from '../../src/index.js';
import { ClockCodeProvider } from './clock-code-provider.js';

/** What the phone does with the next pushes: the test scripts it. */
export type PushAnswer = 'allow' | 'deny' | 'ignore' | 'wait';

/**
 * A push factor for core's BF-05 rule: enrolls like the clock-code provider, then challenges with
 * a `push-wait` prompt whose answer the test scripts. `capped` makes `beginChallenge` refuse
 * with PUSH_RATE_LIMITED, as a provider's own push cap does.
 */
@Provider({ inject: [Clock] })
export class FakePushProvider extends ClockCodeProvider {
  override readonly id: string = 'fake-push';
  override readonly displayName: string = 'Fake push';
  override readonly capabilities: ProviderCapabilities = {
    interactive: false,
    outOfBand: 'push',
    replayCounter: false,
    retryableChallenge: false,
  } as const;
  answer: PushAnswer = 'wait';
  capped = false;

  override async beginChallenge(): Promise<Begun<ChallengePrompt>> {
    if (this.capped) {
      throw new FactorkitError('PUSH_RATE_LIMITED', 'Too many push requests.', {
        details: { retryAfter: 60 },
      });
    }
    return { prompt: { kind: 'push-wait', pollIntervalMs: 1000 }, pending: { sent: true } };
  }

  override async verify(): Promise<VerifyOutcome> {
    switch (this.answer) {
      case 'allow':
        return { ok: true, method: 'push' };
      case 'deny':
        return { ok: false, reason: 'DENIED', detail: 'denied on the phone' };
      case 'ignore':
        return { ok: false, reason: 'EXPIRED', detail: 'push timed out' };
      default:
        return { ok: false, reason: 'WAITING' };
    }
  }
}
