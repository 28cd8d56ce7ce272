import { satisfies, validRange } from 'semver';
import { rootContainer, type DependencyContainer } from '../di.js';
import { ProviderNotFoundError, ProviderRegistrationError } from '../errors.js';
import {
  Clock,
  CryptoRandomSource,
  FetchHttpClient,
  HttpClient,
  Logger,
  NoopLogger,
  RandomSource,
  SystemClock,
} from '../services.js';
import { CORE_VERSION } from '../version.js';
import { amrProblem, assuranceDeclarationProblem } from './assurance.js';
import { constructProvider } from './construct.js';
import type { ProviderClass, TwoFactorProvider } from './contract.js';
import type { ProviderFactory, ProviderServices } from './factory.js';

export interface CoreServices {
  clock?: Clock;
  random?: RandomSource;
  logger?: Logger;
  http?: HttpClient;
}

/** What `ProviderRegistry.register` accepts. */
export type ProviderSource = ProviderClass | ProviderFactory | TwoFactorProvider;

export interface ProviderDescriptor {
  id: string;
  displayName: string;
  coreVersion: string;
  capabilities: TwoFactorProvider['capabilities'];
}

/** A provider id: also what hosts pass back, so it is checked before it reaches a message. */
export const PROVIDER_ID_RE = /^[a-z][a-z0-9-]{1,31}$/;
const HOOKS = ['beginActivation', 'completeActivation', 'beginChallenge', 'verify'] as const;
const OPTIONAL_HOOKS = ['healthCheck', 'deactivate', 'failOpenAllowed', 'publicInfo'] as const;

// tsyringe's token type wants a concrete constructor; our service tokens are abstract classes.
type Token = new (...args: never[]) => unknown;
const token = (c: abstract new (...args: never[]) => unknown): Token => c as unknown as Token;

/**
 * Holds the providers of one host. Each registry has its own child container, so two hosts (or
 * two tests) in one process never share instances. tsyringe stays an implementation detail.
 */
export class ProviderRegistry {
  private readonly container: DependencyContainer;
  private readonly providers = new Map<string, TwoFactorProvider>();
  readonly clock: Clock;
  readonly random: RandomSource;
  readonly logger: Logger;
  readonly http: HttpClient;

  constructor(services: CoreServices = {}) {
    this.container = rootContainer.createChildContainer();
    this.clock = services.clock ?? new SystemClock();
    this.random = services.random ?? new CryptoRandomSource();
    this.logger = services.logger ?? new NoopLogger();
    this.http = services.http ?? new FetchHttpClient();
    this.container.register(token(Clock), { useValue: this.clock });
    this.container.register(token(RandomSource), { useValue: this.random });
    this.container.register(token(Logger), { useValue: this.logger });
    this.container.register(token(HttpClient), { useValue: this.http });
  }

  /**
   * Registers a provider: a class (its constructor's core services injected, from decorator
   * metadata or from `@Provider({ inject })`), a `defineProvider` factory, or an instance.
   */
  register(provider: ProviderSource): this {
    const instance = constructProvider(
      provider,
      this.container,
      this.services(),
    ) as TwoFactorProvider;
    this.check(instance);
    if (this.providers.has(instance.id)) {
      throw new ProviderRegistrationError(
        `A provider with id "${instance.id}" is already registered.`,
        {
          details: { providerId: instance.id },
        },
      );
    }
    this.providers.set(instance.id, instance);
    return this;
  }

  private check(p: TwoFactorProvider): void {
    if (typeof p !== 'object' || p === null) {
      throw new ProviderRegistrationError(
        `A provider must be an object (or a class or factory that makes one), got ${p === null ? 'null' : typeof p}.`,
      );
    }
    const fail = (why: string): never => {
      throw new ProviderRegistrationError(
        `Provider "${String((p as { id?: unknown }).id)}" is invalid: ${why}`,
      );
    };
    if (p.id === 'recovery-code')
      fail('the id "recovery-code" is reserved for core\'s recovery codes');
    if (typeof p.id !== 'string' || !PROVIDER_ID_RE.test(p.id))
      fail('id must be 2-32 lower-case letters, digits or -, starting with a letter');
    if (typeof p.displayName !== 'string' || p.displayName.trim() === '')
      fail('displayName must be a non-empty string');
    if (typeof p.configSchema !== 'function') fail('configSchema must be a class');
    const caps = p.capabilities as unknown as Record<string, unknown> | undefined;
    if (
      !caps ||
      typeof caps['interactive'] !== 'boolean' ||
      typeof caps['replayCounter'] !== 'boolean' ||
      typeof caps['retryableChallenge'] !== 'boolean' ||
      !['none', 'redirect', 'push'].includes(caps['outOfBand'] as string)
    ) {
      fail(
        'capabilities must set interactive, replayCounter, retryableChallenge (booleans) and outOfBand (none, redirect or push)',
      );
    }
    const claim =
      assuranceDeclarationProblem(caps!['assurance']) ??
      amrProblem(caps!['amr'], 'capabilities.amr');
    if (claim) fail(claim);

    for (const flag of ['multipleEnrollments', 'counterRegressionMeansClone', 'statelessChallenge'])
      if (caps?.[flag] !== undefined && typeof caps[flag] !== 'boolean')
        fail(`capabilities.${flag} must be a boolean when set`);
    // A push or redirect step carries the remote transaction: it can never be stateless.
    if (caps?.['statelessChallenge'] === true && caps['outOfBand'] !== 'none')
      fail("capabilities.statelessChallenge needs outOfBand 'none'");
    for (const h of HOOKS) if (typeof p[h] !== 'function') fail(`hook ${h} is missing`);
    for (const h of OPTIONAL_HOOKS)
      if (p[h] !== undefined && typeof p[h] !== 'function') fail(`${h} must be a function`);
    if (typeof p.coreVersion !== 'string' || validRange(p.coreVersion) === null) {
      fail('coreVersion must be a semver range such as "^0.1.0"');
    }
    if (!satisfies(CORE_VERSION, p.coreVersion, { includePrerelease: true })) {
      throw new ProviderRegistrationError(
        `Provider "${p.id}" supports @factorkit/core ${p.coreVersion}, but this is @factorkit/core ${CORE_VERSION}. Upgrade the provider or core so the ranges meet.`,
        { details: { providerId: p.id, coreVersion: CORE_VERSION, supported: p.coreVersion } },
      );
    }
  }

  /** The services a `defineProvider` factory receives. */
  private services(): ProviderServices {
    return Object.freeze({
      clock: this.clock,
      random: this.random,
      logger: this.logger,
      http: this.http,
    });
  }

  has(id: string): boolean {
    return this.providers.has(id);
  }

  get(id: string): TwoFactorProvider {
    const p = this.providers.get(id);
    if (!p) throw new ProviderNotFoundError(id);
    return p;
  }

  ids(): string[] {
    return [...this.providers.keys()];
  }

  list(): ProviderDescriptor[] {
    return [...this.providers.values()].map((p) => ({
      id: p.id,
      displayName: p.displayName,
      coreVersion: p.coreVersion,
      capabilities: { ...p.capabilities },
    }));
  }
}
