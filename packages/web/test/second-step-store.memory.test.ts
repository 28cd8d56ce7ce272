import { describe } from 'vitest';
import { MemorySecondStepStore } from '../src/index.js';
import { secondStepStoreContract } from './second-step-store-contract.js';

describe('MemorySecondStepStore: the store contract', () =>
  secondStepStoreContract(async () => {
    let now = 1_000_000;
    return {
      store: new MemorySecondStepStore(() => now),
      expire: async (ttlMs) => {
        now += ttlMs + 1;
      },
    };
  }));
