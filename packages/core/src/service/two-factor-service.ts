import type { AudienceDryRun, PolicyOverride, Requirement } from '../policy/policy.js';
import type { RequestInfo, TwoFactorUser } from '../provider/contract.js';
import { beginActivation, completeActivation } from './flows/activation.js';
import { adminReset, adminUnlock } from './flows/admin.js';
import { beginChallenge, completeChallenge } from './flows/challenge.js';
import { decide, dryRunEnforcement, summarise } from './flows/enforcement.js';
import { checkEnrollmentId } from './flows/factor-management.js';
import { failOpen } from './flows/fail-open.js';
import { health, rotateEncryptionKeys } from './flows/maintenance.js';
import { applyDeviceToken } from './flows/trusted-devices.js';
import {
  recoveryCodeStatus,
  regenerateRecoveryCodes,
  useRecoveryCode,
} from './flows/recovery-codes.js';
import { AccountCalls } from './account-calls.js';
import { Kernel } from './kernel/kernel.js';
import type {
  ActivationCompleted,
  ActivationStarted,
  AdminAction,
  ChallengeStarted,
  CompleteActivationOptions,
  EnrollmentChoice,
  EnrollmentSummary,
  KeyRotationReport,
  RequirementOptions,
  SecondFactorSuccess,
  StepUpOptions,
  StillWaiting,
  ThrottleStatus,
  TwoFactorServiceOptions,
} from './types.js';

export type * from './types.js';

/**
 * Runs enrollment and login for a host. This class only checks its arguments and hands each
 * call to its flow (`./flows`); every decision is made by the kernel's mechanisms (`./kernel`)
 * or atomically in the stores. Providers only speak their protocol. The calls of a user's own
 * account settings (factors, devices, timeline, step-up) are in `AccountCalls`.
 */
export class TwoFactorService extends AccountCalls {
  constructor(options: TwoFactorServiceOptions) {
    super(new Kernel(options));
  }

  // ------------------------------------------------------------------ policy

  /**
   * After the password: what the host must do next. Recomputed on every call (EN-04). With a
   * valid `deviceToken` of this user, a `challenge` becomes `{ action: 'skip', reason:
   * 'trusted-device' }` (FL-09); an invalid token changes nothing.
   */
  async requirement(
    user: TwoFactorUser,
    options?: RequirementOptions,
    request?: RequestInfo,
  ): Promise<Requirement> {
    return this.run(user, request, async () => {
      const decision = await decide(this.k, user);
      if (options?.deviceToken === undefined) return decision.requirement;
      return applyDeviceToken(this.k, user, decision, options.deviceToken);
    });
  }

  /** Providers this user may enroll in or use. */
  availableProviders(user: TwoFactorUser): { id: string; displayName: string }[] {
    this.k.checkUser(user);
    return this.k.providers
      .allowed(user.audience)
      .map((id) => ({ id, displayName: this.k.providers.get(id).displayName }));
  }

  async listEnrollments(user: TwoFactorUser): Promise<EnrollmentSummary[]> {
    this.k.checkUser(user);
    return (await this.k.stores.enrollments.listByUser(user.id)).map(summarise);
  }

  /**
   * How many users of each audience a policy change would challenge, force to enroll, refuse or
   * let through, before the change is made ("Enable 2FA globally" without locking anyone out).
   */
  dryRunEnforcement(
    users: Iterable<TwoFactorUser> | AsyncIterable<TwoFactorUser>,
    overrides: Readonly<Record<string, PolicyOverride>> = {},
  ): Promise<Record<string, AudienceDryRun>> {
    return dryRunEnforcement(this.k, users, overrides);
  }

  // ------------------------------------------------------------------ activation

  beginActivation(
    user: TwoFactorUser,
    providerId: string,
    request?: RequestInfo,
  ): Promise<ActivationStarted> {
    return this.run(user, request, () => {
      this.k.checkProviderId(providerId);
      return beginActivation(this.k, user, providerId);
    });
  }

