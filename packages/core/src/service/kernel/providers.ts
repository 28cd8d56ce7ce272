import type { AudiencePolicy, DeploymentConfig } from '../../config/deployment.js';
import { DEFAULT_MAX_ENROLLMENTS } from '../../config/enrollment-limit.js';
import {
  FactorkitError,
  InvalidArgumentError,
  ProviderError,
  ProviderNotFoundError,
} from '../../errors.js';
import { allowedProviders } from '../../policy/policy.js';
import type {
  EnrolledFactor,
  JsonValue,
  ProviderContext,
  ProviderQuota,
  TwoFactorProvider,
  TwoFactorUser,
} from '../../provider/contract.js';
import type { ProviderRegistry } from '../../provider/registry.js';
import type { ThrottleStore } from '../../store/types.js';
import {
  declaredAssurance,
  meetsAssurance,
  type AmrValue,
  type AssuranceRequirement,
  type FactorAssurance,
} from '../../provider/assurance.js';
import type { AuditTrail } from './audit-trail.js';

type AllowPolicy = Pick<AudiencePolicy, 'providers'> & Partial<AssuranceRequirement>;

/** What a success proves: carried by every `SecondFactorSuccess`. */
export interface Proof {
  readonly assurance: FactorAssurance;
  readonly amr: readonly AmrValue[];
}

/** A provider that names no `amr` proved some second factor: RFC 8176's `mfa`. */
const DEFAULT_AMR: readonly AmrValue[] = ['mfa'];

/**
 * The providers as the service sees them: which ones a user may use, the context every hook gets
 * (validated settings, quotas, request info), and the check on what a `begin` hook returns.
 */
export class Providers {
  constructor(
    private readonly registry: ProviderRegistry,
    private readonly config: DeploymentConfig,
    private readonly throttle: ThrottleStore,
    private readonly audit: AuditTrail,
  ) {}

  get(id: string): TwoFactorProvider {
    return this.registry.get(id);
  }

  /** Own-property lookup: an audience named `constructor` or `__proto__` has no policy. */
  audiencePolicy(audience: string): AudiencePolicy | undefined {
    const all = this.config.policy.audiences;
    return Object.hasOwn(all, audience) ? all[audience] : undefined;
  }

  /** Registered, enabled, offered to the audience and allowed by its `providers` list. */
  offered(audience: string, policy?: Pick<AudiencePolicy, 'providers'>): string[] {
    return allowedProviders(this.config, audience, policy).filter((id) => this.registry.has(id));
  }

  /**
   * Offered, and proving what the audience's assurance policy asks (SECURITY.md AS-02): the one
   * list every enrollment, chooser, challenge and removal decision uses.
   */
  allowed(audience: string, policy?: AllowPolicy): string[] {
    const rules = policy ?? this.audiencePolicy(audience);
    return this.offered(audience, policy).filter((id) =>
      meetsAssurance(declaredAssurance(this.registry.get(id).capabilities), rules),
    );
  }

  /**
   * What one success with this provider proves: the declared assurance, lowered (never raised)
   * by what the provider reported for this success, and its RFC 8176 `amr` values.
   */
  proof(
    providerId: string,
    reported: { amr?: readonly AmrValue[]; assurance?: FactorAssurance },
  ): Proof {
    const caps = this.registry.get(providerId).capabilities;
    const declared = declaredAssurance(caps);
    const lower = reported.assurance ?? declared;
    return {
      assurance: Object.freeze({
        phishingResistant: declared.phishingResistant && lower.phishingResistant,
        hardwareBound: declared.hardwareBound && lower.hardwareBound,
        aal: Math.min(declared.aal, lower.aal) as FactorAssurance['aal'],
      }),
      amr: Object.freeze([...(reported.amr ?? caps.amr ?? DEFAULT_AMR)]),
    };
  }

  /** Whether the provider is enabled in this deployment (allowed or not for a given audience). */
  enabled(id: string): boolean {
    const d = Object.hasOwn(this.config.providers, id) ? this.config.providers[id] : undefined;
    return !!d?.enabled && this.registry.has(id);
  }

