/**
 * What a host's `factorkit.config.mjs` exports for the `factorkit` command line: the providers
 * (or a registry), where the deployment config comes from, and the SQL store to open.
 */
import type { AuditSink, ProviderRegistry, ProviderSource } from '@factorkit/core';
import type { SqlStoreOptions } from '@factorkit/store-sql';

export interface FactorkitCliConfig {
  /** The providers to register, or a registry the host built itself. */
  providers?: readonly ProviderSource[];
  registry?: ProviderRegistry;
  /**
   * The deployment config: the path of a JSON file (relative to the config file) or an object.
   * Secrets in a file are `{ "$env": "NAME" }` references, read from the environment.
   */
  deployment: string | Record<string, unknown>;
  /** The SQL store (SQLite or PostgreSQL); the connection string usually comes from `process.env`. */
  store: SqlStoreOptions;
  /** Where admin actions (`users reset`, `users unlock`) are audited; defaults to none. */
  audit?: AuditSink;
}

/** Identity helper that types a `factorkit.config.mjs` export (as drizzle-kit's does). */
export function defineConfig(config: FactorkitCliConfig): FactorkitCliConfig {
  return config;
}

export { EXIT } from './output.js';
