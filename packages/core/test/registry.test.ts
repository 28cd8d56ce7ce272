import { describe, expect, it } from 'vitest';
import {
  Clock,
  CORE_VERSION,
  Provider,
  ProviderRegistry,
  type TwoFactorProvider,
} from '../src/index.js';
import { FakeClock } from '../src/testing/index.js';
import { ClockCodeProvider } from './support/clock-code-provider.js';
import pkg from '../package.json' with { type: 'json' };

function instance(
  overrides: Partial<Record<keyof TwoFactorProvider, unknown>> = {},
): TwoFactorProvider {
  const base = new ClockCodeProvider(new FakeClock());
  return Object.assign(
    Object.create(Object.getPrototypeOf(base) as object) as object,
    base,
    overrides,
  ) as TwoFactorProvider;
}

describe('provider registry', () => {
  it('CORE_VERSION matches package.json', () => {
    expect(CORE_VERSION).toBe(pkg.version);
  });

  it('constructs a provider class with core services injected (the registry clock)', () => {
    const clock = new FakeClock(123);
    const r = new ProviderRegistry({ clock }).register(ClockCodeProvider);
    const p = r.get('clock-code') as ClockCodeProvider;
    expect(p.clock).toBe(clock);
    expect(p.clock).toBeInstanceOf(Clock);
    expect(r.list()).toEqual([
      {
        id: 'clock-code',
        displayName: 'Clock code',
        coreVersion: `^${CORE_VERSION}`,
        capabilities: {
          interactive: true,
          outOfBand: 'none',
          replayCounter: true,
          retryableChallenge: true,
        },
      },
    ]);
  });

  it('keeps registries isolated from each other', () => {
    const a = new ProviderRegistry({ clock: new FakeClock(1) }).register(ClockCodeProvider);
    const b = new ProviderRegistry({ clock: new FakeClock(2) }).register(ClockCodeProvider);
    expect((a.get('clock-code') as ClockCodeProvider).clock.now()).toBe(1);
    expect((b.get('clock-code') as ClockCodeProvider).clock.now()).toBe(2);
  });

  it('rejects a duplicate id with a clear error', () => {
    const r = new ProviderRegistry().register(ClockCodeProvider);
    expect(() => r.register(ClockCodeProvider)).toThrow(
      expect.objectContaining({
        code: 'PROVIDER_REGISTRATION_INVALID',
        message: 'A provider with id "clock-code" is already registered.',
      }),
    );
  });

  it('rejects an incompatible core version range, naming both versions', () => {
    expect(() => new ProviderRegistry().register(instance({ coreVersion: '^9.0.0' }))).toThrow(
      `Provider "clock-code" supports @factorkit/core ^9.0.0, but this is @factorkit/core ${CORE_VERSION}.`,
    );
    expect(() => new ProviderRegistry().register(instance({ coreVersion: 'whenever' }))).toThrow(
      /coreVersion must be a semver range/,
    );
  });

  it.each([
    ['id', { id: 'Bad Id' }, /id must be/],
    ['displayName', { displayName: ' ' }, /displayName/],
    ['configSchema', { configSchema: {} }, /configSchema must be a class/],
    ['capabilities', { capabilities: { interactive: true } }, /capabilities must set/],
    ['hook', { verify: undefined }, /hook verify is missing/],
    ['optional hook', { healthCheck: 'yes' }, /healthCheck must be a function/],
  ])('rejects an invalid %s', (_what, overrides, message) => {
    expect(() => new ProviderRegistry().register(instance(overrides))).toThrow(message);
  });

  it('explains a class with constructor parameters that is not decorated with @Provider()', () => {
    class NotDecorated {
      constructor(readonly needs: { something: true }) {}
    }
    expect(() => new ProviderRegistry().register(NotDecorated as never)).toThrow(
      /NotDecorated takes 1 constructor parameter but is not itself decorated with @Provider\(\)/,
    );
  });

  it('explains a decorated class whose parameter is not a core service', () => {
    class Helper {
      constructor(readonly x: number) {}
    }
    @Provider()
    class NeedsHelper {
      constructor(readonly helper: Helper) {}
    }
    expect(() => new ProviderRegistry().register(NeedsHelper as never)).toThrow(
      /NeedsHelper could not be constructed: decorate it with @Provider\(\) and inject only core services/,
    );
  });

  it('an unknown id is PROVIDER_NOT_FOUND', () => {
    expect(() => new ProviderRegistry().get('nope')).toThrow(
      expect.objectContaining({ code: 'PROVIDER_NOT_FOUND' }),
    );
  });
});
