import type { FactorkitStores } from '../store/types.js';
import type { Check, TestApi } from './conformance.js';
import { enrollmentChecks } from './store-checks/enrollment-checks.js';
import { pendingExpiryChecks } from './store-checks/pending-expiry-checks.js';
import { pendingChecks } from './store-checks/pending-checks.js';
import { quotaChecks } from './store-checks/quota-checks.js';
import { recoveryCodeChecks } from './store-checks/recovery-code-checks.js';
import { throttleChecks } from './store-checks/throttle-checks.js';

export interface StoreContractOptions {
  /** Fresh stores on empty data (a new database, schema or key prefix per call). */
  create(): Promise<FactorkitStores>;
  /** Called after each check with the stores it created. */
  dispose?(stores: FactorkitStores): Promise<void>;
}

/**
 * The behaviour every store adapter must have, one file per concern under `store-checks/`. The
 * concurrency checks fire many operations at once and count winners: an adapter that reads,
 * then checks, then writes fails them.
 */
export function storeContractChecks(options: StoreContractOptions): Check[] {
  const cases = [
    ...pendingChecks(),
    ...pendingExpiryChecks(),
    ...enrollmentChecks(),
    ...recoveryCodeChecks(),
    ...throttleChecks(),
    ...quotaChecks(),
  ];
  return cases.map((c) => ({
    name: c.name,
    async run() {
      const s = await options.create();
      try {
        await c.run(s);
      } finally {
        await options.dispose?.(s);
      }
    },
  }));
}

export function describeStoreContract(
  name: string,
  options: StoreContractOptions,
  api: TestApi,
): void {
  api.describe(`store contract: ${name}`, () => {
    for (const c of storeContractChecks(options)) api.it(c.name, () => c.run());
  });
}
