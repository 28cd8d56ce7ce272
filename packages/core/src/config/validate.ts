import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import type { ConfigIssue } from '../errors.js';
import { secretFieldNames } from './fields.js';

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

function redact(message: string, secrets: string[]): string {
  let out = message;
  for (const s of secrets) if (s.length > 0) out = out.split(s).join('[redacted]');
  return out;
}

function flatten(errors: ValidationError[], prefix: string, out: ConfigIssue[]): void {
  for (const e of errors) {
    const path = join(prefix, e.property);
    if (e.constraints) {
      // One message per failing rule, in declaration order; a whitelist error stands alone.
      const entries = Object.entries(e.constraints);
      const unknown = entries.find(([k]) => k === 'whitelistValidation');
      for (const [, msg] of unknown ? [unknown] : entries)
        out.push({ path, message: tidy(msg, e.property) });
    }
    if (e.children && e.children.length > 0) flatten(e.children, path, out);
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
  const value = plainToInstance(schema, plain, { enableImplicitConversion: false });
  const errors = validateSync(value, {
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    validationError: { target: false, value: false },
  });
  // A schema with no decorated field (a provider without settings) makes class-validator report
  // an "unknown value"; what it means here is that every given key is unknown.
  const known = errors.filter(
    (e) => !(e.property === undefined && e.constraints?.['unknownValue']),
  );
  if (known.length !== errors.length) {
    for (const key of Object.keys(plain))
      issues.push({ path: path ? `${path}.${key}` : key, message: 'is not a known setting' });
  }
  flatten(known, path, issues);
  const secretValues = secretFieldNames(schema)
    .map((k) => plain[k])
    .filter((v): v is string => typeof v === 'string');
  for (const i of issues) i.message = redact(i.message, secretValues);
  return { value, issues };
}
