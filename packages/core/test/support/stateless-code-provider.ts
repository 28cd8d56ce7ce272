import {
  Clock,
  Provider,
  type Begun,
  type ChallengePrompt,
  type ProviderCapabilities,
} from '../../src/index.js';
import { ClockCodeProvider } from './clock-code-provider.js';

/** A code provider that declares `statelessChallenge`, as TOTP does; `challengeState` misbehaves. */
@Provider({ inject: [Clock] })
export class StatelessCodeProvider extends ClockCodeProvider {
  override readonly id: string = 'stateless-code';
  override readonly displayName: string = 'Stateless code';
  override readonly capabilities: ProviderCapabilities = {
    interactive: true,
    outOfBand: 'none',
    replayCounter: true,
    retryableChallenge: true,
    statelessChallenge: true,
  } as const;
  /** When set, `beginChallenge` returns this as its state despite the declaration. */
  challengeState: { nonce: string } | null = null;

  override async beginChallenge(
    ...args: Parameters<ClockCodeProvider['beginChallenge']>
  ): Promise<Begun<ChallengePrompt>> {
    const begun = await super.beginChallenge(...args);
    return { ...begun, pending: this.challengeState };
  }
}
