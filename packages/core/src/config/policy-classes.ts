import '../reflect-polyfill.js';
import { v } from './class-validator-lite.js';
import { Field } from './fields.js';

export const NOT_ENROLLED_ACTIONS = ['skip', 'deny', 'enroll', 'grace'] as const;
export type NotEnrolledAction = (typeof NOT_ENROLLED_ACTIONS)[number];

/** Policy for one audience (`client`, `admin`, or one the host defines). */
export class AudiencePolicy {
  /**
   * "Enable 2FA globally" for this audience: every user must pass a second factor.
   * @default false
   */
  @Field({
    label: 'Force two-factor',
    help: 'Every user of this audience must use a second factor.',
  })
  @v.IsBoolean()
  force: boolean = false;

  /**
   * What happens to a user who has no factor while `force` is on.
   * @default 'enroll'
   */
  @Field({
    label: 'When not enrolled',
    help: 'enroll: the user must set up a factor before continuing; deny: sign-in is refused; skip: let them in; grace: let them in for graceDays, then enroll.',
  })
  @v.IsIn(NOT_ENROLLED_ACTIONS, { message: 'must be one of skip, deny, enroll, grace' })
  notEnrolled: NotEnrolledAction = 'enroll';

  /**
   * With `notEnrolled: 'grace'`: days a user without a factor may still sign in without one,
   * counted from the first sign-in enforcement applied to them (the deadline is stored per user,
   * SECURITY.md EN-06). Ignored with the other actions.
   * @default 14
   */
  @Field({
    label: 'Grace period (days)',
    help: "With 'grace': days from the first enforced sign-in before the user must enroll.",
  })
  @v.IsInt()
  @v.Min(1)
  @v.Max(90)
  graceDays: number = 14;

  /**
   * Providers this audience may use; absent means every enabled provider offered to it.
   * @default undefined
   */
  @Field({ label: 'Allowed providers' })
  @v.IsOptional()
  @v.IsArray()
  @v.IsString({ each: true })
  providers?: string[];

  /**
   * Whether users may turn off their own factors (never their last one while `force` is on).
   * @default true
   */
  @Field({ label: 'Users may disable 2FA' })
  @v.IsBoolean()
  allowUserDisable: boolean = true;

  /**
   * How recent (in seconds) the session's last second factor must be to count as a step-up
   * for a sensitive action (ASVS 7.5.1). Used by `isRecentSecondFactor` and, when
   * `requireStepUp` is on, by factor management calls.
   * @default 600
   */
  @Field({
    label: 'Step-up window (s)',
    help: 'How long after passing the second factor a sensitive action is allowed without passing it again.',
  })
  @v.IsInt()
  @v.Min(30)
  @v.Max(3600, { message: 'must not be above 3600 (an older second factor is not a recent one)' })
  stepUpSeconds: number = 600;

  /**
   * Whether removing a factor and regenerating recovery codes need a second factor passed within
   * `stepUpSeconds` (the host passes the session's time). Off keeps older hosts working.
   * @default false
   */
  @Field({
    label: 'Require step-up for factor management',
    help: 'Refuse removing a factor or regenerating recovery codes unless the second factor was passed recently.',
  })
  @v.IsBoolean()
  requireStepUp: boolean = false;

  /**
   * Only factors whose provider declares `phishingResistant` may be used or enrolled (security
   * keys, passkeys). Recovery codes and fail-open grants never qualify.
   * @default false
   */
  @Field({
    label: 'Require a phishing-resistant factor',
    help: 'Only factors such as security keys, whose answer cannot be relayed by a phishing site.',
  })
  @v.IsBoolean()
  requirePhishingResistant: boolean = false;

  /**
   * Only factors whose provider declares `hardwareBound` may be used or enrolled.
   * @default false
   */
  @Field({
    label: 'Require a hardware-bound factor',
    help: 'Only factors whose secret cannot be copied out of a device.',
  })
  @v.IsBoolean()
  requireHardwareBound: boolean = false;

  /**
   * The lowest NIST SP 800-63B-4 authenticator assurance level a factor must reach with the
   * password (3 admits only phishing-resistant, hardware-bound factors).
   * @default 1
   */
  @Field({
    label: 'Minimum assurance level (AAL)',
    help: '1: any factor; 2: any second factor, no fail-open; 3: hardware security keys only.',
  })
  @v.IsInt()
  @v.Min(1)
  @v.Max(3)
  minAal: 1 | 2 | 3 = 1;

