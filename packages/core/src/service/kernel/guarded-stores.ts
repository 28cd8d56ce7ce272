import { FactorkitError, InvalidArgumentError, StoreUnavailableError } from '../../errors.js';
import {
  EnrollmentConflictError,
  GenerationChangedError,
  LookupKeyTakenError,
  type FactorkitStores,
} from '../../store/types.js';
import { incompleteStoresMessage, missingStoreMethods } from '../../store/contract-methods.js';

/**
 * Wraps every store method once, at the edge: any failure that is not already one of ours becomes
 * STORE_UNAVAILABLE, so a broken database is never mistaken for a wrong code (SECURITY.md OUT-05)
 * and no flow has to remember to wrap a call. `EnrollmentConflictError`,
 * `GenerationChangedError` and `LookupKeyTakenError` pass through: they are the store's answers,
 * not its failures.
 */
export function guardStores(stores: FactorkitStores): FactorkitStores {
  // Checked once, when the service is built: never a "not a function" in the middle of a sign-in.
  const missing = missingStoreMethods(stores);
  if (missing.length > 0) throw new InvalidArgumentError(incompleteStoresMessage(missing));
  // A pending store reads enrollments along with a take only from the store given here: one of
  // another database (or none) must not answer for it.
  const joined = stores.pending.joinedEnrollments === stores.enrollments;
  return {
    enrollments: guard(stores.enrollments),
    pending: guard(stores.pending, joined ? [] : ['takeWithEnrollment']),
    throttle: guard(stores.throttle),
  };
}

function guard<T extends object>(store: T, hidden: readonly PropertyKey[] = []): T {
  const wrapped = new Map<PropertyKey, unknown>();
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (hidden.includes(prop)) return undefined;
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
              err instanceof GenerationChangedError ||
              err instanceof LookupKeyTakenError
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
