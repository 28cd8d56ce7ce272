import { ClockCodeProvider } from './clock-code-provider.js';
import { createHarness, type Harness, type HarnessOptions } from '../../src/testing/index.js';
import type { TwoFactorUser } from '../../src/index.js';
import { codeAt } from './clock-code-provider.js';

export interface ClockHarness extends Harness {
  provider: ClockCodeProvider;
  /** The code valid now. */
  code(): string;
  /** Enrolls a user with the current code and moves the clock one step on. */
  enroll(user: TwoFactorUser): Promise<string[]>;
}

export function clockHarness(options: Partial<HarnessOptions> = {}): ClockHarness {
  const h = createHarness({ providers: [ClockCodeProvider], ...options });
  const provider = h.registry.get('clock-code') as ClockCodeProvider;
  const code = () => codeAt(h.clock.now());
  return {
    ...h,
    provider,
    code,
    async enroll(user) {
      const a = await h.service.beginActivation(user, 'clock-code');
      const done = await h.service.completeActivation(a.activationId, user, code());
      if (done.ok !== true) throw new Error('enrollment did not complete');
      h.clock.advance(30_000);
      return [...(done.recoveryCodes ?? [])];
    },
  };
}
