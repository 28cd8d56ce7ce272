import type { DeploymentConfig } from '../config/deployment.js';
import type { AuditSink } from '../events.js';
import type { AmrValue, FactorAssurance } from '../provider/assurance.js';
import type { ActivationPrompt, ChallengePrompt } from '../provider/contract.js';
import type { ProviderRegistry } from '../provider/registry.js';
import type { FactorkitStores } from '../store/types.js';
import type { SecurityNoticeKind } from './kernel/timeline-events.js';

/** The public shapes of `TwoFactorService`: what a host passes in and gets back. */

export interface TwoFactorServiceOptions {
  registry: ProviderRegistry;
  config: DeploymentConfig;
  stores: FactorkitStores;
  audit?: AuditSink;
  /** Tells the user about security events through the host's own channel (mail, SMS, app). */
  notifier?: SecurityNotifier;
  /** How long a call waits for `notifier.send` before going on (1..60000). @default 2000 */
  notifyTimeoutMs?: number;
  /** Timeline entries kept per user; older ones are dropped as new ones arrive (1..100000). @default 200 */
  timelineKeepPerUser?: number;
}

/** A security event to tell the user about. Never holds a secret, a code or a token. */
export interface SecurityNotice {
  readonly kind: SecurityNoticeKind;
  readonly userId: string;
  readonly audience: string;
  /** Epoch ms (core's clock). */
  readonly at: number;
  readonly providerId?: string;
  readonly enrollmentId?: string;
  /** The request that caused it, when the host passed one. */
  readonly ip?: string;
  readonly userAgent?: string;
  readonly requestId?: string;
  /** The timeline entry it is about (for a "this was not me" link); absent if that write failed. */
  readonly eventId?: string;
}

/**
 * The host's sender. Core waits for it at most `notifyTimeoutMs`; a throw or a timeout is logged
 * and never changes the outcome of the call (SECURITY.md LG-06).
 */
export interface SecurityNotifier {
  send(notice: SecurityNotice): Promise<void> | void;
}

/** One entry of `securityTimeline`. */
export interface SecurityTimelineEntry {
  readonly id: string;
  /** The audit event type: `activated`, `deactivated`, `recovery.used`, ... */
  readonly type: string;
  /** Epoch ms. */
  readonly at: number;
  readonly providerId?: string;
  readonly enrollmentId?: string;
  readonly deviceId?: string;
  readonly ip?: string;
  readonly userAgent?: string;
  /** The administrator's actor id, for admin actions. */
  readonly by?: string;
}

export interface SecurityTimelinePage {
  readonly events: readonly SecurityTimelineEntry[];
  /** Pass as `before` for the next (older) page; null on the last page. */
  readonly next: string | null;
}

export interface SecurityTimelineOptions {
  /** The `next` of the previous page. */
  readonly before?: string;
  /** 1..100. @default 20 */
  readonly limit?: number;
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
   * What this success proves, as its provider declares it (recovery codes: AAL2; fail-open:
   * AAL1, nothing proved). Keep it in the session to gate actions on the assurance reached.
   */
  readonly assurance: FactorAssurance;
  /**
   * RFC 8176 `amr` values of the second step (e.g. `['otp']`, `['mca']` for a push; empty for a
   * fail-open grant). The session's own list adds the host's first factor (`pwd`).
   */
  readonly amr: readonly AmrValue[];
  /**
   * When the second factor was passed (epoch ms, core's clock). Keep it in the session and pass
   * it back as `secondFactorAt` for a step-up. 0 for a success that passed no second factor (a
   * fail-open grant, or an AAL1 success such as an accepted Duo bypass): it never counts as a
   * recent one.
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

/** `accountControls`: what the user's own security settings may offer, by the audience's policy. */
export interface AccountControls {
  /** Providers the user may add a factor of now (allowed, and below the provider's limit). */
  readonly enrollable: readonly string[];
  /** Whether the user may remove their factors (`allowUserDisable`; never the last while forced). */
  readonly mayRemoveFactors: boolean;
  /** Whether the user may turn two-factor authentication off (`allowUserDisable`, not `force`). */
  readonly mayTurnOff: boolean;
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
