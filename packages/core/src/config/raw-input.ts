/**
 * The first pass over a raw deployment config, before any section is validated: read the file,
 * resolve `{ "$env": "NAME" }` references, and drop every reserved name with an issue, so that
 * no later step ever sees a key that a validation library could skip silently.
 */
import { readFileSync } from 'node:fs';
import { ConfigValidationError, type ConfigIssue } from '../errors.js';
import {
  isReservedName,
  RESERVED_NAME_MESSAGE,
  UNKNOWN_SETTING_MESSAGE,
} from './reserved-names.js';
import { isPlainObject } from './validate.js';

const ENV_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function joinPath(parent: string, key: string): string {
  return parent ? `${parent}.${key}` : key;
}

/** The parsed content of a config file, or the object itself when `source` is not a path. */
export function readConfigSource(source: unknown): unknown {
  if (typeof source !== 'string') return source;
  try {
    return JSON.parse(readFileSync(source, 'utf8')) as unknown;
  } catch (err) {
    // Never the content: a half-written file may hold a secret.
    const why = err instanceof SyntaxError ? 'is not valid JSON' : 'cannot be read';
    throw new ConfigValidationError([{ path: '(file)', message: `the config file ${why}` }]);
  }
}

export interface ResolvedInput {
  /** A copy of the input with references resolved and reserved names left out. */
  value: unknown;
  /** Paths whose value came from an environment variable. */
  fromEnv: ReadonlySet<string>;
}

/**
 * Copies the raw input, replacing every `{ "$env": "NAME" }` with the value of that environment
 * variable so that committed config files hold references, never secrets (ASVS 13.3.1), and
 * reporting every reserved name (see reserved-names.ts) at any depth, JSON.parse's own
 * `"__proto__"` keys included.
 */
export function resolveRawInput(
  raw: unknown,
  env: NodeJS.ProcessEnv,
  issues: ConfigIssue[],
): ResolvedInput {
  const fromEnv = new Set<string>();
  const value = copyResolved(raw, '', env, fromEnv, issues);
  return { value, fromEnv };
}

function copyResolved(
  value: unknown,
  path: string,
  env: NodeJS.ProcessEnv,
  fromEnv: Set<string>,
  issues: ConfigIssue[],
): unknown {
  if (Array.isArray(value))
    return value.map((v, i) => copyResolved(v, `${path}[${i}]`, env, fromEnv, issues));
  if (!isPlainObject(value)) return value;
  const keys = Object.keys(value);
  if (keys.length === 1 && keys[0] === '$env') {
    const resolved = envValue(value['$env'], path || '(root)', env, issues);
    if (resolved !== undefined) fromEnv.add(path);
    return resolved;
  }
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const keyPath = joinPath(path, key);
    if (isReservedName(key)) {
      issues.push({ path: keyPath, message: RESERVED_NAME_MESSAGE });
      continue;
    }
    out[key] = copyResolved(value[key], keyPath, env, fromEnv, issues);
  }
  return out;
}

function envValue(
  name: unknown,
  path: string,
  env: NodeJS.ProcessEnv,
  issues: ConfigIssue[],
): string | undefined {
  if (typeof name !== 'string' || !ENV_NAME_RE.test(name)) {
    issues.push({ path, message: '$env must name an environment variable' });
    return undefined;
  }
  // Own properties only: `{ "$env": "toString" }` must not resolve to a function.
  const v = Object.hasOwn(env, name) ? env[name] : undefined;
  if (typeof v !== 'string' || v === '') {
    issues.push({ path, message: `environment variable ${name} is not set` });
    return undefined;
  }
  return v;
}

/** Reports each key of an object with a fixed shape that is not one of `allowed`. */
export function reportUnknownKeys(
  obj: Record<string, unknown>,
  allowed: readonly string[],
  path: string,
  issues: ConfigIssue[],
): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key))
      issues.push({ path: joinPath(path, key), message: UNKNOWN_SETTING_MESSAGE });
  }
}

/** Reports a secret written literally in a config file (ASVS 13.3.1, CF-03). */
export type LiteralSecretCheck = (path: string, value: unknown) => void;

export function literalSecretCheck(
  enabled: boolean,
  fromEnv: ReadonlySet<string>,
  issues: ConfigIssue[],
): LiteralSecretCheck {
  return (path, value) => {
    if (enabled && value !== undefined && !fromEnv.has(path)) {
      issues.push({
        path,
        message:
          'is a secret: in a config file write it as { "$env": "NAME" } (or load with allowLiteralSecrets)',
      });
    }
  };
}
