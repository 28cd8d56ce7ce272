/** `config check|show|schema`: the deployment config, validated, masked, or as JSON Schema. */
import { configJsonSchema, describeConfig, type DeploymentConfig } from '@factorkit/core';
import type { SqlStoreOptions } from '@factorkit/store-sql';
import { loadDeployment, type LoadedModule } from '../load.js';
import { CliError, EXIT } from '../output.js';

export const MASK = '********';

export function configCheck(m: LoadedModule, file?: string) {
  const config = loadDeployment(m, EXIT.checkFailed, file);
  const providers = Object.entries(config.providers)
    .filter(([, p]) => p.enabled)
    .map(([id]) => id);
  return {
    result: { valid: true, providers, audiences: Object.keys(config.policy.audiences) },
    text: `valid: providers ${providers.join(', ') || 'none'}; audiences ${Object.keys(config.policy.audiences).join(', ')}`,
  };
}

/** The config with every secret replaced by a mask: provider secrets, keys, store password. */
export function configShow(m: LoadedModule) {
  const config = loadDeployment(m);
  const view = {
    providers: maskedProviders(m, config),
    policy: config.policy,
    encryption: {
      activeKeyId: config.encryption.activeKeyId,
      keys: Object.fromEntries(Object.keys(config.encryption.keys).map((id) => [id, MASK])),
    },
    constants: config.constants,
    store: maskedStore(m.cli.store),
  };
  return { result: view, text: JSON.stringify(view, null, 2) };
}

function maskedProviders(m: LoadedModule, config: DeploymentConfig) {
  const out: Record<string, unknown> = {};
  for (const [id, p] of Object.entries(config.providers)) {
    const settings =
      p.enabled && m.registry.has(id)
        ? describeConfig(m.registry.get(id).configSchema, p.settings)
        : {};
    out[id] = {
      enabled: p.enabled,
      audiences: p.audiences,
      maxEnrollments: p.maxEnrollments,
      settings,
    };
  }
  return out;
}

function maskedStore(store: SqlStoreOptions): Record<string, unknown> {
  if (store.dialect === 'sqlite') return { dialect: 'sqlite', filename: store.filename };
  return {
    dialect: 'postgres',
    connectionString: store.connectionString ? maskUrl(store.connectionString) : undefined,
    schema: store.schema ?? 'public',
  };
}

/** A connection URL without its password (user, host, port and database stay readable). */
export function maskUrl(raw: string): string {
  try {
    const url = new URL(raw);
    if (url.password) url.password = MASK;
    for (const key of [...url.searchParams.keys()])
      if (/pass|secret|key|token/i.test(key)) url.searchParams.set(key, MASK);
    return url.toString();
  } catch {
    return MASK; // not a URL: it may be a secret-bearing DSN, show nothing of it
  }
}

export function configSchema(m: LoadedModule, providerId: string) {
  if (!m.registry.has(providerId))
    throw new CliError(
      'UNKNOWN_PROVIDER',
      `no provider "${providerId}" is registered (registered: ${m.registry.ids().join(', ') || 'none'})`,
      EXIT.usage,
    );
  const schema = configJsonSchema(m.registry.get(providerId).configSchema);
  return { result: schema, text: JSON.stringify(schema, null, 2) };
}
