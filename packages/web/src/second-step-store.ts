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
  /**
   * Epoch ms of the second factor (0 when none was proved now: a fail-open grant, or a sign-in
   * on a remembered device).
   */
  readonly at: number;
  /** The remembered device that stood in for the second factor (method `remembered-device`). */
  readonly deviceId?: string;
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
export type SecondStepState = (
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
    }
) & {
  /**
   * Set by the store on every read: which write this state came from. A save names it, so a
   * state read before another request's save cannot overwrite that save (FL-15).
   */
  readonly revision?: number;
};

/**
 * Where second-step states live, keyed by the host's session id. A shared implementation
 * (Redis, SQL) lets several instances serve one login; the memory one serves a single process.
 */
export interface SecondStepStore {
  get(sessionId: string): Promise<SecondStepState | undefined>;
  /** Writes the state with a new revision, whatever was there; it disappears after `ttlMs`. */
  put(sessionId: string, state: SecondStepState, ttlMs: number): Promise<void>;
  /**
   * Compare-and-set: only while the stored state still has revision `expected`, writes `next`
   * with a new revision (expiring after `ttlMs`), or removes the entry when `next` is null.
   * False, and nothing changed, when another write or an expiry came first (FL-15).
   */
  replace(
    sessionId: string,
    expected: number,
    next: SecondStepState | null,
    ttlMs: number,
  ): Promise<boolean>;
  delete(sessionId: string): Promise<void>;
}

/** The state as a store keeps it: its revision lives beside it, not inside it. */
export function withoutRevision(state: SecondStepState): SecondStepState {
  const { revision: _revision, ...rest } = state;
  return rest;
}

const SWEEP_EVERY = 256;

/** One process's second-step states, in a Map with expiry. */
export class MemorySecondStepStore implements SecondStepStore {
  private readonly states = new Map<
    string,
    { state: SecondStepState; revision: number; expiresAt: number }
  >();
  private puts = 0;
  // One counter for every key: a state removed and written again never reuses a revision.
  private revisions = 0;

  constructor(private readonly now: () => number = Date.now) {}

  async get(sessionId: string): Promise<SecondStepState | undefined> {
    const entry = this.states.get(sessionId);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.states.delete(sessionId);
      return undefined;
    }
    return { ...entry.state, revision: entry.revision };
  }

  async put(sessionId: string, state: SecondStepState, ttlMs: number): Promise<void> {
    this.write(sessionId, state, ttlMs);
  }

  async replace(
    sessionId: string,
    expected: number,
    next: SecondStepState | null,
    ttlMs: number,
  ): Promise<boolean> {
    // No await between the check and the write: in one process that is the atomic step.
    const entry = this.states.get(sessionId);
    if (entry === undefined || entry.expiresAt <= this.now() || entry.revision !== expected)
      return false;
    if (next === null) this.states.delete(sessionId);
    else this.write(sessionId, next, ttlMs);
    return true;
  }

  private write(sessionId: string, state: SecondStepState, ttlMs: number): void {
    const entry = { state: withoutRevision(state), revision: ++this.revisions };
    this.states.set(sessionId, { ...entry, expiresAt: this.now() + ttlMs });
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
