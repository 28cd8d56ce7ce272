import assert from 'node:assert/strict';
import { FactorkitError, InvalidArgumentError } from '../../errors.js';
import type {
  ActivationPrompt,
  ChallengePrompt,
  ProviderCapabilities,
  ProviderClass,
  TwoFactorProvider,
  TwoFactorUser,
} from '../../provider/contract.js';
import { defineProvider, isProviderFactory } from '../../provider/factory.js';
import { ProviderRegistry, type ProviderSource } from '../../provider/registry.js';
import type { SecondFactorSuccess } from '../../service/two-factor-service.js';
import type { FakeClock } from '../fake-clock.js';
import { createHarness, type Harness, type HarnessOptions } from '../harness.js';
import type { AnswerArgs, ConformanceOptions } from './types.js';

/** Typed refusals a wrong (or replayed) answer may get; never a success, never a crash. */
export const ALLOWED_FAILURES: readonly string[] = [
  'INVALID_FORMAT',
  'INVALID_CODE',
  'PROVIDER_DENIED',
];

/** A throttle generous enough that a check's deliberate failures never lock the user. */
export const LENIENT_THROTTLE = {
  throttle: { maxFailures: 100, freeFailures: 100, permanentLockAfter: 100 },
};

export function isSuccess(r: unknown): r is SecondFactorSuccess {
  return typeof r === 'object' && r !== null && (r as { ok?: unknown }).ok === true;
}

const shown = (v: unknown): string => JSON.stringify(v)?.slice(0, 200) ?? String(v);

/** Awaits a step that must be refused with one of `codes`; returns the typed error. */
export async function rejects(
  promise: Promise<unknown>,
  codes: Iterable<string>,
  what: string,
): Promise<FactorkitError> {
  const allowed = new Set(codes);
  let result: unknown;
  try {
    result = await promise;
  } catch (err) {
    assert.ok(
      err instanceof FactorkitError,
      `${what}: expected a typed FactorkitError, got ${String(err)}`,
    );
    assert.ok(
      allowed.has(err.code),
      `${what}: expected one of ${[...allowed].join(', ')}, got ${err.code}`,
    );
    return err;
  }
  assert.fail(`${what}: expected a rejection, got ${shown(result)}`);
}

/** One sign-in attempt: an open challenge and helpers to answer it. */
export interface Attempt {
  readonly user: TwoFactorUser;
  readonly challenge: Awaited<ReturnType<Harness['service']['beginChallenge']>>;
  /** The right answer, for the time `clock` reads (the harness clock unless given). */
  right(clock?: FakeClock): Promise<unknown>;
  wrong(): Promise<unknown>;
  complete(input: unknown): Promise<unknown>;
}

export interface Session extends Attempt {
  /** The answer that confirmed activation. */
  readonly activationAnswer: unknown;
  /** Opens a new challenge for the same user. */
  again(): Promise<Attempt>;
}

/** What every check builds on: the provider's id and declared capabilities, and fresh harnesses. */
export interface Rig {
  readonly options: ConformanceOptions;
  readonly providerId: string;
  readonly declared: ProviderCapabilities;
  readonly hasHealthCheck: boolean;
  /** Clock move for the next code to be a new one; 0 when answers do not follow the clock. */
  readonly stepMs: number;
  /**
   * A harness of its own. `wrap` may stand in for the provider instance (to watch its hooks):
   * it receives the instance built with the harness's services.
   */
  make(
    extra?: Partial<HarnessOptions>,
    wrap?: (p: TwoFactorProvider) => TwoFactorProvider,
  ): { h: Harness; provider: TwoFactorProvider };
  enroll(h: Harness, user: TwoFactorUser): Promise<{ answer: unknown; prompt: ActivationPrompt }>;
  /** Enrolls `user`, moves the clock one step, and opens a challenge. */
  signIn(h: Harness, user: TwoFactorUser): Promise<Session>;
}

