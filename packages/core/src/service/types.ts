import type { DeploymentConfig } from '../config/deployment.js';
import type { AuditSink } from '../events.js';
import type { ActivationPrompt, ChallengePrompt } from '../provider/contract.js';
import type { ProviderRegistry } from '../provider/registry.js';
import type { FactorkitStores } from '../store/types.js';

/** The public shapes of `TwoFactorService`: what a host passes in and gets back. */

export interface TwoFactorServiceOptions {
  registry: ProviderRegistry;
  config: DeploymentConfig;
  stores: FactorkitStores;
  audit?: AuditSink;
}

export interface ActivationStarted {
  readonly activationId: string;
  readonly providerId: string;
  readonly prompt: ActivationPrompt;
  readonly expiresAt: number;
}

export interface ActivationCompleted {
  readonly ok: true;
  readonly enrollmentId: string;
  readonly providerId: string;
  readonly label: string | null;
  /** Shown once, in display form; present only when this activation issued them. */
  readonly recoveryCodes?: readonly string[];
}

/** What the user chooses when completing an activation. */
export interface CompleteActivationOptions {
  /**
   * The factor's name in the user's list ("Work phone"): 1 to 64 characters after trimming, no
   * control or formatting characters, not already used by another of the user's factors
   * (ignoring case). Absent: the provider's name, numbered when taken ("Authenticator app 2").
   */
  readonly label?: string;
}

/** Picks one enrollment at `beginChallenge` (an id from the requirement's `factors`). */
export interface EnrollmentChoice {
  readonly enrollmentId: string;
}

export interface StillWaiting {
  readonly ok: false;
  readonly waiting: true;
  /** The same id: poll again after `pollIntervalMs`. */
  readonly id: string;
}

export interface ChallengeStarted {
  readonly challengeId: string;
  readonly providerId: string;
  /** The enrollment this challenge is for: only it can answer. */
  readonly enrollmentId: string;
  readonly prompt: ChallengePrompt;
  readonly expiresAt: number;
}

/** The only value that means "second factor passed". Hosts must check `ok === true`. */
export interface SecondFactorSuccess {
  readonly ok: true;
  readonly userId: string;
  readonly providerId: string;
  /** The method used, for the session's `amr` (e.g. `totp`, `push`, `recovery-code`). */
  readonly method: string;
  /** True when granted because the provider was down and policy allowed failing open (AAL1). */
  readonly failOpen: boolean;
  /**
   * When the second factor was passed (epoch ms, core's clock). Keep it in the session and pass
   * it back as `secondFactorAt` for a step-up; not for a fail-open success, which is no step-up.
   */
  readonly at: number;
  readonly recoveryCodesRemaining?: number;
  readonly lowRecoveryCodes?: boolean;
}

export interface EnrollmentSummary {
  readonly id: string;
  readonly providerId: string;
  readonly label: string | null;
  readonly createdAt: number;
  readonly lastUsedAt: number | null;
}

export interface AdminAction {
  /** Who acts (the admin's own user id, at most 255 characters). */
  readonly actorId: string;
  /** Why: required (3 to 500 characters), kept in the audit event. */
  readonly reason: string;
}

export interface KeyRotationReport {
  readonly rotated: number;
  readonly unchanged: number;
  readonly failed: readonly { readonly enrollmentId: string; readonly code: string }[];
}

export interface ThrottleStatus {
  readonly failures: number;
  readonly locked: boolean;
  /** Seconds until the next attempt is allowed (0 when none is blocked), null when only an admin can lift the lock. */
  readonly retryAfter: number | null;
}

/**
 * The session's proof of a recent second factor, for calls that can require a step-up. The host
 * takes `secondFactorAt` from its own server-side session (the `at` of the session's last
 * `SecondFactorSuccess`), never from the request.
 */
export interface StepUpOptions {
  readonly secondFactorAt?: number;
}

/** `isRecentSecondFactor`'s answer. `age` is in whole seconds, null when no valid time was given. */
export interface SecondFactorRecency {
  readonly recent: boolean;
  readonly maxAgeSeconds: number;
  readonly age: number | null;
}
