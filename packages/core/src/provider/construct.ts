import type { DependencyContainer } from '../di.js';
import { ProviderRegistrationError } from '../errors.js';
import type { ProviderClass, TwoFactorProvider } from './contract.js';
import { CORE_SERVICE_CLASSES, explicitInjectList, isDecoratedProvider } from './decorators.js';
import { isProviderFactory, type ProviderServices } from './factory.js';

// tsyringe's metadata key for @Inject parameter tokens.
const INJECTION_TOKENS = 'injectionTokens';

const nameOf = (f: { readonly name: string }): string => f.name || '(anonymous)';
const SERVICE_NAMES = CORE_SERVICE_CLASSES.map(nameOf).join(', ');

/**
 * How many constructor parameters the container must supply. A subclass without its own
 * constructor reports length 0 but passes every argument on to its parent, so the nearest
 * ancestor that declares parameters decides.
 */
function parametersNeeded(cls: ProviderClass): number {
  for (let c: unknown = cls; typeof c === 'function' && c !== Function.prototype;) {
    if (c.length > 0) return c.length;
    c = Object.getPrototypeOf(c);
  }
  return 0;
}

function fixes(cls: ProviderClass, decorated: boolean): string {
  return (
    `Fix it in either of two ways. Without metadata: list the services in constructor order with ` +
    `@Provider({ inject: [Clock, RandomSource] }) (any of ${SERVICE_NAMES}), or register a factory, ` +
    `registry.register(defineProvider((services) => new ${nameOf(cls)}(services.clock, services.random))). ` +
    `With metadata: ${decorated ? '' : 'decorate it with @Provider() and '}compile with tsc and ` +
    `"experimentalDecorators": true, "emitDecoratorMetadata": true.`
  );
}

/** Explains, before the container fails obscurely (or builds a half-made provider), what is wrong. */
function diagnose(cls: ProviderClass): void {
  if (explicitInjectList(cls) !== undefined) return;
  const needed = parametersNeeded(cls);
  if (needed === 0) return;
  const name = nameOf(cls);
  const takes = `Provider class ${name} takes ${needed} constructor parameter${needed === 1 ? '' : 's'}`;
  if (!isDecoratedProvider(cls)) {
    // tsyringe would call an undecorated subclass with no arguments at all.
    throw new ProviderRegistrationError(
      `${takes} but is not itself decorated with @Provider(), so core cannot tell which services to inject. ${fixes(cls, false)}`,
      { details: { providerClass: name, parameters: needed } },
    );
  }
  const declared = Reflect.getMetadata('design:paramtypes', cls) as unknown[] | undefined;
  const tokens = (Reflect.getOwnMetadata(INJECTION_TOKENS, cls) ?? {}) as Record<string, unknown>;
  const hasToken = (i: number) => Object.hasOwn(tokens, String(i));
  const indices = Array.from({ length: needed }, (_, i) => i);
  const missing = indices.filter((i) => declared?.[i] === undefined && !hasToken(i));
  if (declared === undefined && missing.length > 0) {
    throw new ProviderRegistrationError(
      `${takes} but carries no decorator metadata (design:paramtypes), so core cannot tell which ` +
        `services to inject. The likely cause: it was compiled without emitDecoratorMetadata, or by a ` +
        `compiler that never emits it (esbuild, tsx, SWC, Bun). ${fixes(cls, true)}`,
      { details: { providerClass: name, parameters: needed, missing } },
    );
  }
  const erased = indices.find((i) => declared?.[i] === Object && !hasToken(i));
  if (erased !== undefined) {
    throw new ProviderRegistrationError(
      `Provider class ${name}: constructor parameter ${erased} has the type Object in its decorator ` +
        `metadata. Import the service class as a value, not with "import type" (a type-only import ` +
        `erases the class), and type the parameter as one of ${SERVICE_NAMES}.`,
      { details: { providerClass: name, parameter: erased } },
    );
  }
}

/**
 * Turns what `ProviderRegistry.register` received into an instance: a provider class (resolved by
 * the container), a `defineProvider` factory (called with the services), or an instance as is.
 */
export function constructProvider(
  provider: unknown,
  container: DependencyContainer,
  services: ProviderServices,
): unknown {
  if (isProviderFactory(provider)) {
    try {
      return provider.create(services);
    } catch (cause) {
      throw new ProviderRegistrationError(
        'The provider factory threw while creating the provider.',
        {
          cause,
        },
      );
    }
  }
  if (typeof provider !== 'function') return provider;
  if (!Object.hasOwn(provider, 'prototype')) {
    // Arrow functions and methods cannot be constructed: most likely a bare factory.
    throw new ProviderRegistrationError(
      'register() got a function that is not a class. To register a factory, wrap it: ' +
        'registry.register(defineProvider((services) => new MyProvider(services.clock))).',
    );
  }
  const cls = provider as ProviderClass;
  diagnose(cls);
  try {
    return container.resolve<TwoFactorProvider>(cls as never);
  } catch (cause) {
    throw new ProviderRegistrationError(
      `Provider class ${nameOf(cls)} could not be constructed: decorate it with @Provider() and inject only core services (${SERVICE_NAMES}).`,
      { cause },
    );
  }
}