  /**
   * Whether recovery codes may be used to sign in (and are issued). Even when on, they count
   * only where they meet the audience's assurance requirements (they are AAL2, not
   * phishing-resistant).
   * @default true
   */
  @Field({
    label: 'Allow recovery codes',
    help: 'Off: recovery codes are neither issued nor accepted; a user who loses every factor needs an administrator.',
  })
  @v.IsBoolean()
  allowRecoveryCodes: boolean = true;

  /**
   * "Remember this device": days a device token from `rememberDevice` lets the user skip the
   * second factor (SECURITY.md FL-09). 0 turns it off and makes existing tokens ignored; lowering
   * it shortens tokens already issued. The `admin` audience defaults to 0 (off): an explicit
   * value in its config turns it on.
   * @default 30
   */
  @Field({
    label: 'Remember device (days)',
    help: 'Days a remembered device may skip the second factor; 0 turns remembering off. Defaults to 0 for admin.',
  })
  @v.IsInt()
  @v.Min(0)
  @v.Max(365)
  rememberDeviceDays: number = 30;

  /**
   * Remembered devices kept per user; remembering one more drops the least recently used.
   * @default 10
   */
  @Field({
    label: 'Remembered devices per user',
    help: 'At most this many devices per user; a new one replaces the least recently used.',
  })
  @v.IsInt()
  @v.Min(1)
  @v.Max(50)
  maxRememberedDevices: number = 10;
}

/** Consecutive-failure throttling per internal user id, across every factor and recovery codes. */
export class ThrottlePolicy {
  /**
   * Failures before a temporary lock. NIST SP 800-63B caps this at 100.
   * @default 10
   */
  @Field({ label: 'Failures before lock' })
  @v.IsInt()
  @v.Min(1)
  @v.Max(100, { message: 'must not be above 100 (NIST SP 800-63B §5.2.2)' })
  maxFailures: number = 10;

  /**
   * Failures allowed without any delay.
   * @default 3
   */
  @Field({ label: 'Failures without delay' })
  @v.IsInt()
  @v.Min(0)
  @v.Max(100)
  freeFailures: number = 3;

  /**
   * First progressive delay; it doubles with each further failure.
   * @default 1
   */
  @Field({ label: 'Base delay (s)' })
  @v.IsInt()
  @v.Min(0)
  @v.Max(3600)
  baseDelaySeconds: number = 1;

  /**
   * Longest progressive delay before the lock.
   * @default 60
   */
  @Field({ label: 'Longest delay (s)' })
  @v.IsInt()
  @v.Min(0)
  @v.Max(86400)
  maxDelaySeconds: number = 60;

  /**
   * How long a lock lasts; each further failure locks again.
   * @default 900
   */
  @Field({ label: 'Lock duration (s)' })
  @v.IsInt()
  @v.Min(1)
  @v.Max(7 * 86400)
  lockSeconds: number = 900;

  /**
   * Consecutive failures after which only an administrator can unlock (at most 100).
   * @default 100
   */
  @Field({ label: 'Permanent lock after' })
  @v.IsInt()
  @v.Min(1)
  @v.Max(100, { message: 'must not be above 100 (NIST SP 800-63B §5.2.2)' })
  permanentLockAfter: number = 100;
}

export class RecoveryCodePolicy {
  /**
   * Codes issued with the first factor and on each regeneration.
   * @default 10
   */
  @Field({ label: 'Number of recovery codes' })
  @v.IsInt()
  @v.Min(4)
  @v.Max(20)
  count: number = 10;

  /**
   * At or below this many unused codes, results carry a low-count warning.
   * @default 3
   */
  @Field({ label: 'Warn when this many remain' })
  @v.IsInt()
  @v.Min(0)
  @v.Max(20)
  lowWatermark: number = 3;
}

export class PendingPolicy {
  /**
   * Lifetime of a pending activation or challenge. At most 600 s (NIST SP 800-63B OOB rule).
   * @default 300
   */
  @Field({ label: 'Pending step lifetime (s)' })
  @v.IsInt()
  @v.Min(30)
  @v.Max(600, { message: 'must not be above 600 (10 minutes, NIST SP 800-63B §5.1.3.2)' })
  ttlSeconds: number = 300;

  /**
   * Wrong answers allowed on one challenge before it must be started again.
   * @default 5
   */
  @Field({ label: 'Attempts per challenge' })
  @v.IsInt()
  @v.Min(1)
  @v.Max(10)
  maxAttempts: number = 5;
}
