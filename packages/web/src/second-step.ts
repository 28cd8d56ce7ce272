import Tokens from 'csrf';
import {
  InvalidArgumentError,
  type Requirement,
  type RequestInfo,
  type SecondFactorSuccess,
  type TwoFactorService,
  type TwoFactorUser,
} from '@factorkit/core';
import {
  MemorySecondStepStore,
  type SecondStepOutcome,
  type SecondStepState,
  type SecondStepStore,
} from './second-step-store.js';
import { WebError } from './errors.js';
import { ReadDigests } from './flash-only-change.js';
import { lastSecondFactorAt } from './signed-in.js';

/**
 * The host's session as this package needs it. The host implements it over its own session
 * machinery (see `expressSession` in `@factorkit/web/express`).
 */
export interface HostSession {
  /** The current server-side session id. */
  readonly id: string;
  /**
   * Gives the session a new id and ends the old one, keeping the host's session data (session
   * fixation, RP-06). Afterwards `id` is the new id.
   */
  rotateId(): Promise<void>;
}

export interface SecondStepOptions {
  readonly service: TwoFactorService;
  /** @default a new MemorySecondStepStore (one process only) */
  readonly store?: SecondStepStore;
  /** How long a pending second step lives (1..3600 s). @default 900 */
  readonly pendingSeconds?: number;
  /** How long a fully authenticated mark lives (60..2592000 s). @default 43200 (12 h) */
  readonly authenticatedSeconds?: number;
  /** Epoch ms; pass core's clock when it is not the system clock. @default Date.now */
  readonly now?: () => number;
}

/** What `beginSecondStep` takes beside the user. */
export interface BeginSecondStepOptions {
  /** The remembered-device token from the browser's cookie, if it sent one (FL-09). */
  readonly deviceToken?: string;
}

/** What `beginSecondStep` tells the host after the password. */
export interface SecondStepStarted {
  readonly requirement: Requirement;
  /** True when no second factor is needed now (`skip`, `grace`): the session is signed in. */
  readonly authenticated: boolean;
  /**
   * Set when a remembered device let the user in without a second factor now: method
   * `remembered-device`, an empty `amr`, `at` 0 (it proves no recent factor, so a step-up is
   * still asked before sensitive actions, FL-08).
   */
  readonly outcome?: SecondStepOutcome;
}

/** The outcome of a sign-in that a remembered device let skip the second factor. */
function rememberedOutcome(user: TwoFactorUser, deviceId: string): SecondStepOutcome {
  return {
    ok: true,
    userId: user.id,
    providerId: REMEMBERED_DEVICE,
    method: REMEMBERED_DEVICE,
    // A bearer cookie, no authenticator: the password alone is what was proved now.
    assurance: { phishingResistant: false, hardwareBound: false, aal: 1 },
    amr: [],
    at: 0,
    deviceId,
  };
}

/** The `method` (and `providerId`) of a sign-in on a remembered device. */
export const REMEMBERED_DEVICE = 'remembered-device';

function seconds(
  name: string,
  value: number | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min || value > max)
    throw new InvalidArgumentError(
      `${name} must be a whole number of seconds from ${min} to ${max}; got ${String(value)}.`,
    );
  return value;
}

function readRevision(state: SecondStepState): number {
  if (state.revision === undefined)
    throw new InvalidArgumentError('A second-step state is saved only as changed from one read.');
  return state.revision;
}

function stateChanged(): WebError {
  return new WebError(
    409,
    'STATE_CHANGED',
    'Another request changed this sign-in at the same time. Reload and try again.',
  );
}

/**
 * The second step of a host's login, kept server-side and bound to the host's session id:
 * "password OK, second factor pending for this user", then "fully authenticated".
 */
export class SecondStep {
  readonly service: TwoFactorService;
  readonly now: () => number;
  private readonly store: SecondStepStore;
  private readonly pendingMs: number;
  private readonly authenticatedMs: number;
  private readonly tokens = new Tokens();
  private readonly reads = new ReadDigests();

  constructor(options: SecondStepOptions) {
    this.service = options.service;
    this.now = options.now ?? Date.now;
    this.store = options.store ?? new MemorySecondStepStore(this.now);
    this.pendingMs = seconds('pendingSeconds', options.pendingSeconds, 900, 1, 3600) * 1000;
    this.authenticatedMs =
      seconds('authenticatedSeconds', options.authenticatedSeconds, 43_200, 60, 2_592_000) * 1000;
  }

  /**
   * Call after the password succeeded. Rotates the session id, then records the pending step
   * under the new id (or, when no second factor is needed, the signed-in mark).
   */
  async beginSecondStep(
    session: HostSession,
    user: TwoFactorUser,
    request?: RequestInfo,
    options: BeginSecondStepOptions = {},
  ): Promise<SecondStepStarted> {
    const deviceToken = options.deviceToken;
    const requirement = await this.service.requirement(
      user,
      deviceToken === undefined ? undefined : { deviceToken },
      request,
    );
    await this.store.delete(session.id);
    await session.rotateId();
    const csrfSecret = this.tokens.secretSync();
    const authenticated = requirement.action === 'skip' || requirement.action === 'grace';
    // Only core's answer decides that a device stands in for the factor (FL-09).
    const outcome =
      requirement.action === 'skip' && requirement.reason === 'trusted-device'
        ? rememberedOutcome(user, requirement.deviceId)
        : undefined;
    if (authenticated)
      await this.store.put(
        session.id,
        { phase: 'authenticated', user, csrfSecret, outcome: outcome ?? null },
        this.authenticatedMs,
      );
    else await this.store.put(session.id, { phase: 'pending', user, csrfSecret }, this.pendingMs);
    return { requirement, authenticated, ...(outcome === undefined ? {} : { outcome }) };
  }

