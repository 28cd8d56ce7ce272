import type { RequestInfo, TwoFactorUser } from '../provider/contract.js';
import {
  checkEnrollmentId,
  disable,
  removeEnrollment,
  renameEnrollment,
} from './flows/factor-management.js';
import { accountControls, turnOffTwoFactor } from './flows/account-controls.js';
import { requireForHost, secondFactorRecency } from './flows/step-up.js';
import { securityTimeline } from './flows/timeline.js';
import {
  listTrustedDevices,
  rememberDays,
  rememberDevice,
  revokeTrustedDevice,
  revokeTrustedDevices,
} from './flows/trusted-devices.js';
import type { Kernel } from './kernel/kernel.js';
import { ServiceBase } from './service-base.js';
import type {
  AccountControls,
  RememberedDevice,
  SecondFactorRecency,
  SecurityTimelineOptions,
  SecurityTimelinePage,
  StepUpOptions,
  TrustedDeviceSummary,
} from './types.js';

/**
 * The calls behind a user's own security settings: their factors (remove, rename), remembered
 * devices, security timeline and step-up. Like every call of the service, each checks its
 * arguments and hands over to its flow.
 */
export abstract class AccountCalls extends ServiceBase {
  protected constructor(k: Kernel) {
    super(k);
  }

  // ------------------------------------------------------------------ security timeline

  /**
   * The user's own recent security activity, newest first, `limit` (1..100, default 20) per
   * page; pass `next` back as `before` for the older page (SECURITY.md LG-05).
   */
  securityTimeline(
    user: TwoFactorUser,
    options?: SecurityTimelineOptions,
  ): Promise<SecurityTimelinePage> {
    return this.run(user, undefined, () => securityTimeline(this.k, user, options));
  }

  // ------------------------------------------------------------------ step-up

  /**
   * Whether the session's last second factor (`secondFactorAt`: the `at` of its
   * `SecondFactorSuccess`, from the host's own session) is within the audience's
   * `stepUpSeconds` (ASVS 7.5.1). A missing, invalid or future time is not recent.
   */
  isRecentSecondFactor(
    user: TwoFactorUser,
    secondFactorAt: number | undefined,
  ): SecondFactorRecency {
    this.k.checkUser(user);
    return secondFactorRecency(this.k, user, secondFactorAt);
  }

  /**
   * Throws STEP_UP_REQUIRED (audited as `step-up.refused`) unless the second factor is recent,
   * whatever `requireStepUp` says: for the host's own sensitive actions, such as trusting a device.
   */
  requireRecentSecondFactor(
    user: TwoFactorUser,
    stepUp: StepUpOptions,
    action: 'trust-device' | 'host-action' = 'host-action',
    request?: RequestInfo,
  ): Promise<void> {
    return this.run(user, request, () => requireForHost(this.k, user, action, stepUp));
  }

  // ------------------------------------------------------------------ remembered devices

  /**
   * "Remember this device" after a recent second factor (STEP_UP_REQUIRED otherwise; POLICY_DENIED
   * where the audience's `rememberDeviceDays` is 0). The token is shown once: keep it in an
   * HttpOnly, Secure cookie and pass it to `requirement`.
   */
  rememberDevice(
    user: TwoFactorUser,
    stepUp: StepUpOptions,
    request?: RequestInfo,
  ): Promise<RememberedDevice> {
    return this.run(user, request, () => rememberDevice(this.k, user, stepUp));
  }

  /**
   * How many days a device remembered now would last for this user (the audience's
   * `rememberDeviceDays`), or 0 where remembering is off: whether to offer "remember this device".
   */
  rememberDeviceDays(user: TwoFactorUser): number {
    this.k.checkUser(user);
    return rememberDays(this.k, user);
  }

  listTrustedDevices(user: TwoFactorUser): Promise<TrustedDeviceSummary[]> {
    return this.run(user, undefined, () => listTrustedDevices(this.k, user));
  }

  /** Forgets one of the user's devices; false for an id that is not one of theirs. */
  revokeTrustedDevice(user: TwoFactorUser, deviceId: string, request?: RequestInfo) {
    return this.run(user, request, () => revokeTrustedDevice(this.k, user, deviceId));
  }

  /** Forgets every device of the user; how many there were. */
  revokeTrustedDevices(user: TwoFactorUser, request?: RequestInfo): Promise<number> {
    return this.run(user, request, () => revokeTrustedDevices(this.k, user, 'user'));
  }

  /** The host tells core the user's password changed: every remembered device is forgotten. */
  passwordChanged(user: TwoFactorUser, request?: RequestInfo): Promise<number> {
    return this.run(user, request, () => revokeTrustedDevices(this.k, user, 'password-change'));
  }

  // ------------------------------------------------------------------ removal and admin

  /**
   * The user turns off their factor of one provider, where policy allows (and after a step-up if
   * required). With several factors of that provider: INVALID_ARGUMENT, use `removeEnrollment`.
   */
  disable(
    user: TwoFactorUser,
    providerId: string,
    stepUp?: StepUpOptions,
    request?: RequestInfo,
  ): Promise<void> {
    return this.run(user, request, () => {
      this.k.checkProviderId(providerId);
      return disable(this.k, user, providerId, stepUp);
    });
  }

  /**
   * The user removes one factor by its enrollment id, under the same rules as `disable`: never
   * the last usable one while 2FA is forced, even with removals in parallel (EN-08).
   */
  removeEnrollment(
    user: TwoFactorUser,
    enrollmentId: string,
    stepUp?: StepUpOptions,
    request?: RequestInfo,
  ): Promise<void> {
    return this.run(user, request, () =>
      removeEnrollment(this.k, user, checkEnrollmentId(enrollmentId), stepUp),
    );
  }

  /** What the user's security settings may offer: providers to add, removal, turning 2FA off. */
  accountControls(user: TwoFactorUser): Promise<AccountControls> {
    return this.run(user, undefined, () => accountControls(this.k, user));
  }

  /**
   * The user turns two-factor authentication off: all their factors are removed (after a step-up
   * where required). POLICY_DENIED, and nothing removed, unless the audience allows users to
   * disable it and does not force it. Returns how many factors were removed.
   */
  turnOffTwoFactor(
    user: TwoFactorUser,
    stepUp?: StepUpOptions,
    request?: RequestInfo,
  ): Promise<number> {
    return this.run(user, request, () => turnOffTwoFactor(this.k, user, stepUp));
  }

  /** The user gives one of their factors a new name (1 to 64 characters, unique among theirs). */
  renameEnrollment(
    user: TwoFactorUser,
    enrollmentId: string,
    label: string,
    request?: RequestInfo,
  ): Promise<void> {
    return this.run(user, request, () =>
      renameEnrollment(this.k, user, checkEnrollmentId(enrollmentId), label),
    );
  }
}
