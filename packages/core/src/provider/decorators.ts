import { inject, injectable } from '../di.js';

/**
 * Marks a provider class for constructor injection of core services (Clock, RandomSource,
 * Logger, HttpClient). Parameter types must be imported as values, not with `import type`:
 * a type-only import erases the class and the container would receive `Object`.
 */
export function Provider(): ClassDecorator {
  return (target) => {
    (injectable() as (t: unknown) => void)(target);
  };
}

/** Re-exported so provider authors never import tsyringe (or reflect-metadata) themselves. */
export { inject as Inject };
