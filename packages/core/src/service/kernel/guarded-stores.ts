import { FactorkitError, InvalidArgumentError, StoreUnavailableError } from '../../errors.js';
import {
  EnrollmentConflictError,
  GenerationChangedError,
  type FactorkitStores,
} from '../../store/types.js';

/** The methods each store must offer; checked once, when the service is built. */
const REQUIRED: Readonly<Record<keyof FactorkitStores, readonly string[]>> = {
  enrollments: [
    'activate',
    'generation',
    'listByUser',
    'advanceCounter',
    'consumeRecoveryCode',
    'trustDevice',
    'useTrustedDevice',
    'listTrustedDevices',
    'revokeTrustedDevice',
    'revokeTrustedDevices',
  ],
  pending: ['create', 'take', 'restore'],
  throttle: ['reserve', 'refund', 'reset', 'inspect', 'takeQuota', 'releaseQuota'],
};

/**
 * Wraps every store method once, at the edge: any failure that is not already one of ours becomes
 * STORE_UNAVAILABLE, so a broken database is never mistaken for a wrong code (SECURITY.md OUT-05)
 * and no flow has to remember to wrap a call. `EnrollmentConflictError` and
 * `GenerationChangedError` pass through: they are the store's answers, not its failures.
 */
export function guardStores(stores: FactorkitStores): FactorkitStores {
  const raw = stores as unknown as Record<string, Record<string, unknown> | undefined> | undefined;
  for (const [name, methods] of Object.entries(REQUIRED)) {
    const s = raw?.[name];
    if (!s || methods.some((m) => typeof s[m] !== 'function')) {
      throw new InvalidArgumentError(
        `stores.${name} is missing or incomplete: pass { enrollments, pending, throttle } (e.g. new MemoryStore(), or the .stores of openSqlStores()).`,
      );
    }
  }
  return {
    enrollments: guard(stores.enrollments),
    pending: guard(stores.pending),
    throttle: guard(stores.throttle),
  };
}

function guard<T extends object>(store: T): T {
  const wrapped = new Map<PropertyKey, unknown>();
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      let fn = wrapped.get(prop);
      if (!fn) {
        const method = value as (...args: unknown[]) => Promise<unknown>;
        fn = async (...args: unknown[]) => {
          try {
            return await method.apply(target, args);
          } catch (err) {
            if (
              err instanceof FactorkitError ||
              err instanceof EnrollmentConflictError ||
              err instanceof GenerationChangedError
            )
              throw err;
            throw new StoreUnavailableError(undefined, { cause: err });
          }
        };
        wrapped.set(prop, fn);
      }
      return fn;
    },
  });
}
