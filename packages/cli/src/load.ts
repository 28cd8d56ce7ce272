/** Finds and imports the host's `factorkit.config.mjs|js`, then builds what a command needs. */
import { existsSync } from 'node:fs';
import { dirname, extname, isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  ConfigValidationError,
  ProviderRegistry,
  loadDeploymentConfig,
  type DeploymentConfig,
} from '@factorkit/core';
import { createSqlStores, type SqlStores } from '@factorkit/store-sql';
import { CompiledQuery } from 'kysely';
import type { FactorkitCliConfig } from './index.js';
import { CliError, EXIT } from './output.js';

const CANDIDATES = ['factorkit.config.mjs', 'factorkit.config.js'];

export interface LoadedModule {
  readonly cli: FactorkitCliConfig;
  readonly registry: ProviderRegistry;
  /** The folder of the config file: relative paths in it are read from there. */
  readonly base: string;
}

export async function loadCliModule(given: string | undefined): Promise<LoadedModule> {
  const file = given ? resolve(given) : CANDIDATES.map((c) => resolve(c)).find(existsSync);
  if (!file)
    throw new CliError(
      'CONFIG_NOT_FOUND',
      `no ${CANDIDATES.join(' or ')} in this folder (or pass --config FILE)`,
      EXIT.unavailable,
    );
  if (!existsSync(file))
    throw new CliError('CONFIG_NOT_FOUND', `config file not found: ${given}`, EXIT.unavailable);
  // Node 20 cannot import TypeScript without a loader; say so rather than fail obscurely.
  if (['.ts', '.mts', '.cts'].includes(extname(file)))
    throw new CliError(
      'CONFIG_LOAD_FAILED',
      'a TypeScript config needs a loader on Node 20: write factorkit.config.mjs instead',
      EXIT.unavailable,
    );
  let mod: { default?: unknown };
  try {
    mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
  } catch (err) {
    const why = err instanceof Error ? err.message.split('\n')[0] : 'unknown error';
    throw new CliError('CONFIG_LOAD_FAILED', `cannot load ${file}: ${why}`, EXIT.unavailable);
  }
  const cli = mod.default as FactorkitCliConfig | undefined;
  if (typeof cli !== 'object' || cli === null || cli.deployment === undefined)
    throw new CliError(
      'CONFIG_LOAD_FAILED',
      `${file} must export default defineConfig({ providers, deployment, store })`,
      EXIT.unavailable,
    );
  const registry = cli.registry ?? new ProviderRegistry();
  if (!cli.registry) for (const p of cli.providers ?? []) registry.register(p);
  return { cli, registry, base: dirname(file) };
}

/** The deployment source: a file path relative to the config file, or the object itself. */
export function deploymentSource(m: LoadedModule, file?: string): unknown {
  const source = file ?? m.cli.deployment;
  if (typeof source !== 'string') return source;
  return isAbsolute(source) || file ? resolve(source) : resolve(m.base, source);
}

/** Loads the deployment config; invalid is `exitCode` with every problem and its path. */
export function loadDeployment(
  m: LoadedModule,
  exitCode: number = EXIT.unavailable,
  file?: string,
): DeploymentConfig {
  try {
    return loadDeploymentConfig(deploymentSource(m, file), m.registry);
  } catch (err) {
    if (err instanceof ConfigValidationError)
      throw new CliError(
        'CONFIG_INVALID',
        `the deployment config is invalid (${err.issues.length} problem${err.issues.length === 1 ? '' : 's'})`,
        exitCode as 1 | 3,
        err.issues.map((i) => ({ path: i.path, message: i.message })),
      );
    const why = err instanceof Error ? err.message.split('\n')[0] : 'unknown error';
    throw new CliError('CONFIG_LOAD_FAILED', `cannot read the deployment config: ${why}`, 3);
  }
}

/** Opens the SQL store and proves the server answers, so "unreachable" is one clear message. */
export async function openStore(m: LoadedModule): Promise<SqlStores> {
  const options = m.cli.store;
  const withPath =
    options.dialect === 'sqlite' && options.filename !== ':memory:'
      ? { ...options, filename: resolve(m.base, options.filename) }
      : options;
  let sql: SqlStores;
  try {
    sql = createSqlStores(withPath);
  } catch (err) {
    throw new CliError('STORE_CONFIG_INVALID', (err as Error).message, EXIT.unavailable);
  }
  try {
    await sql.db.executeQuery(CompiledQuery.raw('select 1'));
  } catch (err) {
    await sql.close().catch(() => undefined);
    throw storeUnreachable(err);
  }
  return sql;
}

export function storeUnreachable(err: unknown): CliError {
  // The driver's message names the host and port, never the password of a connection string.
  const why = err instanceof Error ? err.message.split('\n')[0] || err.name : 'unknown error';
  return new CliError('STORE_UNAVAILABLE', `cannot reach the store: ${why}`, EXIT.unavailable);
}
