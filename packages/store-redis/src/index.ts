export {
  createRedisStores,
  RedisPendingStore,
  RedisThrottleStore,
  type RedisStoreOptions,
  type RedisStores,
} from './redis-stores.js';
