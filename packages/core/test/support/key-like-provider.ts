import { Provider, type ProviderCapabilities } from '../../src/index.js';
import { ClockCodeProvider } from './clock-code-provider.js';

/**
 * A test provider that claims what a hardware security key proves (phishing-resistant,
 * hardware-bound, AAL3), with the clock provider's code maths: assurance policy is about claims,
 * so a test needs only a provider making them.
 */
@Provider()
export class KeyLikeProvider extends ClockCodeProvider {
  override readonly id: string = 'key-like';
  override readonly displayName: string = 'Security key (test)';
  override readonly capabilities: ProviderCapabilities = {
    interactive: true,
    outOfBand: 'none',
    replayCounter: true,
    retryableChallenge: true,
    assurance: { phishingResistant: true, hardwareBound: true, aal: 3 },
    amr: ['hwk', 'user'],
  };
}
