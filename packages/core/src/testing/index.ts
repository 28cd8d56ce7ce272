/**
 * @factorkit/core/testing: what a provider author (or a store author) needs to prove their code
 * against core's contract. Runner-agnostic: pass vitest's, jest's or node:test's describe/it.
 */
export { FakeClock } from './fake-clock.js';
export { createHarness, testUser, type Harness, type HarnessOptions } from './harness.js';
export {
  providerConformanceChecks,
  describeProviderConformance,
  describeChecks,
  outcomeProblems,
  MALFORMED_INPUTS,
  type ConformanceOptions,
  type AnswerArgs,
  type Check,
  type TestApi,
} from './conformance.js';
export {
  storeContractChecks,
  describeStoreContract,
  type StoreContractOptions,
} from './store-contract.js';
export { MemoryStore } from '../store/memory.js';
export { interceptStores, onceBefore, type StoreCall } from './intercept-stores.js';
