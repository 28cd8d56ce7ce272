import {
  decideRequirement,
  type AudienceDryRun,
  type PolicyOverride,
  type Requirement,
} from '../../policy/policy.js';
import type { TwoFactorUser } from '../../provider/contract.js';
import type { EnrollmentRecord } from '../../store/types.js';
import type { Kernel } from '../kernel/kernel.js';
import type { EnrollmentSummary } from '../types.js';

/** One policy decision for one user, with what it was decided from. */
export interface Decision {
  readonly requirement: Requirement;
  /** Every enrollment of the user, oldest first. */
  readonly enrollments: readonly EnrollmentRecord[];
  /** The enrollments the user may use here (their provider is allowed for the audience). */
  readonly usable: readonly EnrollmentRecord[];
}

/**
 * The one decision behind `requirement`, the login chooser, `beginActivation` and the dry-run:
 * recomputed from the stores on every call (SECURITY.md EN-04), never cached in a session.
 */
export async function decide(
  k: Kernel,
  user: TwoFactorUser,
  override?: PolicyOverride,
): Promise<Decision> {
  const current = k.providers.audiencePolicy(user.audience);
  const policy = current && override ? { ...current, ...override } : current;
  const allowed = policy ? k.providers.allowed(user.audience, policy) : [];
  const enrollments = await k.stores.enrollments.listByUser(user.id);
  const codes = enrollments.length > 0 ? await k.stores.enrollments.countRecoveryCodes(user.id) : 0;
  const requirement = decideRequirement(
    policy,
    allowed,
    enrollments.map((e) => e.providerId),
    codes,
  );
  const usable = enrollments.filter((e) => allowed.includes(e.providerId));
  return { requirement, enrollments, usable };
}

export function summarise(e: EnrollmentRecord): EnrollmentSummary {
  return {
    id: e.id,
    providerId: e.providerId,
    label: e.label,
    createdAt: e.createdAt,
    lastUsedAt: e.lastUsedAt,
  };
}

/**
 * How many users of each audience a policy change would challenge, force to enroll, refuse or
 * let through, before the change is made ("Enable 2FA globally" without locking anyone out).
 */
export async function dryRunEnforcement(
  k: Kernel,
  users: Iterable<TwoFactorUser> | AsyncIterable<TwoFactorUser>,
  overrides: Readonly<Record<string, PolicyOverride>>,
): Promise<Record<string, AudienceDryRun>> {
  const report: Record<string, AudienceDryRun> = {};
  for await (const user of users) {
    k.checkUser(user);
    const override = Object.hasOwn(overrides, user.audience) ? overrides[user.audience] : undefined;
    const { requirement, enrollments } = await decide(k, user, override ?? {});
    // Own rows only: an audience named `constructor` must not find Object's.
    if (!Object.hasOwn(report, user.audience)) {
      report[user.audience] = { users: 0, enrolled: 0, challenge: 0, enroll: 0, deny: 0, skip: 0 };
    }
    const row = report[user.audience]!;
    row.users++;
    if (enrollments.length > 0) row.enrolled++;
    row[requirement.action]++;
  }
  return report;
}
