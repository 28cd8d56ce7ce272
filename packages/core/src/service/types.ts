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
