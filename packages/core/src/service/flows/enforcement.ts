import {
  decideRequirement,
  needsGraceDeadline,
  recoveryCodesUsable,
  type AudienceDryRun,
  type PolicyOverride,
  type Requirement,
} from '../../policy/policy.js';
import type { TwoFactorUser } from '../../provider/contract.js';
import type { EnrollmentRecord } from '../../store/types.js';
import type { Kernel } from '../kernel/kernel.js';
import type { EnrollmentSummary } from '../types.js';
import { graceClock, type GraceMode } from './grace.js';

/** One policy decision for one user, with what it was decided from. */
export interface Decision {
  readonly requirement: Requirement;
  /** Every enrollment of the user, oldest first. */
  readonly enrollments: readonly EnrollmentRecord[];
  /** The enrollments the user may use here (their provider is allowed for the audience). */
  readonly usable: readonly EnrollmentRecord[];
  /** The user's generation (EN-05), when the store read it along with the enrollments. */
  readonly generation?: number;
}

/**
 * The one decision behind `requirement`, the login chooser, `beginActivation` and the dry-run:
 * recomputed from the stores on every call (SECURITY.md EN-04), never cached in a session.
 */
export async function decide(
  k: Kernel,
  user: TwoFactorUser,
  override?: PolicyOverride,
  graceMode: GraceMode = 'start',
): Promise<Decision> {
  const current = k.providers.audiencePolicy(user.audience);
  const policy = current && override ? { ...current, ...override } : current;
  const allowed = policy ? k.providers.allowed(user.audience, policy) : [];
  // Codes that policy does not accept count as none: no chooser offers them (AS-04).
  const wantCodes = policy !== undefined && recoveryCodesUsable(policy);
  const { enrollments, codes, generation } = await readUser(k, user.id, wantCodes);
  const providerIds = enrollments.map((e) => e.providerId);
  // Only a user enforcement applies to gets a deadline: never an enrolled or unforced one.
  const grace =
    policy && needsGraceDeadline(policy, allowed, providerIds)
      ? await graceClock(k, user, policy, graceMode)
      : undefined;
  // Factors offered here that fall short of the audience's assurance: say so in a denial (AS-03).
  const offered = policy ? k.providers.offered(user.audience, policy) : [];
  const unmet = providerIds.some((id) => offered.includes(id) && !allowed.includes(id));

  const factors = enrollments.map((e) => ({
    enrollmentId: e.id,
    providerId: e.providerId,
    // A row written without a label (an older version) is listed by its provider's name.
    label: e.label ?? k.providers.displayName(e.providerId),
  }));
  const requirement = decideRequirement(policy, allowed, providerIds, codes, grace, {
    factors,
    unmetAssurance: unmet,
  });
  const usable = enrollments.filter((e) => allowed.includes(e.providerId));
  return { requirement, enrollments, usable, ...(generation === undefined ? {} : { generation }) };
}

/**
 * The user's enrollments and unused recovery codes (when wanted and the user has a factor), in
 * one round trip with the generation when the store offers `signInState`.
 */
async function readUser(k: Kernel, userId: string, wantCodes: boolean) {
  const store = k.stores.enrollments;
  if (store.signInState) {
    const s = await store.signInState(userId, wantCodes);
    const codes = wantCodes && s.enrollments.length > 0 ? s.recoveryCodes : 0;
    return { enrollments: s.enrollments, codes, generation: s.generation };
  }
  const enrollments = await store.listByUser(userId);
  const codes = wantCodes && enrollments.length > 0 ? await store.countRecoveryCodes(userId) : 0;
  return { enrollments, codes, generation: undefined };
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
    const { requirement, enrollments } = await decide(k, user, override ?? {}, 'peek');
    // Own rows only: an audience named `constructor` must not find Object's.
    if (!Object.hasOwn(report, user.audience)) report[user.audience] = emptyRow();
    const row = report[user.audience]!;
    row.users++;
    if (enrollments.length > 0) row.enrolled++;
    row[requirement.action]++;
    if (requirement.action === 'grace') {
      const { deadline } = requirement;
      const seen = row.graceDeadlines;
      row.graceDeadlines = seen
        ? { earliest: Math.min(seen.earliest, deadline), latest: Math.max(seen.latest, deadline) }
        : { earliest: deadline, latest: deadline };
    }
  }
  return report;
}

function emptyRow(): AudienceDryRun {
  return {
    users: 0,
    enrolled: 0,
    challenge: 0,
    enroll: 0,
    deny: 0,
    skip: 0,
    grace: 0,
    graceDeadlines: null,
  };
}
