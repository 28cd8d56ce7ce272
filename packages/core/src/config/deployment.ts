import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { IsArray, IsBoolean, IsIn, IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { ConfigValidationError, type ConfigIssue } from '../errors.js';
import type { ProviderRegistry } from '../provider/registry.js';
import { Field, secretFieldNames } from './fields.js';
import { isPlainObject, validateAgainstSchema } from './validate.js';

export const NOT_ENROLLED_ACTIONS = ['skip', 'deny', 'enroll'] as const;
export type NotEnrolledAction = (typeof NOT_ENROLLED_ACTIONS)[number];

/** Policy for one audience (`client`, `admin`, or one the host defines). */
export class AudiencePolicy {
  /**
   * "Enable 2FA globally" for this audience: every user must pass a second factor.
   * @default false
   */
  @Field({
    label: 'Force two-factor',
    help: 'Every user of this audience must use a second factor.',
  })
  @IsBoolean()
  force: boolean = false;

  /**
   * What happens to a user who has no factor while `force` is on.
   * @default 'enroll'
   */
  @Field({
    label: 'When not enrolled',
    help: 'enroll: the user must set up a factor before continuing; deny: sign-in is refused; skip: let them in.',
  })
  @IsIn(NOT_ENROLLED_ACTIONS, { message: 'must be one of skip, deny, enroll' })
  notEnrolled: NotEnrolledAction = 'enroll';

  /**
   * Providers this audience may use; absent means every enabled provider offered to it.
   * @default undefined
   */
  @Field({ label: 'Allowed providers' })
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  providers?: string[];

  /**
   * Whether users may turn off their own factors (never their last one while `force` is on).
   * @default true
   */
  @Field({ label: 'Users may disable 2FA' })
  @IsBoolean()
  allowUserDisable: boolean = true;
}

/** Consecutive-failure throttling per internal user id, across every factor and recovery codes. */
export class ThrottlePolicy {
  /**
   * Failures before a temporary lock. NIST SP 800-63B caps this at 100.
   * @default 10
   */
  @Field({ label: 'Failures before lock' })
  @IsInt()
  @Min(1)
  @Max(100, { message: 'must not be above 100 (NIST SP 800-63B §5.2.2)' })
  maxFailures: number = 10;

  /**
   * Failures allowed without any delay.
   * @default 3
   */
  @Field({ label: 'Failures without delay' })
  @IsInt()
  @Min(0)
  @Max(100)
  freeFailures: number = 3;

  /**
   * First progressive delay; it doubles with each further failure.
   * @default 1
   */
  @Field({ label: 'Base delay (s)' })
  @IsInt()
  @Min(0)
  @Max(3600)
  baseDelaySeconds: number = 1;

  /**
   * Longest progressive delay before the lock.
   * @default 60
   */
  @Field({ label: 'Longest delay (s)' })
  @IsInt()
  @Min(0)
  @Max(86400)
  maxDelaySeconds: number = 60;

  /**
   * How long a lock lasts; each further failure locks again.
   * @default 900
   */
  @Field({ label: 'Lock duration (s)' })
  @IsInt()
  @Min(1)
  @Max(7 * 86400)
  lockSeconds: number = 900;

  /**
   * Consecutive failures after which only an administrator can unlock (at most 100).
   * @default 100
   */
  @Field({ label: 'Permanent lock after' })
  @IsInt()
  @Min(1)
  @Max(100, { message: 'must not be above 100 (NIST SP 800-63B §5.2.2)' })
  permanentLockAfter: number = 100;
}

export class RecoveryCodePolicy {
  /**
   * Codes issued with the first factor and on each regeneration.
   * @default 10
   */
  @Field({ label: 'Number of recovery codes' })
  @IsInt()
  @Min(4)
  @Max(20)
  count: number = 10;

  /**
   * At or below this many unused codes, results carry a low-count warning.
   * @default 3
   */
  @Field({ label: 'Warn when this many remain' })
  @IsInt()
  @Min(0)
  @Max(20)
  lowWatermark: number = 3;
}

export class PendingPolicy {
  /**
   * Lifetime of a pending activation or challenge. At most 600 s (NIST SP 800-63B OOB rule).
   * @default 300
   */
  @Field({ label: 'Pending step lifetime (s)' })
  @IsInt()
  @Min(30)
  @Max(600, { message: 'must not be above 600 (10 minutes, NIST SP 800-63B §5.1.3.2)' })
  ttlSeconds: number = 300;

  /**
   * Wrong answers allowed on one challenge before it must be started again.
   * @default 5
   */
  @Field({ label: 'Attempts per challenge' })
  @IsInt()
  @Min(1)
  @Max(10)
  maxAttempts: number = 5;
}

/** The options of one provider in this deployment. */
export interface ProviderDeployment<Settings extends object = object> {
  readonly enabled: boolean;
  readonly audiences: readonly string[];
  readonly settings: Settings;
}

export interface KeyRingConfig {
  readonly activeKeyId: string;
  readonly keys: Readonly<Record<string, Buffer>>;
}

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

const NAME_RE = /^[a-z][a-z0-9_-]{0,31}$/;
const KEY_ID_RE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/;

/**
 * Replaces every `{ "$env": "NAME" }` with the value of that environment variable, so that
 * committed config files hold references, never secrets (ASVS 13.3.1).
 */
function resolveEnvRefs(
  value: unknown,
  path: string,
  env: NodeJS.ProcessEnv,
  fromEnv: Set<string>,
  issues: ConfigIssue[],
): unknown {
  if (Array.isArray(value))
    return value.map((v, i) => resolveEnvRefs(v, `${path}[${i}]`, env, fromEnv, issues));
  if (!isPlainObject(value)) return value;
  const keys = Object.keys(value);
  if (keys.length === 1 && keys[0] === '$env') {
    const name = value['$env'];
    if (typeof name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      issues.push({ path: path || '(root)', message: '$env must name an environment variable' });
      return undefined;
    }
    const v = env[name];
    if (v === undefined || v === '') {
      issues.push({ path: path || '(root)', message: `environment variable ${name} is not set` });
      return undefined;
    }
    fromEnv.add(path);
    return v;
  }
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    const p = path ? `${path}.${k}` : k;
    if (k === '__proto__') {
      // JSON.parse keeps "__proto__" as a key; copying it would replace a prototype instead.
      issues.push({ path: p, message: 'is not an allowed name' });
      continue;
    }
    out[k] = resolveEnvRefs(value[k], p, env, fromEnv, issues);
  }
  return out;
}

