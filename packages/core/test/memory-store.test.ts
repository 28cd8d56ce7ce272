import { describe, it } from 'vitest';
import { MemoryStore } from '../src/index.js';
import { describeStoreContract } from '../src/testing/index.js';

describeStoreContract('memory', { create: async () => new MemoryStore() }, { describe, it });
