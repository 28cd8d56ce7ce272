/**
 * Loads a deployment configuration: one pass over the raw input (file, `$env` references,
 * reserved names), then each section in turn, every problem collected into one error.
 */
import { checkAssuranceReachable } from './assurance-check.js';
import { ConfigValidationError, type ConfigIssue } from '../errors.js';
import type { ProviderRegistry } from '../provider/registry.js';
import { loadKeyRing, type KeyRingConfig } from './key-ring.js';
import type {
  AudiencePolicy,
  PendingPolicy,
  RecoveryCodePolicy,
  ThrottlePolicy,
} from './policy-classes.js';
import { loadPolicySection } from './policy-section.js';
import {
  checkAllowedProviders,
  loadProviderEntries,
  type ProviderDeployment,
} from './provider-entries.js';
import {
  literalSecretCheck,
  readConfigSource,
  reportUnknownKeys,
  resolveRawInput,
} from './raw-input.js';
import { isPlainObject } from './validate.js';

export {
  AudiencePolicy,
  NOT_ENROLLED_ACTIONS,
  PendingPolicy,
  RecoveryCodePolicy,
  ThrottlePolicy,
  type NotEnrolledAction,
} from './policy-classes.js';
export type { KeyRingConfig } from './key-ring.js';
export type { ProviderDeployment } from './provider-entries.js';

/** A validated deployment configuration. */
export interface DeploymentConfig {
  readonly providers: Readonly<Record<string, ProviderDeployment>>;
  readonly policy: {
    readonly audiences: Readonly<Record<string, AudiencePolicy>>;
    readonly throttle: ThrottlePolicy;
    readonly recoveryCodes: RecoveryCodePolicy;
    readonly pending: PendingPolicy;
  };
  readonly encryption: KeyRingConfig;
  readonly constants: Readonly<Record<string, string>>;
}

export interface LoadConfigOptions {
  /** Where `{ "$env": "NAME" }` references are read; defaults to `process.env`. */
  env?: NodeJS.ProcessEnv;
  /**
   * A config file must hold secrets (encryption keys, provider fields marked secret) as
   * `{ "$env": "NAME" }` references, never literally (ASVS 13.3.1, CF-03). Set this to
   * accept literal secrets in a file anyway (e.g. a file written by a secrets manager).
   * Objects passed in code are not checked: the host decides where their values come from.
   * @default false
   */
  allowLiteralSecrets?: boolean;
}

const TOP_LEVEL_KEYS = ['providers', 'policy', 'encryption', 'constants'];
const CONSTANT_NAME_RE = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

/**
 * Validates a deployment configuration (an object, or the path of a JSON file) against core's
 * rules and each enabled provider's schema. Every problem is collected and thrown together as one
 * `ConfigValidationError`, each with its path; no secret value is ever echoed. Unknown keys are
 * problems too, at every level, reserved names such as `constructor` or `__proto__` included.
 */
export function loadDeploymentConfig(
  source: unknown,
  registry: ProviderRegistry,
  options: LoadConfigOptions = {},
): DeploymentConfig {
  const issues: ConfigIssue[] = [];
  const { value: raw, fromEnv } = resolveRawInput(
    readConfigSource(source),
    options.env ?? process.env,
    issues,
  );
  const checkLiterals = typeof source === 'string' && options.allowLiteralSecrets !== true;
  const literalSecret = literalSecretCheck(checkLiterals, fromEnv, issues);
  if (!isPlainObject(raw))
    throw new ConfigValidationError([{ path: '(root)', message: 'must be an object' }]);
  reportUnknownKeys(raw, TOP_LEVEL_KEYS, '', issues);

  const policy = loadPolicySection(raw['policy'], issues);
  const providers = loadProviderEntries({
    raw: raw['providers'],
    registry,
    audienceNames: Object.keys(policy.audiences),
    literalSecret,
    issues,
  });
  checkAllowedProviders(policy.audiences, providers, issues);
  checkAssuranceReachable(policy.audiences, providers, registry, issues);
  const encryption = loadKeyRing(raw['encryption'], literalSecret, issues);
  const constants = loadConstants(raw['constants'], issues);

  if (issues.length > 0) throw new ConfigValidationError(issues);
  return Object.freeze({
    providers: Object.freeze(providers),
    policy: Object.freeze({
      audiences: Object.freeze(policy.audiences),
      throttle: policy.throttle,
      recoveryCodes: policy.recoveryCodes,
      pending: policy.pending,
    }),
    encryption: Object.freeze({
      activeKeyId: encryption.activeKeyId,
      keys: Object.freeze(encryption.keys),
    }),
    constants: Object.freeze(constants),
  });
}

/** Named strings that providers may refer to (e.g. `licenseKey` in a Duo username template). */
function loadConstants(raw: unknown, issues: ConfigIssue[]): Record<string, string> {
  const constants: Record<string, string> = {};
  if (raw === undefined) return constants;
  if (!isPlainObject(raw)) {
    issues.push({ path: 'constants', message: 'must be an object of strings' });
    return constants;
  }
  for (const [name, value] of Object.entries(raw)) {
    if (!CONSTANT_NAME_RE.test(name))
      issues.push({ path: `constants.${name}`, message: 'names are letters, digits and _' });
    if (typeof value !== 'string')
      issues.push({ path: `constants.${name}`, message: 'must be a string' });
    else constants[name] = value;
  }
  return constants;
}
