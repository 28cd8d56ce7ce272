export {
  createSqlStores,
  openSqlStores,
  type SqlStoreOptions,
  type SqliteStoreOptions,
  type PostgresStoreOptions,
  type SqlStores,
} from './create-sql-stores.js';
export { SqlEnrollmentStore } from './enrollment-store.js';
export { SqlPendingStore } from './pending-store.js';
export { SqlThrottleStore } from './throttle-store.js';
export { MIGRATION_NAMES, type SqlDialectName } from './migrations.js';
export type { SqlTestHooks } from './context.js';
export type { Database } from './schema.js';
export { DRIVERS, MissingDriverError } from './drivers.js';
