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

export interface StillWaiting {
  readonly ok: false;
  readonly waiting: true;
  /** The same id: poll again after `pollIntervalMs`. */
  readonly id: string;
}

export interface ChallengeStarted {
  readonly challengeId: string;
  readonly providerId: string;
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
   * it back as `secondFactorAt` for a step-up. 0 for a fail-open success, which passed no second
   * factor: it never counts as a recent one.
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

/** `requirement`'s options: a remembered-device token the host read from its cookie. */
export interface RequirementOptions {
  readonly deviceToken?: string;
}

/** `rememberDevice`'s answer. `token` is shown once: core keeps only its hash. */
export interface RememberedDevice {
  /** 256 random bits, base64url (43 characters): the host's cookie value. */
  readonly token: string;
  readonly deviceId: string;
  /** Absolute expiry (epoch ms); use never extends it. */
  readonly expiresAt: number;
  /** From the request's user agent ("Firefox on Linux"), or null. */
  readonly label: string | null;
}

/** A remembered device as the user may see it (never its token or hash). */
export interface TrustedDeviceSummary {
  readonly id: string;
  readonly label: string | null;
  readonly createdAt: number;
  readonly lastUsedAt: number | null;
  /** When it stops working under the audience's current setting. */
  readonly expiresAt: number;
}