  completeActivation(
    activationId: string,
    user: TwoFactorUser,
    input: unknown,
    request?: RequestInfo,
    options?: CompleteActivationOptions,
  ): Promise<ActivationCompleted | StillWaiting> {
    return this.run(user, request, () =>
      completeActivation(this.k, activationId, user, input, options),
    );
  }

  // ------------------------------------------------------------------ login

  /**
   * Starts a challenge on the first usable factor, the first of a provider (`'totp'`), or one
   * enrollment (`{ enrollmentId }`, from the requirement's `factors`).
   */
  beginChallenge(
    user: TwoFactorUser,
    choice?: string | EnrollmentChoice,
    request?: RequestInfo,
  ): Promise<ChallengeStarted> {
    return this.run(user, request, () => {
      if (typeof choice === 'string') this.k.checkProviderId(choice);
      else if (choice !== undefined) checkEnrollmentId(choice?.enrollmentId);
      return beginChallenge(this.k, user, choice);
    });
  }

  completeChallenge(
    challengeId: string,
    user: TwoFactorUser,
    input: unknown,
    request?: RequestInfo,
  ): Promise<SecondFactorSuccess | StillWaiting> {
    return this.run(user, request, () => completeChallenge(this.k, challengeId, user, input));
  }

  /**
   * Grants sign-in without the second factor for a challenge that just failed with
   * PROVIDER_UNAVAILABLE (its id is in that error's details), only where policy, the user's
   * other factors and core's own health check all allow it (see `flows/fail-open.ts`).
   */
  failOpen(
    challengeId: string,
    user: TwoFactorUser,
    request?: RequestInfo,
  ): Promise<SecondFactorSuccess> {
    return this.run(user, request, () => failOpen(this.k, challengeId, user));
  }

  // ------------------------------------------------------------------ recovery codes

  /** Signs in with a recovery code; counted in the same failure budget as every factor. */
  useRecoveryCode(
    user: TwoFactorUser,
    code: unknown,
    request?: RequestInfo,
  ): Promise<SecondFactorSuccess> {
    return this.run(user, request, () => useRecoveryCode(this.k, user, code));
  }

  recoveryCodeStatus(user: TwoFactorUser): Promise<{ remaining: number; low: boolean }> {
    return this.run(user, undefined, () => recoveryCodeStatus(this.k, user));
  }

  /**
   * Issues a new set and revokes the old one at once. Only for a user with a factor. Where the
   * audience's `requireStepUp` is on, `stepUp.secondFactorAt` must be recent (STEP_UP_REQUIRED).
   */
  regenerateRecoveryCodes(
    user: TwoFactorUser,
    stepUp?: StepUpOptions,
    request?: RequestInfo,
  ): Promise<string[]> {
    return this.run(user, request, () => regenerateRecoveryCodes(this.k, user, stepUp));
  }

  // ------------------------------------------------------------------ admin

  /**
   * Removes all of a user's two-factor material in one step (enrollments, recovery codes,
   * remembered devices, counters, pending steps, failure count): how an administrator helps a
   * user who lost a device.
   */
  async adminReset(
    action: AdminAction,
    user: TwoFactorUser,
  ): Promise<{ enrollmentsRemoved: number; devicesRevoked: number }> {
    return adminReset(this.k, action, user);
  }

  /** Lifts a lock without removing any factor. */
  async adminUnlock(action: AdminAction, user: TwoFactorUser): Promise<void> {
    return adminUnlock(this.k, action, user);
  }

  throttleStatus(user: TwoFactorUser): Promise<ThrottleStatus> {
    return this.run(user, undefined, () => this.k.attempts.status(user));
  }

  // ------------------------------------------------------------------ keys and health

  /** Re-encrypts every enrollment not yet under the active key (compare-and-set per row). */
  rotateEncryptionKeys(batchSize = 100): Promise<KeyRotationReport> {
    return rotateEncryptionKeys(this.k, batchSize);
  }

  /** Runs each enabled provider's health check (with the first audience's view of its config). */
  health(): Promise<Record<string, { healthy: boolean; detail?: string }>> {
    return health(this.k);
  }
}
