/**
 * The provider contract. A provider owns only its protocol: its config schema, how to begin and
 * finish activation, how to begin a challenge and verify the answer. Everything that decides a
 * security outcome (pending state, throttling, replay, recovery codes, encryption, policy, audit)
 * belongs to core, so a provider cannot get it wrong.
 *
 * Hooks return data (prompts), never HTML. Everything a hook returns as `pending` or `enrollment`
 * must be JSON-serialisable: core encrypts it and keeps it in a store shared by every instance.
 */
import type { AmrValue, FactorAssurance } from './assurance.js';
import type { ActivationPrompt, ChallengePrompt } from './prompts.js';

export * from './assurance.js';
export * from './prompts.js';

export type JsonValue =
  string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** The user as the host knows them after the first factor. */
export interface TwoFactorUser {
  /** Immutable internal id: the key for throttling, replay, enrollments and recovery codes. */
  readonly id: string;
  /** Audience such as `client` or `admin` (or one the host defines in its policy). */
  readonly audience: string;
  /** Login name, used by providers that address a remote account (Duo) and in QR labels. */
  readonly username: string;
  readonly email?: string;
  readonly displayName?: string;
  /** Extra host attributes that username templates may use. */
  readonly attributes?: Readonly<Record<string, string>>;
}

export interface ProviderCapabilities {
  /** The user types or submits something on the host's page. */
  readonly interactive: boolean;
  /** How the factor is answered outside the page: not at all, by redirect (Duo), by push. */
  readonly outOfBand: 'none' | 'redirect' | 'push';
  /** `verify` reports a monotonic counter (the TOTP time step) that core uses against replay. */
  readonly replayCounter: boolean;
  /** A wrong answer may be retried on the same challenge (code entry); redirects are one-shot. */
  readonly retryableChallenge: boolean;
  /**
   * What the factor proves, for assurance policy (`requirePhishingResistant`,
   * `requireHardwareBound`, `minAal`). Absent: not phishing-resistant, not hardware-bound, AAL2.
   * Claim only what holds for every user and every method of the provider.
   */
  readonly assurance?: FactorAssurance;
  /**
   * The RFC 8176 `amr` values of a success, unless `VerifySuccess.amr` says otherwise for one
   * method (Duo: `mca` for a push, `sms` for a text message). Absent: `['mfa']`.
   */
  readonly amr?: readonly AmrValue[];
  /**
   * A user may hold several enrollments of this provider (two authenticator apps), each verified
   * on its own. Absent means false: one enrollment per user, as before this capability existed.
   * Declare it only when enrollments are independent secrets; a provider whose enrollment names
   * one remote account (Duo) must not.
   */
  readonly multipleEnrollments?: boolean;
  /**
   * With `replayCounter`: the counter is the authenticator's own, signed together with a fresh
   * single-use challenge (a WebAuthn signature counter), so a success whose counter does not move
   * forward is not a resubmitted code but a copied authenticator, or one that lost its state.
   * Core then refuses it as before (`CODE_ALREADY_USED`), audits `clone.suspected` with the
   * enrollment instead of `replay.rejected`, and tells the user (`possible-cloned-key`).
   * Declare it only when the provider reports a counter after the signature has verified.
   */
  readonly counterRegressionMeansClone?: boolean;
  /**
   * A sign-in challenge of this provider never has state: `beginChallenge` always returns
   * `pending: null` and `verify` never needs one (a TOTP code is checked against the enrollment
   * alone). Core then stores such a step without an AES-GCM envelope, because there is nothing
   * to hide or to protect in it, and refuses, as a provider error, any challenge state the
   * provider returns after all (so no stored step of it can ever have held state that an altered
   * row could drop). Only with `outOfBand: 'none'`. Absent means false: every step is sealed.
   */
  readonly statelessChallenge?: boolean;
}

/**
 * Why a verification failed. Core maps each to a typed error and decides whether it counts
 * against the user's failure budget:
 * - counted: INVALID_FORMAT, INVALID_CODE, DENIED, STATE_MISMATCH, USERNAME_MISMATCH, ERROR;
 * - not counted: UNAVAILABLE (an outage is not a guess), EXPIRED, PUSH_RATE_LIMITED, and
 *   SERVICE_FAULT: the remote service refused or garbled our own request in a way no user input
 *   causes (its signature does not verify, it does not know our client id). Not an outage either:
 *   it never fails open. Use ERROR, which is counted, whenever the user's input could be the cause.
 */
export type VerifyFailureReason =
  | 'INVALID_FORMAT'
  | 'INVALID_CODE'
  | 'DENIED'
  | 'EXPIRED'
  | 'STATE_MISMATCH'
  | 'USERNAME_MISMATCH'
  | 'UNAVAILABLE'
  | 'PUSH_RATE_LIMITED'
  | 'SERVICE_FAULT'
  | 'ERROR';

