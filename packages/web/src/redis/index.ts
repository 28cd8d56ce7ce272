export {
  RedisSecondStepStore,
  type RedisSecondStepStoreOptions,
} from './redis-second-step-store.js';
