import '../reflect-polyfill.js';
import { requireCjs } from '../cjs-require.js';

/**
 * class-validator-jsonschema is loaded only when a JSON Schema is asked for (admin forms): it
 * loads the whole of class-validator, which a host's start-up no longer does (see
 * class-validator-lite.ts). `@Field` keeps label, help and the secret flag in its own metadata,
 * and `configJsonSchema` writes them into the schema, so nothing is lost by not calling its
 * `JSONSchema` decorator when the class is defined.
 */
function jsonSchemaLib(): typeof import('class-validator-jsonschema') {
  return requireCjs('class-validator-jsonschema') as typeof import('class-validator-jsonschema');
}

/** What an admin form needs to know about a config field, beyond its validation rules. */
export interface FieldOptions {
  /** Short label for a form field ("Client Secret"). */
  label: string;
  /** One or two sentences of help. */
  help?: string;
  /**
   * A secret is write-only everywhere: JSON Schema marks it `writeOnly`, `describeConfig`
   * masks it, and validation errors never echo it.
   */
  secret?: boolean;
}

const FIELDS = Symbol.for('factorkit.config.fields');

type FieldMap = Map<string, FieldOptions>;

/** Marks a config property with its label, help and secret flag (and feeds the JSON Schema). */
export function Field(options: FieldOptions): PropertyDecorator {
  return (target: object, propertyKey: string | symbol) => {
    const key = String(propertyKey);
    const ctor = target.constructor;
    const own: FieldMap = Reflect.hasOwnMetadata(FIELDS, ctor)
      ? (Reflect.getOwnMetadata(FIELDS, ctor) as FieldMap)
      : new Map<string, FieldOptions>();
    own.set(key, options);
    Reflect.defineMetadata(FIELDS, own, ctor);
  };
}

/** Every field declared with `@Field` on a class and its ancestors. */
export function getFields(schema: abstract new () => object): ReadonlyMap<string, FieldOptions> {
  const chain: FieldMap[] = [];
  let ctor: unknown = schema;
  while (typeof ctor === 'function' && ctor !== Object && ctor !== Function.prototype) {
    const own = Reflect.getOwnMetadata(FIELDS, ctor) as FieldMap | undefined;
    if (own) chain.unshift(own);
    ctor = Object.getPrototypeOf(ctor);
  }
  const merged: FieldMap = new Map();
  for (const m of chain) for (const [k, v] of m) merged.set(k, v);
  return merged;
}

export function secretFieldNames(schema: abstract new () => object): string[] {
  return [...getFields(schema)].filter(([, f]) => f.secret === true).map(([k]) => k);
}

export type JsonSchemaObject = Record<string, unknown>;

/**
 * The JSON Schema of a provider's config class, for admin forms: `title` (label), `description`
 * (help), `writeOnly` and `x-secret` on secrets, `default` from the class, no extra keys allowed.
 */
export function configJsonSchema(schema: new () => object): JsonSchemaObject {
  const base = jsonSchemaLib().targetConstructorToSchema(schema) as JsonSchemaObject;
  const defaults = new schema() as Record<string, unknown>;
  const props = { ...((base['properties'] as Record<string, JsonSchemaObject> | undefined) ?? {}) };
  for (const [name, field] of getFields(schema)) {
    const prop: JsonSchemaObject = { ...(props[name] ?? {}) };
    prop['title'] = field.label;
    if (field.help) prop['description'] = field.help;
    if (field.secret) {
      prop['writeOnly'] = true;
      prop['x-secret'] = true;
    } else if (defaults[name] !== undefined) {
      prop['default'] = defaults[name];
    }
    props[name] = prop;
  }
  // A field with a default may be left out of the input: it is not `required`.
  const required = ((base['required'] as string[] | undefined) ?? []).filter(
    (name) => defaults[name] === undefined,
  );
  const { required: _ignored, ...rest } = base;
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: schema.name,
    ...rest,
    properties: props,
    ...(required.length > 0 ? { required } : {}),
    additionalProperties: false,
  };
}

/** A view of a config instance fit for logs and admin pages: secrets masked, never echoed. */
export function describeConfig(schema: new () => object, value: object): Record<string, unknown> {
  const secrets = new Set(secretFieldNames(schema));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = secrets.has(k) ? (v === undefined || v === '' ? '' : '********') : v;
  }
  return out;
}