export const VERIFY_FAILURE_REASONS: readonly VerifyFailureReason[] = [
  'INVALID_FORMAT',
  'INVALID_CODE',
  'DENIED',
  'EXPIRED',
  'STATE_MISMATCH',
  'USERNAME_MISMATCH',
  'UNAVAILABLE',
  'PUSH_RATE_LIMITED',
  'SERVICE_FAULT',
  'ERROR',
];

export interface VerifySuccess {
  readonly ok: true;
  /** Monotonic counter (e.g. the TOTP time step). Required when `capabilities.replayCounter`. */
  readonly counter?: number;
  /**
   * With `capabilities.replayCounter`, instead of `counter`: this authenticator keeps no counter
   * (a WebAuthn key whose signature counter is always 0), so the single-use challenge is the only
   * replay defence. Core records the use without a compare-and-set, and refuses the success as a
   * replay when the enrollment ever accepted a counter above 0 (a drop to 0 is a regression).
   */
  readonly counterless?: true;
  /** The method used, for audit (e.g. `push`, `passcode`). */
  readonly method?: string;
  /** The RFC 8176 `amr` values of this method, when they differ from `capabilities.amr`. */
  readonly amr?: readonly AmrValue[];
  /**
   * Less than `capabilities.assurance` for this one success (a Duo bypass proves no factor:
   * AAL1; a synced passkey is not hardware-bound). Core keeps the lower of the two claims, and
   * refuses a success that falls short of the audience's policy. It can never raise a claim.
   */
  readonly assurance?: FactorAssurance;
}

export interface VerifyFailure {
  readonly ok: false;
  readonly reason: VerifyFailureReason;
  /** Plain-text detail for logs; never shown to end users, never a secret. */
  readonly detail?: string;
  /**
   * Whether this wrong answer (INVALID_CODE / INVALID_FORMAT) may be retried on the same
   * challenge; defaults to `capabilities.retryableChallenge`. For a provider whose steps differ
   * (a Duo redirect is one-shot, a Duo passcode is not). Every retry still counts against the
   * user's budget and the per-challenge attempt limit.
   */
  readonly retry?: boolean;
}

/** Out-of-band answer not there yet: core keeps the challenge (with `pending` if given). */
export interface VerifyWaiting {
  readonly ok: false;
  readonly reason: 'WAITING';
  readonly pending?: JsonValue;
}

export type VerifyOutcome = VerifySuccess | VerifyFailure | VerifyWaiting;

export interface ActivationSuccess<Enrollment extends JsonValue = JsonValue> {
  readonly ok: true;
  readonly enrollment: Enrollment;
  /** Counter of the code that confirmed activation: core seeds replay protection with it. */
  readonly counter?: number;
  /** Instead of `counter`: the authenticator keeps none (see `VerifySuccess.counterless`). */
  readonly counterless?: true;
  /** A short non-secret label shown in the user's factor list (e.g. "Authenticator app"). */
  readonly label?: string;
  /**
   * What names the bound authenticator among all users of this provider, when one authenticator
   * must never back two enrollments (a WebAuthn credential id: SECURITY.md WA-12). `key` is
   * public and stored in the clear (send a digest, not the raw identifier); core refuses the
   * activation when another enrollment of the provider, the user's own or anyone's, holds it,
   * with `ALREADY_ENROLLED` and `details.reason` set to `takenReason`. The store decides it
   * atomically, so parallel registrations on several instances leave exactly one.
   */
  readonly lookupKey?: LookupKey;
}

/** See `ActivationSuccess.lookupKey`. */
export interface LookupKey {
  /** 1 to 128 characters of `A-Z a-z 0-9 - _ . :` (a base64url digest fits). */
  readonly key: string;
  /** The provider's name for the refusal (`WA_CREDENTIAL_ID_TAKEN`), UPPER_SNAKE. */
  readonly takenReason: string;
}

export type ActivationOutcome<Enrollment extends JsonValue = JsonValue> =
  ActivationSuccess<Enrollment> | VerifyFailure | VerifyWaiting;

export interface Begun<Prompt> {
  readonly prompt: Prompt;
  /** Provider state for the second half of the flow; core encrypts it and keeps it server-side. */
  readonly pending: JsonValue;
}

/**
 * A per-user counter in core's shared store, for limits a provider must keep across every app
 * instance: at most one outstanding push, at most N pushes since the last success (NIST SP
 * 800-63B-4 §3.1.3.2, ASVS 6.6.4). Keys are scoped by core to the provider and the user.
 */
export interface ProviderQuota {
  /** Takes one unit; refused once `limit` units were taken within the window (until it ends). */
  take(
    key: string,
    limit: number,
    windowMs: number,
  ): Promise<{ ok: true } | { ok: false; retryAfterMs: number }>;
  /** Gives every unit back (e.g. the push was answered, or the user signed in). */
  release(key: string): Promise<void>;
}

