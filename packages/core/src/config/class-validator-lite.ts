/**
 * class-validator, loaded by the parts that are used. Its index loads every one of its ~100
 * decorators, and with them validator.js (113 files) and libphonenumber-js (72 files), about
 * 100 ms of a cold start, when core's and the providers' schemas use a dozen decorators that
 * need neither. So:
 *
 * - `validateSync` and `getMetadataStorage` come from the modules that define them (the same
 *   ones the index re-exports, so the one global metadata storage is shared with any code that
 *   imports the full package);
 * - `v`, the decorators core re-exports to provider schemas, is the package's namespace in
 *   which the decorators listed in LIGHT come from their own modules, and any other name loads
 *   the full package on first use. Validation itself is unchanged: same functions, same
 *   metadata, same rules (test/class-validator-lite.test.ts proves each entry is the index's own
 *   export).
 *
 * If a class-validator upgrade moves one of these files, `require` throws at start-up: loud,
 * never a silently skipped rule.
 */
import { requireCjs } from '../cjs-require.js';

type ClassValidator = typeof import('class-validator');

const BASE = 'class-validator/cjs/';

/** Decorator name -> the module (under cjs/) that defines it; none of them loads validator.js. */
export const LIGHT: Readonly<Record<string, string>> = {
  Allow: 'decorator/common/Allow',
  IsDefined: 'decorator/common/IsDefined',
  IsIn: 'decorator/common/IsIn',
  IsOptional: 'decorator/common/IsOptional',
  Validate: 'decorator/common/Validate',
  ValidateBy: 'decorator/common/ValidateBy',
  ValidateIf: 'decorator/common/ValidateIf',
  ValidateNested: 'decorator/common/ValidateNested',
  IsArray: 'decorator/typechecker/IsArray',
  IsBoolean: 'decorator/typechecker/IsBoolean',
  IsInt: 'decorator/typechecker/IsInt',
  IsNumber: 'decorator/typechecker/IsNumber',
  IsObject: 'decorator/typechecker/IsObject',
  IsString: 'decorator/typechecker/IsString',
  Max: 'decorator/number/Max',
  Min: 'decorator/number/Min',
  Length: 'decorator/string/Length',
  Matches: 'decorator/string/Matches',
};

let full: ClassValidator | undefined;
/** The whole package, loaded once, for every name not in LIGHT. */
export function fullClassValidator(): ClassValidator {
  return (full ??= requireCjs('class-validator') as ClassValidator);
}

function light(name: string): unknown {
  const path = LIGHT[name];
  if (path === undefined) return undefined;
  return (requireCjs(BASE + path) as Record<string, unknown>)[name];
}

type ValidatorClass = new () => import('class-validator').Validator;

const { getFromContainer } = requireCjs(`${BASE}container`) as ClassValidator;
const { Validator } = requireCjs(`${BASE}validation/Validator`) as { Validator: ValidatorClass };

/** class-validator's `validateSync(object, options)`, as its index defines it. */
export function validateSync(
  object: object,
  options?: import('class-validator').ValidatorOptions,
): import('class-validator').ValidationError[] {
  // Looked up on every call, as the index does, so a host's `useContainer` is honoured.
  return getFromContainer(Validator).validateSync(object, options);
}

export const getMetadataStorage: ClassValidator['getMetadataStorage'] = (
  requireCjs(`${BASE}metadata/MetadataStorage`) as ClassValidator
).getMetadataStorage;

/** The namespace providers decorate their settings with (`v.IsInt()`), as `import * as v`. */
export const v: ClassValidator = new Proxy({} as ClassValidator, {
  get: (_target, name) =>
    typeof name === 'string' && Object.hasOwn(LIGHT, name)
      ? light(name)
      : (fullClassValidator() as unknown as Record<string | symbol, unknown>)[name],
  has: (_target, name) =>
    (typeof name === 'string' && Object.hasOwn(LIGHT, name)) || name in fullClassValidator(),
  ownKeys: () => Reflect.ownKeys(fullClassValidator()),
  getOwnPropertyDescriptor: (_target, name) => {
    const d = Reflect.getOwnPropertyDescriptor(fullClassValidator(), name);
    return d === undefined ? undefined : { ...d, configurable: true };
  },
});
