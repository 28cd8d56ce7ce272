import type { FactorkitStores } from '../store/types.js';

export interface StoreCall {
  readonly store: keyof FactorkitStores;
  readonly method: string;
  readonly args: readonly unknown[];
}

/**
 * The same stores, with `before` awaited ahead of every method call. Tests use it to land an
 * event at an exact point of a flow (an admin reset between the take and the commit), to add
 * latency as a shared database would, or to fail one operation: every other behaviour, and
 * every atomicity promise, stays the wrapped store's own.
 */
export function interceptStores(
  stores: FactorkitStores,
  before: (call: StoreCall) => Promise<void> | void,
): FactorkitStores {
  const wrap = <T extends object>(target: T, store: keyof FactorkitStores): T =>
    new Proxy(target, {
      get(t, prop, receiver) {
        const value: unknown = Reflect.get(t, prop, receiver);
        if (typeof value !== 'function') return value;
        return async (...args: unknown[]) => {
          await before({ store, method: String(prop), args });
          return (value as (...a: unknown[]) => Promise<unknown>).apply(t, args);
        };
      },
    });
  return {
    enrollments: wrap(stores.enrollments, 'enrollments'),
    pending: wrap(stores.pending, 'pending'),
    throttle: wrap(stores.throttle, 'throttle'),
  };
}

/**
 * Runs `action` once, the next time `method` of `store` is called, before that call goes
 * through; `arm` sets it again.
 */
export function onceBefore(stores: FactorkitStores, store: keyof FactorkitStores, method: string) {
  let action: (() => Promise<unknown>) | undefined;
  const wrapped = interceptStores(stores, async (call) => {
    if (call.store !== store || call.method !== method || !action) return;
    const run = action;
    action = undefined;
    await run();
  });
  return {
    stores: wrapped,
    arm(next: () => Promise<unknown>): void {
      action = next;
    },
  };
}
