import type {
  ActivationPrompt,
  ChallengePrompt,
  ProviderClass,
  TwoFactorProvider,
  TwoFactorUser,
} from '../../provider/contract.js';
import type { ProviderFactory } from '../../provider/factory.js';
import type { FakeClock } from '../fake-clock.js';
import type { HarnessOptions } from '../harness.js';

/** The few test-runner functions the suites need; vitest, jest and node:test all fit. */
export interface TestApi {
  describe(name: string, fn: () => void): void;
  it(name: string, fn: () => Promise<void> | void): void;
}

export interface Check {
  readonly name: string;
  run(): Promise<void>;
}

export interface AnswerArgs<P> {
  readonly prompt: P;
  readonly clock: FakeClock;
  readonly user: TwoFactorUser;
  /** The prompt shown at activation (e.g. to read the secret an authenticator app would hold). */
  readonly activationPrompt: ActivationPrompt;
}

export interface ConformanceOptions {
  /**
   * The provider under test: a class (constructed with core services injected), a
   * `defineProvider` factory, or a function returning a fresh instance. Each check builds its
   * own harness and so its own provider.
   */
  provider: ProviderClass | ProviderFactory | (() => TwoFactorProvider);
  /** Plain settings for the deployment config. */
  settings?: Record<string, unknown>;
  /**
   * The right answer to an activation prompt. The kit keeps what this returns and submits that
   * same value again where it checks replay, so an out-of-band answer (a Duo callback) is
   * replayed as is, never asked for twice.
   */
  answerActivation(args: Omit<AnswerArgs<ActivationPrompt>, 'activationPrompt'>): unknown;
  /**
   * The right answer to a challenge prompt, for the time `args.clock` reads (the kit may pass
   * a clock set one step back, to ask for the previous step's code).
   */
  answerChallenge(args: AnswerArgs<ChallengePrompt>): unknown;
  /** A well-formed answer that is wrong. */
  wrongAnswer(args: AnswerArgs<ActivationPrompt | ChallengePrompt>): unknown;
  /**
   * How far to move the clock for the next code to be a new one (TOTP: one period). Leave it
   * out (or 0) for a provider whose answers do not follow the clock.
   */
  stepMs?: number;
  /**
   * Each answer is signed over its challenge (WebAuthn), so the provider itself refuses it on any
   * other challenge, before core's counter is asked: a replay then may end in any typed refusal,
   * not only CODE_ALREADY_USED. The replay must still be refused.
   */
  answersBoundToChallenge?: boolean;
  /** Extra harness options (policy, constants, http). */
  harness?: Partial<HarnessOptions>;
}

/** The IN-01 table (docs/SECURITY.md): inputs that must never be accepted or crash. */
export const MALFORMED_INPUTS: readonly unknown[] = [
  undefined,
  null,
  '',
  ' ',
  123456,
  true,
  ['123456'],
  { $ne: '' },
  '１２３４５６',
  '١٢٣٤٥٦',
  '+123456',
  '1e5',
  '0x1E240',
  '12345\u0000',
  'x'.repeat(65536),
];
