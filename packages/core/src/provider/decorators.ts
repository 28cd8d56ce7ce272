import { inject, injectable } from '../di.js';
import { ProviderRegistrationError } from '../errors.js';
import { Clock, HttpClient, Logger, RandomSource } from '../services.js';

/** The core services a provider constructor may take: the registry holds one of each. */
export type CoreServiceClass =
  typeof Clock | typeof RandomSource | typeof Logger | typeof HttpClient;

export const CORE_SERVICE_CLASSES: readonly CoreServiceClass[] = [
  Clock,
  RandomSource,
  Logger,
  HttpClient,
];

/** The constructor arguments an inject list stands for: `[typeof Clock]` gives `[Clock]`. */
export type InjectedServices<T extends readonly CoreServiceClass[]> = {
  -readonly [K in keyof T]: T[K] extends abstract new (...args: never[]) => infer I ? I : never;
};

export interface ProviderOptions<T extends readonly CoreServiceClass[]> {
  /**
   * The core services the constructor takes, in parameter order. With this list the class needs
   * no decorator metadata, so it works under esbuild, tsx, SWC and Bun, which never emit
   * `design:paramtypes`. TypeScript checks the list against the constructor's parameter types.
   */
  readonly inject: T;
}

// Classes that listed their services explicitly: the registry trusts the list over metadata,
// including an empty list for a constructor that needs nothing injected.
const explicitLists = new WeakMap<object, readonly CoreServiceClass[]>();
// Classes @Provider() was applied to (their own decorator, not a parent's): without metadata
// nothing else tells the registry that a class was decorated at all.
const decorated = new WeakSet<object>();

/** The explicit inject list of a provider class, if it was decorated with one. */
export function explicitInjectList(target: object): readonly CoreServiceClass[] | undefined {
  return explicitLists.get(target);
}

/** Whether @Provider() was applied to this very class. */
export function isDecoratedProvider(target: object): boolean {
  return decorated.has(target);
}

const serviceNames = (): string => CORE_SERVICE_CLASSES.map((c) => c.name).join(', ');

/**
 * Marks a provider class for constructor injection of core services (Clock, RandomSource,
 * Logger, HttpClient).
 *
 * `@Provider()` reads the parameter types from the `design:paramtypes` metadata that tsc emits
 * with `emitDecoratorMetadata`. Parameter types must then be imported as values, not with
 * `import type`: a type-only import erases the class and the container would receive `Object`.
 *
 * `@Provider({ inject: [Clock, RandomSource] })` lists the services instead, and needs no
 * metadata at all.
 */
export function Provider(): ClassDecorator;
export function Provider<const T extends readonly CoreServiceClass[]>(
  options: ProviderOptions<T>,
): (target: new (...args: InjectedServices<T>) => object) => void;
export function Provider(
  options?: ProviderOptions<readonly CoreServiceClass[]>,
): (target: abstract new (...args: never[]) => unknown) => void {
  return (target) => {
    if (options !== undefined) declareInjectList(target, options);
    (injectable() as (t: unknown) => void)(target);
    decorated.add(target);
  };
}

function declareInjectList(
  target: abstract new (...args: never[]) => unknown,
  options: ProviderOptions<readonly CoreServiceClass[]>,
): void {
  const name = target.name || '(anonymous)';
  const list: unknown = options?.inject;
  if (!Array.isArray(list)) {
    throw new ProviderRegistrationError(
      `@Provider() on ${name}: "inject" must be an array of core service classes (${serviceNames()}).`,
    );
  }
  list.forEach((service: unknown, index) => {
    if (!CORE_SERVICE_CLASSES.includes(service as CoreServiceClass)) {
      const what = typeof service === 'function' ? service.name || 'a function' : String(service);
      throw new ProviderRegistrationError(
        `@Provider() on ${name}: inject[${index}] is ${what}; only ${serviceNames()} can be injected.`,
      );
    }
  });
  if (target.length > list.length) {
    throw new ProviderRegistrationError(
      `@Provider() on ${name}: the constructor takes ${target.length} parameters but "inject" lists ${list.length}.`,
    );
  }
  // The list stands in for the metadata tsc would emit, as the class's own entry. (tsyringe
  // writes @inject tokens into the paramtypes array it reads, so an inherited array would be
  // the parent's, changed for every class that shares it.)
  const services = [...(list as CoreServiceClass[])];
  Reflect.defineMetadata('design:paramtypes', services, target);
  explicitLists.set(target, Object.freeze([...services]));
}

/** Re-exported so provider authors never import tsyringe (or reflect-metadata) themselves. */
export { inject as Inject };
