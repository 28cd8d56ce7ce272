import { incompleteStoresMessage, missingStoreMethods } from '../store/contract-methods.js';
import type { FactorkitStores } from '../store/types.js';
import { describeChecks, type Check, type TestApi } from './conformance.js';
import { deviceChecks } from './store-checks/device-checks.js';
import { deviceRaceChecks } from './store-checks/device-race-checks.js';
import { enrollmentChecks } from './store-checks/enrollment-checks.js';
import { generationChecks } from './store-checks/generation-checks.js';
import { signInShortcutChecks } from './store-checks/sign-in-shortcut-checks.js';
import { lookupKeyChecks } from './store-checks/lookup-key-checks.js';
import { graceChecks } from './store-checks/grace-checks.js';
import { pendingExpiryChecks } from './store-checks/pending-expiry-checks.js';
import { pendingChecks } from './store-checks/pending-checks.js';
import { quotaChecks } from './store-checks/quota-checks.js';
import { recoveryCodeChecks } from './store-checks/recovery-code-checks.js';
import { severalEnrollmentsChecks } from './store-checks/several-enrollments-checks.js';
import { throttleChecks } from './store-checks/throttle-checks.js';
import { timelineChecks } from './store-checks/timeline-checks.js';

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
    ...generationChecks(),
    ...signInShortcutChecks(),
    ...graceChecks(),
    ...deviceChecks(),
    ...deviceRaceChecks(),
    ...recoveryCodeChecks(),
    ...severalEnrollmentsChecks(),
    ...lookupKeyChecks(),
    ...throttleChecks(),
    ...quotaChecks(),
    ...timelineChecks(),
  ];
  const complete = {
    name: 'contract: the stores implement every method of this contract version',
    run: async () => undefined,
  };
  return [complete, ...cases].map((c) => ({
    name: c.name,
    async run() {
      const s = await options.create();
      try {
        // A store written for an earlier contract fails every check with what it lacks, by name.
        const missing = missingStoreMethods(s);
        if (missing.length > 0) throw new Error(incompleteStoresMessage(missing));
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
  describeChecks(`store contract: ${name}`, storeContractChecks(options), api);
}
