import type { DeploymentConfig } from '../../config/deployment.js';
import { SecretBox } from '../../crypto/secret-box.js';
import { InvalidArgumentError } from '../../errors.js';
import type { TwoFactorUser } from '../../provider/contract.js';
import { PROVIDER_ID_RE, type ProviderRegistry } from '../../provider/registry.js';
import type { Logger, RandomSource } from '../../services.js';
import type { FactorkitStores } from '../../store/types.js';
import type { TwoFactorServiceOptions } from '../types.js';
import { Attempts, throttleSchedule } from './attempts.js';
import { AuditTrail } from './audit-trail.js';
import { EnrollmentSecrets } from './enrollment-secrets.js';
import { Generations } from './generations.js';
import { guardStores } from './guarded-stores.js';
import { PendingSteps } from './pending-steps.js';
import { Providers } from './providers.js';
import { PushWatch } from './push-watch.js';
import { SecurityTimeline, timelineSettings } from './security-timeline.js';

const AUDIENCE_RE = /^[a-z][a-z0-9_-]{0,31}$/;
/** Half of a surrogate pair: such an id has no UTF-8 form, and would share a salt with others. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * The security mechanisms every flow shares, built once per service. Flows order steps; the
 * kernel's parts decide: guarded stores, the attempt budget, pending steps, sealed enrollments,
 * the providers' view of the deployment, and the audit trail.
 */
export class Kernel {
  readonly config: DeploymentConfig;
  readonly stores: FactorkitStores;
  readonly audit: AuditTrail;
  readonly attempts: Attempts;
  readonly pending: PendingSteps;
  readonly secrets: EnrollmentSecrets;
  readonly generations: Generations;
  readonly providers: Providers;
  readonly pushes: PushWatch;
  readonly random: RandomSource;
  readonly logger: Logger;
  private readonly registry: ProviderRegistry;

  constructor(options: TwoFactorServiceOptions) {
    this.stores = guardStores(options?.stores);
    this.registry = options.registry;
    this.config = options.config;
    this.random = this.registry.random;
    this.logger = this.registry.logger;
    const clock = this.registry.clock;
    const box = new SecretBox(this.config.encryption, this.random);
    const timeline = new SecurityTimeline(
      this.stores.enrollments,
      options.notifier,
      this.logger,
      this.random,
      timelineSettings(options),
    );
    this.audit = new AuditTrail(options.audit, this.logger, clock, (e) => timeline.record(e));
    this.attempts = new Attempts(
      this.stores.throttle,
      throttleSchedule(this.config.policy.throttle),
      clock,
      this.audit,
    );
    this.pending = new PendingSteps(
      this.stores.pending,
      box,
      this.random,
      clock,
      this.config.policy.pending.ttlSeconds * 1000,
      this.audit,
      (id) =>
        this.registry.has(id) && this.registry.get(id).capabilities.statelessChallenge === true,
    );
    this.secrets = new EnrollmentSecrets(box);
    this.generations = new Generations(this.stores.enrollments, this.stores.pending);
    this.providers = new Providers(this.registry, this.config, this.stores.throttle, this.audit);
    this.pushes = new PushWatch(this.stores.throttle, clock, this.audit);
  }

  now(): number {
    return this.registry.clock.now();
  }

  /**
   * A provider id from the host: the shape of a registered id, or INVALID_ARGUMENT, so a huge or
   * control-laden value never reaches an error message or a log (LG-01).
   */
  checkProviderId(providerId: unknown): asserts providerId is string {
    if (typeof providerId !== 'string' || !PROVIDER_ID_RE.test(providerId)) {
      throw new InvalidArgumentError(
        'providerId must be a provider id: 2 to 32 lower-case letters, digits or -, starting with a letter.',
      );
    }
  }

  /** Every public call checks its user first: lengths before patterns, so cost stays bounded. */
  checkUser(user: TwoFactorUser): void {
    if (
      typeof user !== 'object' ||
      user === null ||
      typeof user.id !== 'string' ||
      user.id.length === 0 ||
      user.id.length > 255 ||
      LONE_SURROGATE.test(user.id) ||
      typeof user.audience !== 'string' ||
      user.audience.length > 32 ||
      !AUDIENCE_RE.test(user.audience) ||
      typeof user.username !== 'string'
    ) {
      throw new InvalidArgumentError(
        'user must have a non-empty string id (at most 255 characters of well-formed text), an audience name (lower-case letters, digits, - or _) and a username.',
      );
    }
  }
}
