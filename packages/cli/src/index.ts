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
  /**
   * The host's users, for `factorkit users list`: factorkit stores only users who have a factor,
   * so who has none can only come from the host. One page of users ordered by id: those after
   * `after` (null for the first page), at most `limit` of them; an empty page ends the walk.
   * Optional: without it `users list` stops with `USER_SOURCE_MISSING` (exit 3).
   */
  listUsers?: (after: string | null, limit: number) => Promise<readonly CliUserRecord[]>;
  /** How many users `listUsers` walks, for the progress bar's total (optional). */
  countUsers?: () => Promise<number>;
}

/** One user of the host, as `listUsers` returns it. */
export interface CliUserRecord {
  /** The id factorkit knows the user by (the `id` of a TwoFactorUser). */
  readonly id: string;
  /** One of the deployment's `policy.audiences`. */
  readonly audience: string;
  /** The login name (used by providers that send it to a remote service); defaults to `id`. */
  readonly username?: string;
}

/** Identity helper that types a `factorkit.config.mjs` export (as drizzle-kit's does). */
export function defineConfig(config: FactorkitCliConfig): FactorkitCliConfig {
  return config;
}

export { EXIT } from './output.js';