function checkOptions(options: ConformanceOptions): void {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidArgumentError('conformance kit: pass an options object.');
  }
  const p: unknown = options.provider;
  if (typeof p !== 'function' && !isProviderFactory(p)) {
    throw new InvalidArgumentError(
      `conformance kit: options.provider is ${p === null ? 'null' : typeof p}; pass the provider class, a defineProvider factory, or a function returning an instance.`,
    );
  }
  for (const helper of ['answerActivation', 'answerChallenge', 'wrongAnswer'] as const) {
    if (typeof options[helper] !== 'function') {
      throw new InvalidArgumentError(`conformance kit: options.${helper} must be a function.`);
    }
  }
  const step = options.stepMs;
  if (step !== undefined && !(Number.isSafeInteger(step) && step >= 0)) {
    throw new InvalidArgumentError('conformance kit: options.stepMs must be a whole number >= 0.');
  }
}

/** What to hand a registry for one harness: the class or factory as is, or a fresh instance. */
function sourceOf(options: ConformanceOptions): () => ProviderSource {
  const p = options.provider;
  if (isProviderFactory(p)) return () => p;
  if (/^class[\s{]/.test(Function.prototype.toString.call(p))) return () => p as ProviderClass;
  return () => {
    const made: unknown = (p as () => TwoFactorProvider)();
    if (typeof made !== 'object' || made === null) {
      throw new InvalidArgumentError(
        `conformance kit: options.provider returned ${made === null ? 'null' : typeof made}, not a provider instance.`,
      );
    }
    return made as TwoFactorProvider;
  };
}

export function createRig(options: ConformanceOptions): Rig {
  checkOptions(options);
  const source = sourceOf(options);
  const stepMs = options.stepMs ?? 0;
  // Learn the provider once (a class must be constructed to read its id). A provider that
  // cannot be registered fails here, loudly, before any check is handed out.
  const probe = new ProviderRegistry().register(source());
  const providerId = probe.ids()[0]!;
  const instance = probe.get(providerId);

  const make: Rig['make'] = (extra = {}, wrap) => {
    const entry = wrap
      ? defineProvider((services) =>
          wrap(new ProviderRegistry(services).register(source()).get(providerId)),
        )
      : source();
    const h = createHarness({
      ...options.harness,
      ...extra,
      providers: [entry],
      settings: { ...(options.harness?.settings ?? {}), [providerId]: options.settings ?? {} },
    });
    return { h, provider: h.registry.get(providerId) };
  };

  const enroll: Rig['enroll'] = async (h, user) => {
    const started = await h.service.beginActivation(user, providerId);
    const answer = await options.answerActivation({ prompt: started.prompt, clock: h.clock, user });
    const done = await h.service.completeActivation(started.activationId, user, answer);
    assert.ok(done.ok === true, 'activation with the right answer must complete');
    return { answer, prompt: started.prompt };
  };

  const signIn: Rig['signIn'] = async (h, user) => {
    const act = await enroll(h, user);
    h.clock.advance(stepMs);
    const open = async (): Promise<Attempt> => {
      const challenge = await h.service.beginChallenge(user);
      const args = (clock: FakeClock): AnswerArgs<ChallengePrompt> => ({
        prompt: challenge.prompt,
        clock,
        user,
        activationPrompt: act.prompt,
      });
      return {
        user,
        challenge,
        right: async (clock = h.clock) => options.answerChallenge(args(clock)),
        wrong: async () => options.wrongAnswer(args(h.clock)),
        complete: (input) => h.service.completeChallenge(challenge.challengeId, user, input),
      };
    };
    return { ...(await open()), activationAnswer: act.answer, again: open };
  };

  // Settings are validated now too: a bad settings object fails here, not in every check.
  make();
  return {
    options,
    providerId,
    declared: { ...instance.capabilities },
    hasHealthCheck: typeof instance.healthCheck === 'function',
    stepMs,
    make,
    enroll,
    signIn,
  };
}
