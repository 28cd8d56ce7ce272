export {
  createRedisStores,
  RedisPendingStore,
  RedisThrottleStore,
  type RedisStoreOptions,
  type RedisStores,
} from './redis-stores.js';
export { userHashTag, type RedisClient } from './commands.js';
