/** The `providers` section: one entry per provider id, with its audiences and settings. */
import type { ConfigIssue } from '../errors.js';
import type { ProviderRegistry } from '../provider/registry.js';
import { loadMaxEnrollments } from './enrollment-limit.js';
import { secretFieldNames } from './fields.js';
import type { AudiencePolicy } from './policy-classes.js';
import { reportUnknownKeys, type LiteralSecretCheck } from './raw-input.js';
import { isPlainObject, validateAgainstSchema } from './validate.js';

/** The options of one provider in this deployment. */
export interface ProviderDeployment<Settings extends object = object> {
  readonly enabled: boolean;
  readonly audiences: readonly string[];
  readonly settings: Settings;
  /**
   * How many enrollments of this provider one user may hold (`maxEnrollments`, 1..20; default 5
   * when the provider declares `capabilities.multipleEnrollments`, else 1). Absent in a config
   * built by hand: then 1, or 5 for such a provider.
   */
  readonly maxEnrollments?: number;
}

const PROVIDER_ID_RE = /^[a-z][a-z0-9-]{1,31}$/;

export interface ProviderEntriesInput {
  raw: unknown;
  registry: ProviderRegistry;
  /** Every valid audience name; an entry without `audiences` is offered to all of them. */
  audienceNames: readonly string[];
  literalSecret: LiteralSecretCheck;
  issues: ConfigIssue[];
}

export function loadProviderEntries(
  input: ProviderEntriesInput,
): Record<string, ProviderDeployment> {
  const { raw, issues } = input;
  const providers: Record<string, ProviderDeployment> = {};
  if (!isPlainObject(raw)) {
    issues.push({ path: 'providers', message: 'must be an object keyed by provider id' });
    return providers;
  }
  for (const [id, entry] of Object.entries(raw)) {
    const loaded = loadEntry(id, entry, input);
    if (loaded) providers[id] = loaded;
  }
  return providers;
}

function loadEntry(
  id: string,
  entry: unknown,
  input: ProviderEntriesInput,
): ProviderDeployment | undefined {
  const { registry, issues } = input;
  const path = `providers.${id}`;
  if (!PROVIDER_ID_RE.test(id)) {
    issues.push({ path, message: 'provider ids are lower-case letters, digits or -' });
    return undefined;
  }
  if (!isPlainObject(entry)) {
    issues.push({ path, message: 'must be an object with enabled, audiences and settings' });
    return undefined;
  }
  reportUnknownKeys(entry, ['enabled', 'audiences', 'settings', 'maxEnrollments'], path, issues);
  const enabled = entry['enabled'] ?? true;
  if (typeof enabled !== 'boolean')
    issues.push({ path: `${path}.enabled`, message: 'must be true or false' });
  const audiences = entryAudiences(entry['audiences'], path, input);
  if (enabled !== true) {
    // A disabled provider's settings are kept but not validated: it may not even be
    // registered in this host build.
    const maxEnrollments = loadMaxEnrollments(
      entry['maxEnrollments'],
      undefined,
      `${path}.maxEnrollments`,
      issues,
    );
    return { enabled: false, audiences, settings: {}, maxEnrollments };
  }
  if (!registry.has(id)) {
    issues.push({
      path,
      message: `no provider with id "${id}" is registered (registered: ${registry.ids().join(', ') || 'none'})`,
    });
    return undefined;
  }
  const schema = registry.get(id).configSchema;
  const settings = validateAgainstSchema(schema, entry['settings'], `${path}.settings`);
  issues.push(...settings.issues);
  const settingsRaw = isPlainObject(entry['settings']) ? entry['settings'] : {};
  for (const field of secretFieldNames(schema)) {
    input.literalSecret(`${path}.settings.${field}`, settingsRaw[field]);
  }
  const maxEnrollments = loadMaxEnrollments(
    entry['maxEnrollments'],
    registry.get(id).capabilities.multipleEnrollments === true,
    `${path}.maxEnrollments`,
    issues,
  );
  return { enabled: true, audiences, settings: settings.value, maxEnrollments };
}

function entryAudiences(raw: unknown, path: string, input: ProviderEntriesInput): string[] {
  const { audienceNames, issues } = input;
  if (raw === undefined) return [...audienceNames];
  if (!Array.isArray(raw) || raw.some((x) => typeof x !== 'string')) {
    issues.push({ path: `${path}.audiences`, message: 'must be a list of audience names' });
    return [...audienceNames];
  }
  const named = raw as string[];
  for (const name of named) {
    if (!audienceNames.includes(name)) {
      issues.push({
        path: `${path}.audiences`,
        message: `"${name}" is not an audience in policy.audiences`,
      });
    }
  }
  return named;
}

/** Each provider an audience allows must be configured (own keys: `toString` is no provider). */
export function checkAllowedProviders(
  audiences: Readonly<Record<string, AudiencePolicy>>,
  providers: Readonly<Record<string, ProviderDeployment>>,
  issues: ConfigIssue[],
): void {
  for (const [name, audience] of Object.entries(audiences)) {
    for (const id of audience.providers ?? []) {
      if (!Object.hasOwn(providers, id)) {
        issues.push({
          path: `policy.audiences.${name}.providers`,
          message: `"${id}" is not configured under providers`,
        });
      }
    }
  }
}
