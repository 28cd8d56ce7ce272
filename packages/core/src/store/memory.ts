import { MemoryEnrollmentStore } from './memory-enrollments.js';
import { MemoryPendingStore } from './memory-pending.js';
import { MemoryThrottleStore } from './memory-throttle.js';
import type { FactorkitStores } from './types.js';

export { MemoryEnrollmentStore, MemoryPendingStore, MemoryThrottleStore };

/**
 * In-memory stores for tests, examples and single-process hosts. Each operation runs to
 * completion without awaiting, which makes it atomic on Node's single thread. State is lost on
 * restart and not shared between processes: use @factorkit/store-sql or store-redis for that.
 */
export class MemoryStore implements FactorkitStores {
  readonly enrollments = new MemoryEnrollmentStore();
  readonly pending = new MemoryPendingStore();
  readonly throttle = new MemoryThrottleStore();
}
