/**
 * Reserved names (every member of Object.prototype: `constructor`, `toString`, `__proto__`, ...)
 * anywhere in a deployment config are reported with their path and the config is refused
 * (CF-01: the config is validated at start and every problem is named by its field).
 *
 * Why this needs its own test: class-transformer (0.5.1) skips `__proto__` and `constructor` by
 * name, and skips any key whose name resolves to a function or getter on the target instance (every
 * Object.prototype method, and any method or getter of a schema class). Such a key never reaches
 * class-validator, so `forbidNonWhitelisted` cannot report it and the key is silently dropped.
 * class-validator's own whitelist looks names up on a plain object too, so even an own
 * `hasOwnProperty` or `__defineGetter__` on the instance would count as a declared field.
 *
 * Every config below is built from JSON text, so `"__proto__"` is an own key exactly as
 * JSON.parse leaves it in a config file.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IsInt } from 'class-validator';
import { describe, expect, it } from 'vitest';
import {
  ConfigValidationError,
  ProviderRegistry,
  loadDeploymentConfig,
  validateAgainstSchema,
  type ConfigIssue,
} from '../src/index.js';
import { ClockCodeProvider, ClockCodeSettings } from './support/clock-code-provider.js';

const KEY = createHash('sha256').update('factorkit reserved-names test key').digest('base64');
const RESERVED_NAMES = Object.getOwnPropertyNames(Object.prototype);
const RESERVED = 'is a reserved name (a member of Object.prototype), not a known setting';
const registry = () => new ProviderRegistry().register(ClockCodeProvider);

/** Where a reserved key is placed: the object it goes into, and the value it is given. */
interface Location {
  name: string;
  /** Dotted path of the object that receives the key ('' for the top level). */
  parent: string;
  /** A value that would be valid if the key were an ordinary name at this place. */
  value: unknown;
}

const LOCATIONS: Location[] = [
  { name: 'top level', parent: '', value: 1 },
  { name: 'policy', parent: 'policy', value: {} },
  { name: 'an audience policy', parent: 'policy.audiences.client', value: true },
  { name: 'throttle', parent: 'policy.throttle', value: 5 },
  { name: 'recovery codes', parent: 'policy.recoveryCodes', value: 5 },
  { name: 'pending', parent: 'policy.pending', value: 60 },
  { name: 'the audience map', parent: 'policy.audiences', value: {} },
  { name: 'the provider map', parent: 'providers', value: { enabled: false } },
  { name: 'a provider entry', parent: 'providers.clock-code', value: true },
  { name: 'provider settings', parent: 'providers.clock-code.settings', value: 6 },
  { name: 'a disabled provider', parent: 'providers.spare.settings', value: 'x' },
  { name: 'encryption', parent: 'encryption', value: 'k1' },
  { name: 'the key ring', parent: 'encryption.keys', value: KEY },
  { name: 'constants', parent: 'constants', value: 'a constant' },
];

const SLOT = 'RESERVED_NAME_SLOT';

function validConfig(): Record<string, unknown> {
  return {
    providers: {
      'clock-code': { enabled: true, audiences: ['client'], settings: { digits: 6 } },
      spare: { enabled: false, settings: {} },
    },
    policy: {
      audiences: { client: { force: false }, admin: { force: true } },
      throttle: { maxFailures: 10 },
      recoveryCodes: { count: 10 },
      pending: { ttlSeconds: 300 },
    },
    encryption: { activeKeyId: 'k1', keys: { k1: KEY } },
    constants: { brand: 'Example' },
  };
}

/** The JSON text of a valid config with `name` added as a key at each of `locations`. */
function configText(locations: Location[], name: string): string {
  const config = validConfig();
  locations.forEach((location, i) => {
    let target: Record<string, unknown> = config;
    for (const part of location.parent.split('.').filter(Boolean))
      target = target[part] as Record<string, unknown>;
    target[`${SLOT}_${i}`] = location.value;
  });
  let text = JSON.stringify(config);
  locations.forEach((_, i) => {
    text = text.replace(JSON.stringify(`${SLOT}_${i}`), JSON.stringify(name));
  });
  return text;
}

