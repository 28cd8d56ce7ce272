import '../reflect-polyfill.js';
import type { ValidationError } from 'class-validator';
import { requireCjs } from '../cjs-require.js';
import { getMetadataStorage, validateSync } from './class-validator-lite.js';
import type { ConfigIssue } from '../errors.js';
import { secretFieldNames } from './fields.js';
import { unknownKeyMessage } from './reserved-names.js';

// class-transformer's engine alone (10 files), not its index (34: every decorator, which no
// schema here uses); its index's plainToInstance is this same call on a module-level instance.
const { ClassTransformer } = requireCjs(
  'class-transformer/cjs/ClassTransformer.js',
) as typeof import('class-transformer');
const transformer = new ClassTransformer();

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function join(prefix: string, key: string): string {
  return prefix ? `${prefix}.${key}` : key;
}

/** Strips class-validator's leading property name so the path carries it instead. */
function tidy(message: string, property: string): string {
  const m = message.startsWith(property + ' ') ? message.slice(property.length + 1) : message;
  return m.replace(/^property \S+ should not exist$/, 'is not a known setting');
}

/** The properties of a schema that carry a validation rule: the only keys its input may have. */
function declaredFields(schema: new () => object): Set<string> {
  const rules = getMetadataStorage().getTargetValidationMetadatas(schema, '', false, false);
  return new Set(rules.map((rule) => rule.propertyName));
}

function redact(message: string, secrets: string[]): string {
  let out = message;
  for (const s of secrets) if (s.length > 0) out = out.split(s).join('[redacted]');
  return out;
}

function flatten(errors: ValidationError[], prefix: string, out: ConfigIssue[], depth = 0): void {
  for (const e of errors) {
    const path = join(prefix, e.property);
    if (e.constraints) {
      // One message per failing rule, in declaration order; a whitelist error stands alone.
      const entries = Object.entries(e.constraints);
      const unknown = entries.find(([k]) => k === 'whitelistValidation');
      // Unknown top-level keys are already reported by the declared-field check.
      if (unknown && depth === 0) continue;
      for (const [, msg] of unknown ? [unknown] : entries)
        out.push({ path, message: tidy(msg, e.property) });
    }
    if (e.children && e.children.length > 0) flatten(e.children, path, out, depth + 1);
  }
}

export interface SchemaValidationResult<T> {
  value: T;
  issues: ConfigIssue[];
}

/**
 * Validates a plain object against a class-validator schema, with no implicit type conversion
 * (ASVS 15.3.5), unknown keys rejected, and every problem reported with its full path. Values of
 * secret fields never appear in a message.
 *
 * Unknown keys are found by comparing the input's own keys with the schema's declared fields,
 * not by class-validator's whitelist alone: class-transformer silently skips a key named like an
 * Object.prototype member or like a method or getter of the schema, so the whitelist never sees
 * it (see reserved-names.ts).
 */
export function validateAgainstSchema<T extends object>(
  schema: new () => T,
  plain: unknown,
  path: string,
): SchemaValidationResult<T> {
  const issues: ConfigIssue[] = [];
  if (plain === undefined) plain = {};
  if (!isPlainObject(plain)) {
    return {
      value: new schema(),
      issues: [{ path: path || '(root)', message: 'must be an object' }],
    };
  }
  const declared = declaredFields(schema);
  for (const key of Object.keys(plain)) {
    if (!declared.has(key)) issues.push({ path: join(path, key), message: unknownKeyMessage(key) });
  }
  const value = transformer.plainToInstance(schema, plain, { enableImplicitConversion: false });
  const errors = validateSync(value, {
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    validationError: { target: false, value: false },
  });
  // A schema with no decorated field (a provider without settings) makes class-validator report
  // an "unknown value"; every given key is then undeclared and already reported above.
  const known = errors.filter(
    (e) => !(e.property === undefined && e.constraints?.['unknownValue']),
  );
  flatten(known, path, issues);
  const secretValues = secretFieldNames(schema)
    .map((k) => plain[k])
    .filter((v): v is string => typeof v === 'string');
  for (const i of issues) i.message = redact(i.message, secretValues);
  return { value, issues };
}