function unknownKeys(
  obj: Record<string, unknown>,
  allowed: string[],
  path: string,
  issues: ConfigIssue[],
): void {
  for (const k of Object.keys(obj)) {
    if (!allowed.includes(k))
      issues.push({ path: path ? `${path}.${k}` : k, message: 'is not a known setting' });
  }
}

function decodeKey(raw: unknown, path: string, issues: ConfigIssue[]): Buffer | undefined {
  if (typeof raw !== 'string') {
    issues.push({ path, message: 'must be a base64 string of 32 random bytes' });
    return undefined;
  }
  const clean = raw.trim();
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(clean)) {
    issues.push({ path, message: 'must be a base64 string of 32 random bytes' });
    return undefined;
  }
  const buf = Buffer.from(clean.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (buf.length !== 32) {
    issues.push({
      path,
      message: `must decode to exactly 32 bytes for AES-256-GCM (it decodes to ${buf.length})`,
    });
    return undefined;
  }
  if (new Set(buf).size < 16) {
    issues.push({ path, message: 'is not random (too few distinct bytes): generate a new key' });
    return undefined;
  }
  return buf;
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

/**
 * Validates a deployment configuration (an object, or the path of a JSON file) against core's
 * rules and each enabled provider's schema. Every problem is collected and thrown together as one
 * `ConfigValidationError`, each with its path; no secret value is ever echoed.
 */
export function loadDeploymentConfig(
  source: unknown,
  registry: ProviderRegistry,
  options: LoadConfigOptions = {},
): DeploymentConfig {
  const issues: ConfigIssue[] = [];
  let raw: unknown = source;
  if (typeof source === 'string') {
    try {
      raw = JSON.parse(readFileSync(source, 'utf8')) as unknown;
    } catch (err) {
      const why = err instanceof SyntaxError ? 'is not valid JSON' : 'cannot be read';
      throw new ConfigValidationError([{ path: '(file)', message: `the config file ${why}` }]);
    }
  }
  const fromEnv = new Set<string>();
  raw = resolveEnvRefs(raw, '', options.env ?? process.env, fromEnv, issues);
  const checkLiterals = typeof source === 'string' && options.allowLiteralSecrets !== true;
  const literalSecret = (path: string, value: unknown): void => {
    if (checkLiterals && value !== undefined && !fromEnv.has(path)) {
      issues.push({
        path,
        message:
          'is a secret: in a config file write it as { "$env": "NAME" } (or load with allowLiteralSecrets)',
      });
    }
  };
  if (!isPlainObject(raw))
    throw new ConfigValidationError([{ path: '(root)', message: 'must be an object' }]);
  unknownKeys(raw, ['providers', 'policy', 'encryption', 'constants'], '', issues);

  // policy
  const policyRaw = raw['policy'] ?? {};
  const audiences: Record<string, AudiencePolicy> = {};
  let throttle = new ThrottlePolicy();
  let recoveryCodes = new RecoveryCodePolicy();
  let pending = new PendingPolicy();
  if (!isPlainObject(policyRaw)) {
    issues.push({ path: 'policy', message: 'must be an object' });
  } else {
    unknownKeys(policyRaw, ['audiences', 'throttle', 'recoveryCodes', 'pending'], 'policy', issues);
    const audRaw = policyRaw['audiences'] ?? { client: {}, admin: {} };
    if (!isPlainObject(audRaw) || Object.keys(audRaw).length === 0) {
      issues.push({
        path: 'policy.audiences',
        message: 'must be an object naming at least one audience',
      });
    } else {
      for (const [name, value] of Object.entries(audRaw)) {
        const p = `policy.audiences.${name}`;
        if (!NAME_RE.test(name)) {
          issues.push({
            path: p,
            message: 'audience names are lower-case letters, digits, - or _',
          });
          continue;
        }
        const r = validateAgainstSchema(AudiencePolicy, value, p);
        issues.push(...r.issues);
        audiences[name] = r.value;
      }
    }
    const t = validateAgainstSchema(ThrottlePolicy, policyRaw['throttle'], 'policy.throttle');
    issues.push(...t.issues);
    throttle = t.value;
    if (t.issues.length === 0 && throttle.permanentLockAfter < throttle.maxFailures) {
      issues.push({
        path: 'policy.throttle.permanentLockAfter',
        message: 'must be at least maxFailures',
      });
    }
    const rc = validateAgainstSchema(
      RecoveryCodePolicy,
      policyRaw['recoveryCodes'],
      'policy.recoveryCodes',
    );
    issues.push(...rc.issues);
    recoveryCodes = rc.value;
    if (rc.issues.length === 0 && recoveryCodes.lowWatermark >= recoveryCodes.count) {
      issues.push({ path: 'policy.recoveryCodes.lowWatermark', message: 'must be below count' });
    }
    const pp = validateAgainstSchema(PendingPolicy, policyRaw['pending'], 'policy.pending');
    issues.push(...pp.issues);
    pending = pp.value;
  }
  const audienceNames = Object.keys(audiences);

  // providers
  const providers: Record<string, ProviderDeployment> = {};
  const providersRaw = raw['providers'];
  if (!isPlainObject(providersRaw)) {
    issues.push({ path: 'providers', message: 'must be an object keyed by provider id' });
  } else {
    for (const [id, entry] of Object.entries(providersRaw)) {
      const p = `providers.${id}`;
      if (!/^[a-z][a-z0-9-]{1,31}$/.test(id)) {
        issues.push({ path: p, message: 'provider ids are lower-case letters, digits or -' });
        continue;
      }
      if (!isPlainObject(entry)) {
        issues.push({ path: p, message: 'must be an object with enabled, audiences and settings' });
        continue;
      }
      unknownKeys(entry, ['enabled', 'audiences', 'settings'], p, issues);
      const enabled = entry['enabled'] ?? true;
      if (typeof enabled !== 'boolean')
        issues.push({ path: `${p}.enabled`, message: 'must be true or false' });
      let auds: string[] = audienceNames;
      if (entry['audiences'] !== undefined) {
        const a = entry['audiences'];
        if (!Array.isArray(a) || a.some((x) => typeof x !== 'string')) {
          issues.push({ path: `${p}.audiences`, message: 'must be a list of audience names' });
        } else {
          auds = a as string[];
          for (const x of auds) {
            if (!audienceNames.includes(x)) {
              issues.push({
                path: `${p}.audiences`,
                message: `"${x}" is not an audience in policy.audiences`,
              });
            }
          }
        }
      }
      if (enabled !== true) {
        // A disabled provider's settings are kept but not validated: it may not even be
        // registered in this host build.
        providers[id] = { enabled: false, audiences: auds, settings: {} };
        continue;
      }
      if (!registry.has(id)) {
        issues.push({
          path: p,
          message: `no provider with id "${id}" is registered (registered: ${registry.ids().join(', ') || 'none'})`,
        });
        continue;
      }
      const schema = registry.get(id).configSchema;
      const s = validateAgainstSchema(schema, entry['settings'], `${p}.settings`);
      issues.push(...s.issues);
      const settingsRaw = isPlainObject(entry['settings']) ? entry['settings'] : {};
      for (const field of secretFieldNames(schema)) {
        literalSecret(`${p}.settings.${field}`, settingsRaw[field]);
      }
      providers[id] = { enabled: true, audiences: auds, settings: s.value };
    }
  }
  for (const [name, aud] of Object.entries(audiences)) {
    for (const pid of aud.providers ?? []) {
      if (!(pid in providers)) {
        issues.push({
          path: `policy.audiences.${name}.providers`,
          message: `"${pid}" is not configured under providers`,
        });
      }
    }
  }

  // encryption
  let encryption: KeyRingConfig = { activeKeyId: '', keys: {} };
  const encRaw = raw['encryption'];
  if (!isPlainObject(encRaw)) {
    issues.push({
      path: 'encryption',
      message:
        'is required: { activeKeyId, keys: { <id>: <base64 of 32 random bytes> } } (generateEncryptionKey() makes one)',
    });
  } else {
    unknownKeys(encRaw, ['activeKeyId', 'keys'], 'encryption', issues);
    const keys: Record<string, Buffer> = {};
    const keysRaw = encRaw['keys'];
    if (!isPlainObject(keysRaw) || Object.keys(keysRaw).length === 0) {
      issues.push({ path: 'encryption.keys', message: 'must name at least one key' });
    } else {
      for (const [kid, v] of Object.entries(keysRaw)) {
        const p = `encryption.keys.${kid}`;
        literalSecret(p, v);
        if (!KEY_ID_RE.test(kid)) {
          issues.push({ path: p, message: 'key ids are 1-32 letters, digits, - or _' });
          continue;
        }
        const buf = decodeKey(v, p, issues);
        if (buf) keys[kid] = buf;
      }
    }
    const active = encRaw['activeKeyId'];
    if (typeof active !== 'string' || !isPlainObject(keysRaw) || !Object.hasOwn(keysRaw, active)) {
      issues.push({ path: 'encryption.activeKeyId', message: 'must name one of encryption.keys' });
    }
    encryption = { activeKeyId: typeof active === 'string' ? active : '', keys };
  }

  // constants
  const constants: Record<string, string> = {};
  const cRaw = raw['constants'];
  if (cRaw !== undefined) {
    if (!isPlainObject(cRaw))
      issues.push({ path: 'constants', message: 'must be an object of strings' });
    else
      for (const [k, v] of Object.entries(cRaw)) {
        if (!/^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(k))
          issues.push({ path: `constants.${k}`, message: 'names are letters, digits and _' });
        if (typeof v !== 'string')
          issues.push({ path: `constants.${k}`, message: 'must be a string' });
        else constants[k] = v;
      }
  }

  if (issues.length > 0) throw new ConfigValidationError(issues);
  return Object.freeze({
    providers: Object.freeze(providers),
    policy: Object.freeze({
      audiences: Object.freeze(audiences),
      throttle,
      recoveryCodes,
      pending,
    }),
    encryption: Object.freeze({
      activeKeyId: encryption.activeKeyId,
      keys: Object.freeze(encryption.keys),
    }),
    constants: Object.freeze(constants),
  });
}