/**
 * What the host knows about the HTTP request behind a call, from its own trusted proxy chain
 * (never from raw `X-Forwarded-For`: IN-05). Optional; core sanitises and caps it, puts
 * it in audit events (LG-01) and hands it to providers (e.g. Duo's `ipaddr`).
 */
export interface RequestInfo {
  readonly ip?: string;
  readonly userAgent?: string;
  readonly requestId?: string;
}

/** What core hands every hook. Services (clock, randomness, logger, HTTP) come by injection. */
export interface ProviderContext<Config extends object = object> {
  readonly providerId: string;
  /** The validated settings of this deployment (an instance of `configSchema`). */
  readonly config: Config;
  /** The audience of the user being served. */
  readonly audience: string;
  /** Deployment constants (e.g. `licenseKey`) for username templates. */
  readonly constants: Readonly<Record<string, string>>;
  /** The last counter accepted for this enrollment, when the provider reports counters. */
  readonly lastCounter?: number | null;
  /**
   * The id of the pending activation or challenge this hook works on: core's one-time token
   * (256 bits, bound to the user and single use). A redirect provider uses it as its OAuth
   * `state` (Duo), so the callback's `state` is the id the host passes back to core.
   */
  readonly pendingId?: string;
  /** Shared per-user limits (present in every hook core calls for a user). */
  readonly quota?: ProviderQuota;
  /** The request behind this call, when the host passed one (sanitised by core). */
  readonly request?: RequestInfo;
  /**
   * In `beginActivation` only: the user's enrollments of this provider so far, oldest first, each
   * with what the provider's `publicInfo` hook made of it (never the sealed enrollment itself).
   * WebAuthn lists their credential ids in `excludeCredentials`, so the browser refuses to
   * register the same key twice.
   */
  readonly enrolled?: readonly EnrolledFactor[];
}

/** One of the user's enrollments of the provider, as `beginActivation` sees it. */
export interface EnrolledFactor {
  readonly enrollmentId: string;
  readonly label: string | null;
  /** `publicInfo(enrollment)`; null without that hook, or when it or the key ring failed. */
  readonly publicInfo: JsonValue;
}

export type HealthStatus =
  | { readonly healthy: true; readonly detail?: string }
  | { readonly healthy: false; readonly detail: string };

export interface TwoFactorProvider<
  Config extends object = object,
  Enrollment extends JsonValue = JsonValue,
> {
  /** Stable id, lower-case (`totp`, `duo`): the key in deployment config and stores. */
  readonly id: string;
  readonly displayName: string;
  /** A semver range of @factorkit/core this provider was written for (e.g. `^0.1.0`). */
  readonly coreVersion: string;
  /** A class-validator decorated class; its fields carry label, help and a secret flag. */
  readonly configSchema: new () => Config;
  readonly capabilities: ProviderCapabilities;

  healthCheck?(ctx: ProviderContext<Config>): Promise<HealthStatus>;

  /**
   * Whether this deployment allows failing open for `ctx.audience` when the provider is
   * unavailable. Core only asks after an outage (never for other errors), offers the user's other
   * factors first, and emits an audit event on every fail-open. Absent means never.
   */
  failOpenAllowed?(ctx: ProviderContext<Config>): boolean;

  beginActivation(
    ctx: ProviderContext<Config>,
    user: TwoFactorUser,
  ): Promise<Begun<ActivationPrompt>>;

  completeActivation(
    ctx: ProviderContext<Config>,
    user: TwoFactorUser,
    pending: JsonValue,
    input: unknown,
  ): Promise<ActivationOutcome<Enrollment>>;

  beginChallenge(
    ctx: ProviderContext<Config>,
    user: TwoFactorUser,
    enrollment: Enrollment,
  ): Promise<Begun<ChallengePrompt>>;

  verify(
    ctx: ProviderContext<Config>,
    user: TwoFactorUser,
    enrollment: Enrollment,
    pending: JsonValue,
    input: unknown,
  ): Promise<VerifyOutcome>;

  /**
   * The public part of an enrollment (a WebAuthn credential id and its transports), handed to
   * this provider's `beginActivation` as `ctx.enrolled`. Synchronous and pure; never return a
   * secret: the point is that the hook sees the user's other factors without their secrets.
   */
  publicInfo?(enrollment: Enrollment): JsonValue;

  deactivate?(
    ctx: ProviderContext<Config>,
    user: TwoFactorUser,
    enrollment: Enrollment,
  ): Promise<void>;
}

/** A provider class whose constructor parameters are resolved from core's container. */
export type ProviderClass = new (...args: never[]) => TwoFactorProvider<object, JsonValue>;
