import type { ActivationPrompt, AmrValue, FactorAssurance, TwoFactorUser } from '@factorkit/core';
import type { PageState } from './pages/options.js';

/** What the host learns when the second factor passes (from core's `SecondFactorSuccess`). */
export interface SecondStepOutcome {
  readonly ok: true;
  readonly userId: string;
  readonly providerId: string;
  readonly method: string;
  readonly assurance: FactorAssurance;
  readonly amr: readonly AmrValue[];
  /** Epoch ms of the second factor (0 when none was proved, e.g. a fail-open grant). */
  readonly at: number;
}

/** The challenge a pending session is answering; its id never leaves the server. */
export interface PendingChallenge {
  readonly id: string;
  readonly providerId: string;
  readonly enrollmentId: string;
  readonly expiresAt: number;
}

/** The enrollment a session is setting up: the same QR code is shown until it is confirmed. */
export interface PendingActivation {
  readonly id: string;
  readonly providerId: string;
  readonly prompt: ActivationPrompt;
  readonly expiresAt: number;
}

/**
 * The server-side state of one host session: "password OK, second factor pending for this user"
 * or "fully authenticated". The user comes only from here, never from the request (FL-04, FL-05).
 */
export type SecondStepState =
  | {
      readonly phase: 'pending';
      readonly user: TwoFactorUser;
      /** The `csrf` package's secret for this session's tokens. */
      readonly csrfSecret: string;
      readonly challenge?: PendingChallenge;
      readonly activation?: PendingActivation;
      /** The server-rendered pages' one-shot messages and prompt (`pages` option). */
      readonly page?: PageState;
    }
  | {
      readonly phase: 'authenticated';
      readonly user: TwoFactorUser;
      readonly csrfSecret: string;
      /** Null when no second factor was needed (`skip`) or policy let the user in (`grace`). */
      readonly outcome: SecondStepOutcome | null;
      readonly activation?: PendingActivation;
      /** The step-up challenge this signed-in session is answering (`POST /step-up`). */
      readonly stepUp?: PendingChallenge;
      /**
       * Epoch ms of the last step-up (the `at` of its success). Core judges it with
       * `isRecentSecondFactor`; until the first step-up, the sign-in's `outcome.at` counts.
       */
      readonly stepUpAt?: number;
      /** The server-rendered pages' one-shot messages and prompt (`pages` option). */
      readonly page?: PageState;
    };

/**
 * Where second-step states live, keyed by the host's session id. A shared implementation
 * (Redis, SQL) lets several instances serve one login; the memory one serves a single process.
 */
export interface SecondStepStore {
  get(sessionId: string): Promise<SecondStepState | undefined>;
  /** Writes the state; it disappears after `ttlMs`. */
  put(sessionId: string, state: SecondStepState, ttlMs: number): Promise<void>;
  delete(sessionId: string): Promise<void>;
}

const SWEEP_EVERY = 256;

/** One process's second-step states, in a Map with expiry. */
export class MemorySecondStepStore implements SecondStepStore {
  private readonly states = new Map<string, { state: SecondStepState; expiresAt: number }>();
  private puts = 0;

  constructor(private readonly now: () => number = Date.now) {}

  async get(sessionId: string): Promise<SecondStepState | undefined> {
    const entry = this.states.get(sessionId);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.states.delete(sessionId);
      return undefined;
    }
    return entry.state;
  }

  async put(sessionId: string, state: SecondStepState, ttlMs: number): Promise<void> {
    this.states.set(sessionId, { state, expiresAt: this.now() + ttlMs });
    // Abandoned logins are never read again: drop expired states now and then.
    if (++this.puts % SWEEP_EVERY === 0) this.sweep();
  }

  /** Removes every expired state. */
  sweep(): void {
    const now = this.now();
    for (const [id, entry] of this.states) if (entry.expiresAt <= now) this.states.delete(id);
  }

  async delete(sessionId: string): Promise<void> {
    this.states.delete(sessionId);
  }

  /** How many states are held (expired ones included until read). */
  get size(): number {
    return this.states.size;
  }
}