  /** True only once the second step is done (or was not needed) for this very session id. */
  async isFullyAuthenticated(session: HostSession): Promise<boolean> {
    return (await this.store.get(session.id))?.phase === 'authenticated';
  }

  /**
   * The user this session id is signed in as (password and second step), or null. A host should
   * take the signed-in user from here rather than from its own session field: its own field may
   * still hold an earlier user for a moment after a login on the same session.
   */
  async signedInUser(session: HostSession): Promise<TwoFactorUser | null> {
    const state = await this.store.get(session.id);
    return state?.phase === 'authenticated' ? state.user : null;
  }

  /** The user whose password this session id passed: pending or signed in; null otherwise. */
  async passwordUser(session: HostSession): Promise<TwoFactorUser | null> {
    return (await this.store.get(session.id))?.user ?? null;
  }

  /** The second factor this session passed, or null (none needed, pending, or unknown). */
  async outcome(session: HostSession): Promise<SecondStepOutcome | null> {
    const state = await this.store.get(session.id);
    return state?.phase === 'authenticated' ? state.outcome : null;
  }

  /**
   * When this session last proved a second factor (epoch ms): its last step-up, else its
   * sign-in; undefined when it never did. What a host passes to core's `isRecentSecondFactor`
   * or `requireRecentSecondFactor` for its own sensitive actions, so that a step-up made on the
   * account pages counts there too (`outcome().at` alone would stay the sign-in's time).
   */
  async lastSecondFactorAt(session: HostSession): Promise<number | undefined> {
    const state = await this.store.get(session.id);
    return state?.phase === 'authenticated' ? lastSecondFactorAt(state) : undefined;
  }

  /** Logout: forgets the session's state. */
  async endSecondStep(session: HostSession): Promise<void> {
    await this.store.delete(session.id);
  }

  /** @internal The state of a session, for the routes. */
  async state(session: HostSession): Promise<SecondStepState | undefined> {
    const state = await this.store.get(session.id);
    if (state !== undefined) this.reads.remember(session.id, state);
    return state;
  }

  /**
   * @internal Saves a state changed from the one read (its `revision`) under the session's
   * current id; refused with `STATE_CHANGED` when another request saved first (FL-15).
   */
  async save(session: HostSession, state: SecondStepState): Promise<void> {
    const ttl = state.phase === 'pending' ? this.pendingMs : this.authenticatedMs;
    if (!(await this.replaceFrom(session.id, readRevision(state), state, ttl)))
      throw stateChanged();
  }

  /**
   * Compare-and-set of `next` on revision `expected`, retried once when the only write since that
   * read changed the flash message (a page view racing this request): what this request acted on
   * is unchanged. Any other change, or a second lost race, is refused (FL-15).
   */
  private async replaceFrom(
    sessionId: string,
    expected: number,
    next: SecondStepState | null,
    ttlMs: number,
  ): Promise<boolean> {
    if (await this.store.replace(sessionId, expected, next, ttlMs)) return true;
    const now = await this.store.get(sessionId);
    if (now === undefined) return false;
    const retry = this.reads.retryable(sessionId, expected, next, now);
    if (retry === undefined) return false;
    return this.store.replace(sessionId, readRevision(now), retry.next, ttlMs);
  }

  /** @internal A CSRF token for the state's secret. */
  csrfToken(state: SecondStepState): string {
    return this.tokens.create(state.csrfSecret);
  }

  /** @internal Whether a token was issued for this state's secret. */
  csrfValid(state: SecondStepState, token: string | null): boolean {
    return token !== null && token !== '' && this.tokens.verify(state.csrfSecret, token);
  }

  /**
   * @internal The second factor passed: the old id's state goes first (so a copy of the old
   * cookie holds nothing), the id is rotated, and the signed-in mark is written under the new id
   * with a new CSRF secret.
   */
  async complete(
    session: HostSession,
    state: SecondStepState,
    success: SecondFactorSuccess,
  ): Promise<{ outcome: SecondStepOutcome; state: SecondStepState }> {
    const outcome: SecondStepOutcome = {
      ok: true,
      userId: success.userId,
      providerId: success.providerId,
      method: success.method,
      assurance: success.assurance,
      amr: [...success.amr],
      at: success.at,
    };
    // Only the request holding the latest state may turn it into a sign-in (FL-15).
    if (!(await this.replaceFrom(session.id, readRevision(state), null, 0))) throw stateChanged();
    await session.rotateId();
    const next: SecondStepState = {
      phase: 'authenticated',
      user: state.user,
      csrfSecret: this.tokens.secretSync(),
      outcome,
    };
    await this.store.put(session.id, next, this.authenticatedMs);
    return { outcome, state: next };
  }
}