  /** The provider's display name, or its id when it is not registered in this build. */
  displayName(id: string): string {
    return this.registry.has(id) ? this.registry.get(id).displayName : id;
  }

  /**
   * How many enrollments of the provider a user may hold: the entry's `maxEnrollments`, never
   * above 1 for a provider that does not declare `multipleEnrollments` (EN-07).
   */
  maxEnrollments(id: string): number {
    if (this.registry.get(id).capabilities.multipleEnrollments !== true) return 1;
    const d = Object.hasOwn(this.config.providers, id) ? this.config.providers[id] : undefined;
    return d?.maxEnrollments ?? DEFAULT_MAX_ENROLLMENTS;
  }

  /** The context of one hook call for one user. */
  context(
    providerId: string,
    user: TwoFactorUser,
    step: { lastCounter?: number | null; pendingId?: string; enrolled?: EnrolledFactor[] } = {},
  ): ProviderContext {
    const deployment = Object.hasOwn(this.config.providers, providerId)
      ? this.config.providers[providerId]
      : undefined;
    if (!deployment || !deployment.enabled || !this.registry.has(providerId))
      throw new ProviderNotFoundError(providerId);
    const request = this.audit.request;
    return {
      providerId,
      config: deployment.settings,
      audience: user.audience,
      constants: this.config.constants,
      ...(step.lastCounter === undefined ? {} : { lastCounter: step.lastCounter }),
      ...(step.pendingId === undefined ? {} : { pendingId: step.pendingId }),
      ...(step.enrolled === undefined ? {} : { enrolled: Object.freeze(step.enrolled) }),
      quota: this.quota(providerId, user.id),
      ...(request ? { request } : {}),
    };
  }

  /** The context of a health check: no user, the first audience's view of the settings. */
  healthContext(providerId: string): ProviderContext {
    const d = this.config.providers[providerId]!;
    return {
      providerId,
      config: d.settings,
      audience: d.audiences[0] ?? '',
      constants: this.config.constants,
    };
  }

  private quota(providerId: string, userId: string): ProviderQuota {
    const scoped = (key: string) =>
      `quota:${[providerId, userId, key].map((x) => encodeURIComponent(x)).join(':')}`;
    const clock = this.registry.clock;
    return {
      take: async (key, limit, windowMs) => {
        if (!Number.isInteger(limit) || limit < 1 || limit > 100 || !(windowMs > 0)) {
          throw new InvalidArgumentError('quota limit must be 1..100 and the window positive');
        }
        const now = clock.now();
        // One atomic store operation: parallel sign-ins on any number of instances cannot take
        // more than `limit` units of a window, also right after one ended (CC-03, BF-05).
        const r = await this.throttle.takeQuota(scoped(key), now, limit, Math.ceil(windowMs));
        return r.ok ? { ok: true } : { ok: false, retryAfterMs: Math.max(0, r.retryAt - now) };
      },
      release: (key) => this.throttle.releaseQuota(scoped(key)),
    };
  }

  /**
   * Runs a `begin*` hook. A typed error passes through whole; anything else thrown is a provider
   * fault; a result without a prompt of an accepted kind is refused (fail closed).
   */
  async begin<P>(
    fn: () => Promise<unknown>,
    kinds: readonly string[],
  ): Promise<{ prompt: P; pending: JsonValue }> {
    let r: unknown;
    try {
      r = await fn();
    } catch (err) {
      if (err instanceof FactorkitError) throw err;
      throw new ProviderError('The two-factor provider failed to start this step.', { cause: err });
    }
    const o = r as { prompt?: { kind?: unknown }; pending?: unknown } | null;
    if (
      !o ||
      typeof o !== 'object' ||
      !o.prompt ||
      typeof o.prompt !== 'object' ||
      !kinds.includes(o.prompt.kind as string)
    ) {
      throw new ProviderError('The two-factor provider returned an invalid prompt.');
    }
    return { prompt: o.prompt as P, pending: (o.pending ?? null) as JsonValue };
  }
}
