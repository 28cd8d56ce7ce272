import { ProviderRegistrationError } from '../errors.js';
import type { Clock, HttpClient, Logger, RandomSource } from '../services.js';
import type { TwoFactorProvider } from './contract.js';

/** The core services of one registry, as a provider factory receives them. */
export interface ProviderServices {
  readonly clock: Clock;
  readonly random: RandomSource;
  readonly logger: Logger;
  readonly http: HttpClient;
}

// A registered symbol, so a factory made by one copy of core is still recognised by another.
const FACTORY = Symbol.for('@factorkit/core.provider-factory');

/** Builds a provider from the registry's services: made by `defineProvider`. */
export interface ProviderFactory {
  readonly [FACTORY]: true;
  readonly create: (services: ProviderServices) => TwoFactorProvider;
}

/**
 * A provider that needs no decorator metadata: `create` receives the registry's services and
 * returns the provider. Register it like a class:
 * `registry.register(defineProvider(({ clock, random }) => new MyProvider(clock, random)))`.
 * Each registry calls `create` once, with its own services.
 */
export function defineProvider(
  create: (services: ProviderServices) => TwoFactorProvider,
): ProviderFactory {
  if (typeof create !== 'function') {
    throw new ProviderRegistrationError('defineProvider needs a function (services) => provider.');
  }
  return Object.freeze({ [FACTORY]: true as const, create });
}

export function isProviderFactory(value: unknown): value is ProviderFactory {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[FACTORY] === true &&
    typeof (value as { create?: unknown }).create === 'function'
  );
}