function issuesOf(fn: () => unknown): ConfigIssue[] {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  expect(thrown).toBeInstanceOf(ConfigValidationError);
  expect((thrown as ConfigValidationError).code).toBe('CONFIG_INVALID');
  return [...(thrown as ConfigValidationError).issues];
}

function pathOf(location: Location, name: string): string {
  return location.parent ? `${location.parent}.${name}` : name;
}

describe('reserved names in a deployment config (CF-01)', () => {
  it('the base config is valid, so each issue below comes from the reserved name alone', () => {
    expect(loadDeploymentConfig(validConfig(), registry()).policy.throttle.maxFailures).toBe(10);
  });

  it.each(LOCATIONS)('are refused with their path in $name', (location) => {
    for (const name of RESERVED_NAMES) {
      const parsed = JSON.parse(configText([location], name)) as unknown;
      const issues = issuesOf(() => loadDeploymentConfig(parsed, registry()));
      expect({ name, issues }).toEqual({
        name,
        issues: [{ path: pathOf(location, name), message: RESERVED }],
      });
    }
  });

  it('are refused in a config file, "__proto__" included, at every place at once', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fk-reserved-'));
    for (const name of ['__proto__', 'constructor', 'toString']) {
      const file = join(dir, `${name}.json`);
      writeFileSync(file, configText(LOCATIONS, name));
      const issues = issuesOf(() =>
        loadDeploymentConfig(file, registry(), { allowLiteralSecrets: true }),
      );
      expect(issues.map((i) => i.path).sort()).toEqual(
        LOCATIONS.map((l) => pathOf(l, name)).sort(),
      );
      expect(new Set(issues.map((i) => i.message))).toEqual(new Set([RESERVED]));
    }
  });

  it('an $env reference naming an Object.prototype member is an unset variable', () => {
    const config = validConfig();
    (config['encryption'] as { keys: Record<string, unknown> }).keys['k1'] = { $env: 'toString' };
    (config['constants'] as Record<string, unknown>)['brand'] = { $env: 'constructor' };
    // The follow-up issues ("must be a string") are those of any unset variable.
    const issues = issuesOf(() => loadDeploymentConfig(config, registry(), { env: {} }));
    expect(issues).toContainEqual({
      path: 'encryption.keys.k1',
      message: 'environment variable toString is not set',
    });
    expect(issues).toContainEqual({
      path: 'constants.brand',
      message: 'environment variable constructor is not set',
    });
  });

  it('an allowed-provider list naming an Object.prototype member is not a configured provider', () => {
    const config = validConfig();
    (config['policy'] as { audiences: Record<string, unknown> }).audiences['client'] = {
      providers: ['clock-code', 'toString', 'constructor'],
    };
    expect(issuesOf(() => loadDeploymentConfig(config, registry()))).toEqual([
      {
        path: 'policy.audiences.client.providers',
        message: '"toString" is not configured under providers',
      },
      {
        path: 'policy.audiences.client.providers',
        message: '"constructor" is not configured under providers',
      },
    ]);
  });
});

describe('validateAgainstSchema reports every key that is not a declared field', () => {
  it('reports reserved names, "__proto__" from JSON included', () => {
    for (const name of RESERVED_NAMES) {
      const plain = JSON.parse(`{"digits":6,${JSON.stringify(name)}:{"digits":8}}`) as unknown;
      expect({ name, issues: validateAgainstSchema(ClockCodeSettings, plain, 'x').issues }).toEqual(
        { name, issues: [{ path: `x.${name}`, message: RESERVED }] },
      );
    }
  });

  it('reports a key named like a method or getter of the schema class', () => {
    class WithAccessors {
      @IsInt()
      size: number = 1;

      get doubled(): number {
        return this.size * 2;
      }

      describe(): string {
        return String(this.size);
      }
    }
    const { issues } = validateAgainstSchema(WithAccessors, { doubled: 8, describe: 'x' }, 's');
    expect(issues).toEqual([
      { path: 's.doubled', message: 'is not a known setting' },
      { path: 's.describe', message: 'is not a known setting' },
    ]);
  });
});
