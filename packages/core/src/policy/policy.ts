import type { AudiencePolicy, DeploymentConfig, NotEnrolledAction } from '../config/deployment.js';
import type { DeviceRejection } from '../events.js';
import {
  RECOVERY_CODE_ASSURANCE,
  meetsAssurance,
  type AssuranceRequirement,
} from '../provider/assurance.js';

/** One of the user's usable enrollments, as the login chooser lists it. */
export interface ChooserFactor {
  readonly enrollmentId: string;
  readonly providerId: string;
  readonly label: string;
}

/** What the host must do after a successful password, for one user. */
export type Requirement =
  | {
      readonly action: 'challenge';
      /** The distinct provider ids among `factors`, oldest first. */
      readonly providers: readonly string[];
      /** The usable enrollments, oldest first: what the login chooser lists. */
      readonly factors: readonly ChooserFactor[];
      readonly recoveryCodes: number;
      /**
       * Set only when the host presented a remembered-device token and it was not trusted
       * (audited as `device.rejected`), so the host can drop a stale cookie. Anything but
       * `locked` means the token will never be trusted again.
       */
      readonly deviceRejected?: DeviceRejection;
    }
  | { readonly action: 'enroll'; readonly providers: readonly string[] }
  | {
      /** Let the user in without a factor, and offer to set one up (`notEnrolled: 'grace'`). */
      readonly action: 'grace';
      readonly providers: readonly string[];
      /** Epoch ms from which the user must enroll (`enroll` from then on). */
      readonly deadline: number;
      /** Whole days left, rounded up: 1 on the last day. */
      readonly daysLeft: number;
    }
  /** No second factor needed: 2FA does not apply to this user (`not-required`)… */
  | { readonly action: 'skip'; readonly reason: 'not-required' }
  /** …or the host presented a valid remembered-device token for them (FL-09). */
  | { readonly action: 'skip'; readonly reason: 'trusted-device'; readonly deviceId: string }
  | {
      readonly action: 'deny';
      readonly reason:
        | 'not-enrolled'
        | 'no-provider-available'
        | 'unknown-audience'
        /** The user's factors do not prove what the audience asks (AS-03): an admin must help. */
        | 'assurance-not-met';
    };

/** Providers a user of `audience` may use: enabled, offered to the audience, allowed by policy. */
export function allowedProviders(
  config: DeploymentConfig,
  audience: string,
  policy?: Pick<AudiencePolicy, 'providers'>,
): string[] {
  const all = config.policy.audiences;
  const aud = policy ?? (Object.hasOwn(all, audience) ? all[audience] : undefined);
  if (!aud) return [];
  return Object.entries(config.providers)
    .filter(
      ([id, p]) =>
        p.enabled &&
        p.audiences.includes(audience) &&
        (!aud.providers || aud.providers.includes(id)),
    )
    .map(([id]) => id);
}

const DAY_MS = 86_400_000;

/** The user's grace deadline and the clock it is judged by (`notEnrolled: 'grace'`). */
export interface GraceClock {
  readonly deadline: number;
  readonly now: number;
}

/**
 * Whether the grace deadline must be read (or started) for this user: enforcement applies to
 * them (forced, no factor at all, 'grace') and there is a factor they could set up.
 */
export function needsGraceDeadline(
  policy: Pick<AudiencePolicy, 'force' | 'notEnrolled'> | undefined,
  allowed: readonly string[],
  enrolledProviderIds: readonly string[],
): boolean {
  return (
    !!policy &&
    policy.force &&
    policy.notEnrolled === 'grace' &&
    enrolledProviderIds.length === 0 &&
    allowed.length > 0
  );
}

/**
 * Whether recovery codes may sign a user of this audience in: the audience allows them, and a
 * look-up secret (AAL2, not phishing-resistant) proves what it asks (SECURITY.md AS-04).
 */
export function recoveryCodesUsable(
  policy: Pick<AudiencePolicy, 'allowRecoveryCodes'> & Partial<AssuranceRequirement>,
): boolean {
  return policy.allowRecoveryCodes && meetsAssurance(RECOVERY_CODE_ASSURANCE, policy);
}

/**
 * The pure decision behind `TwoFactorService.requirement` and the enforcement dry-run. `grace`
 * is the user's deadline when `needsGraceDeadline`; without it a 'grace' policy answers `enroll`
 * (fail closed). `factors` are the user's enrollments for the chooser (the dry-run needs none).
 */
export function decideRequirement(
  policy: Pick<AudiencePolicy, 'force' | 'notEnrolled'> | undefined,
  allowed: readonly string[],
  enrolledProviderIds: readonly string[],
  recoveryCodes: number,
  grace?: GraceClock,
  about: {
    /** The user's factors, oldest first, for the chooser (only usable ones are listed). */
    readonly factors?: readonly ChooserFactor[];
    /** Some of the user's factors are offered here but fall short of its assurance (AS-03). */
    readonly unmetAssurance?: boolean;
  } = {},
): Requirement {
  const factors = about.factors ?? [];
  if (!policy) return { action: 'deny', reason: 'unknown-audience' };
  const usable = [...new Set(enrolledProviderIds.filter((id) => allowed.includes(id)))];
  if (usable.length > 0) {
    const listed = factors.filter((f) => allowed.includes(f.providerId));
    return { action: 'challenge', providers: usable, factors: listed, recoveryCodes };
  }
  if (enrolledProviderIds.length > 0) {
    // Enrolled, but none of the user's factors is usable here (disabled, unregistered or not
    // offered to this audience). Never fall back to a password-only sign-in, nor to enrolling a
    // new factor, which someone holding only the password could bind (EN-04): recovery
    // codes if any remain, otherwise refuse until an administrator resets the account.
    if (recoveryCodes > 0)
      return { action: 'challenge', providers: [], factors: [], recoveryCodes };
    return {
      action: 'deny',
      reason: about.unmetAssurance ? 'assurance-not-met' : 'no-provider-available',
    };
  }
  if (!policy.force) return { action: 'skip', reason: 'not-required' };
  const action: NotEnrolledAction = policy.notEnrolled;
  if (action === 'skip') return { action: 'skip', reason: 'not-required' };
  if (action === 'deny') return { action: 'deny', reason: 'not-enrolled' };
  if (allowed.length === 0) return { action: 'deny', reason: 'no-provider-available' };
  if (action === 'grace' && grace && grace.now < grace.deadline) {
    const daysLeft = Math.ceil((grace.deadline - grace.now) / DAY_MS);
    return { action: 'grace', providers: [...allowed], deadline: grace.deadline, daysLeft };
  }
  return { action: 'enroll', providers: [...allowed] };
}

export interface AudienceDryRun {
  users: number;
  enrolled: number;
  challenge: number;
  /** Users who would be forced to set up a factor at their next sign-in. */
  enroll: number;
  /** Users who would be refused at their next sign-in. */
  deny: number;
  skip: number;
  /** Users who would be let in without a factor, inside their grace period. */
  grace: number;
  /**
   * The earliest and latest deadline among them (stored, or the one their next sign-in would
   * start); null when `grace` is 0. Two numbers, however many users: the report stays bounded.
   */
  graceDeadlines: { readonly earliest: number; readonly latest: number } | null;
}

export type PolicyOverride = Partial<
  Pick<
    AudiencePolicy,
    | 'force'
    | 'notEnrolled'
    | 'providers'
    | 'graceDays'
    | 'requirePhishingResistant'
    | 'requireHardwareBound'
    | 'minAal'
    | 'allowRecoveryCodes'
  >
>;
