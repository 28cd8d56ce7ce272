/** `providers.<id>.maxEnrollments` (SECURITY.md EN-07): its range, its default, its capability. */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigValidationError, ProviderRegistry, loadDeploymentConfig } from '../src/index.js';
import { ClockCodeProvider } from './support/clock-code-provider.js';
import { KeyedCodeProvider } from './support/keyed-code-provider.js';

const KEY = createHash('sha256').update('factorkit max enrollments key').digest('base64');

function load(entries: Record<string, Record<string, unknown>>) {
  return loadDeploymentConfig(
    {
      providers: {
        'clock-code': { enabled: true, ...entries['clock-code'] },
        'keyed-code': { enabled: true, ...entries['keyed-code'] },
      },
      encryption: { activeKeyId: 'k1', keys: { k1: KEY } },
    },
    new ProviderRegistry().register(ClockCodeProvider).register(KeyedCodeProvider),
  );
}

function issues(entries: Record<string, Record<string, unknown>>): string[] {
  try {
    load(entries);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigValidationError);
    return (err as ConfigValidationError).issues.map((i) => `${i.path}: ${i.message}`);
  }
  return [];
}

describe('maxEnrollments', () => {
  it('EN-07: defaults to 5 for a provider declaring multipleEnrollments, 1 for one that does not', () => {
    const config = load({});
    expect(config.providers['keyed-code']?.maxEnrollments).toBe(5);
    expect(config.providers['clock-code']?.maxEnrollments).toBe(1);
    expect(
      load({ 'keyed-code': { maxEnrollments: 20 } }).providers['keyed-code']?.maxEnrollments,
    ).toBe(20);
    expect(
      load({ 'keyed-code': { maxEnrollments: 1 } }).providers['keyed-code']?.maxEnrollments,
    ).toBe(1);
  });

  it.each([0, 21, 2.5, -1, '3', null, Number.NaN])(
    'EN-07: %j is refused with the path and the allowed range',
    (value) => {
      expect(issues({ 'keyed-code': { maxEnrollments: value } })).toEqual([
        'providers.keyed-code.maxEnrollments: must be an integer from 1 to 20',
      ]);
    },
  );

  it('EN-07: above 1 for a provider that does not declare multipleEnrollments is refused', () => {
    expect(issues({ 'clock-code': { maxEnrollments: 2 } })).toEqual([
      expect.stringMatching(
        /^providers\.clock-code\.maxEnrollments: this provider allows one enrollment per user/,
      ),
    ]);
    expect(issues({ 'clock-code': { maxEnrollments: 1 } })).toEqual([]);
  });

  it('a registration declaring multipleEnrollments as something other than a boolean is refused', () => {
    const registry = new ProviderRegistry();
    const bad = new KeyedCodeProvider(null as never);
    Object.defineProperty(bad, 'capabilities', {
      value: { ...bad.capabilities, multipleEnrollments: 'yes' },
    });
    expect(() => registry.register(bad)).toThrow(/multipleEnrollments must be a boolean/);
  });
});
