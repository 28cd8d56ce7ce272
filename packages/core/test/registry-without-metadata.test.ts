/**
 * Registration without decorator metadata (esbuild, tsx, SWC and Bun never emit
 * `design:paramtypes`). Vitest's transform does emit it, so these classes carry no decorator in
 * source: `Provider(...)(Class)` is applied by hand, exactly as esbuild's output applies it.
 * Registration fails fast at start-up with a clear, typed error.
 */
import { describe, expect, it } from 'vitest';
import {
  Clock,
  defineProvider,
  HttpClient,
  Logger,
  Provider,
  ProviderRegistry,
  RandomSource,
  type ProviderServices,
} from '../src/index.js';
import { FakeClock } from '../src/testing/index.js';
import { ClockCodeProvider } from './support/clock-code-provider.js';
import { UndecoratedProvider } from './support/undecorated-provider.js';

const registrationError = (message: RegExp): unknown =>
  expect.objectContaining({
    name: 'ProviderRegistrationError',
    code: 'PROVIDER_REGISTRATION_INVALID',
    message: expect.stringMatching(message) as unknown,
  });

describe('registering a provider class that carries no decorator metadata', () => {
  it('@Provider() alone: the error names the missing metadata, its likely cause and both fixes', () => {
    class Bare extends UndecoratedProvider {}
    expect(Reflect.getMetadata('design:paramtypes', Bare)).toBeUndefined();
    Provider()(Bare);
    const attempt = () => new ProviderRegistry().register(Bare);
    expect(attempt).toThrow(
      registrationError(
        /^Provider class Bare takes 2 constructor parameters but carries no decorator metadata \(design:paramtypes\)/,
      ),
    );
    expect(attempt).toThrow(
      /compiled without emitDecoratorMetadata, or by a compiler that never emits it \(esbuild, tsx, SWC, Bun\)/,
    );
    expect(attempt).toThrow(/@Provider\(\{ inject: \[Clock, RandomSource\] \}\)/);
    expect(attempt).toThrow(/registry\.register\(defineProvider\(\(services\) => new Bare\(/);
    expect(attempt).toThrow(/"emitDecoratorMetadata": true/);
  });

  it('an undecorated subclass is refused, not constructed with no arguments', () => {
    @Provider()
    class WithMetadata extends UndecoratedProvider {}
    class Undecorated extends WithMetadata {}
    expect(() => new ProviderRegistry().register(Undecorated)).toThrow(
      registrationError(
        /^Provider class Undecorated takes 2 constructor parameters but is not itself decorated with @Provider\(\)/,
      ),
    );
  });

  it('a parameter typed Object in the metadata (a type-only import) is named', () => {
    class Erased extends UndecoratedProvider {}
    Reflect.defineMetadata('design:paramtypes', [Clock, Object], Erased);
    Provider()(Erased);
    expect(() => new ProviderRegistry().register(Erased)).toThrow(
      registrationError(/constructor parameter 1 has the type Object .*not with "import type"/),
    );
  });
});

describe('@Provider({ inject }): services listed in constructor order, no metadata needed', () => {
  it('constructs the class with the registry services, in the listed order', () => {
    class Listed extends UndecoratedProvider {}
    expect(Reflect.getMetadata('design:paramtypes', Listed)).toBeUndefined();
    Provider({ inject: [Clock, RandomSource] })(Listed);
    const clock = new FakeClock(5);
    const registry = new ProviderRegistry({ clock }).register(Listed);
    const p = registry.get('clock-code') as Listed;
    expect(p).toBeInstanceOf(Listed);
    expect(p.clock).toBe(clock);
    expect(p.random).toBe(registry.random);
  });

  it('wins over metadata, and an empty list serves a constructor that needs nothing injected', () => {
    class OwnClock extends ClockCodeProvider {
      constructor() {
        super(new FakeClock(42));
      }
    }
    Provider({ inject: [] })(OwnClock);
    expect(
      (
        new ProviderRegistry({ clock: new FakeClock(1) })
          .register(OwnClock)
          .get('clock-code') as OwnClock
      ).clock.now(),
    ).toBe(42);
  });

  it('decorator syntax type-checks the list against the constructor', () => {
    @Provider({ inject: [Clock, RandomSource, Logger, HttpClient] })
    class All extends ClockCodeProvider {
      constructor(
        clock: Clock,
        readonly random: RandomSource,
        readonly logger: Logger,
        readonly http: HttpClient,
      ) {
        super(clock);
      }
    }
    // Checked by `tsc` (pnpm typecheck), never run: a mismatched list does not compile.
    const mismatched = () =>
      // @ts-expect-error: the list says RandomSource where the constructor takes a Clock
      Provider({ inject: [RandomSource] })(ClockCodeProvider);
    void mismatched;
    const registry = new ProviderRegistry().register(All);
    const p = registry.get('clock-code') as All;
    expect([p.clock, p.random, p.logger, p.http]).toEqual([
      registry.clock,
      registry.random,
      registry.logger,
      registry.http,
    ]);
  });

  it.each<[string, unknown, RegExp]>([
    [
      'a class that is not a core service',
      [Clock, FakeClock],
      /inject\[1\] is FakeClock; only Clock, RandomSource, Logger, HttpClient can be injected/,
    ],
    ['too short a list', [Clock], /the constructor takes 2 parameters but "inject" lists 1/],
    ['not an array', Clock, /"inject" must be an array of core service classes/],
  ])('refuses %s when the decorator runs', (_what, inject, message) => {
    // At run time only the constructor's own parameter count is known; TypeScript checks types.
    class Wrong extends UndecoratedProvider {
      constructor(clock: Clock, random: RandomSource) {
        super(clock, random);
      }
    }
    expect(() => Provider({ inject: inject as [] })(Wrong as never)).toThrow(
      registrationError(message),
    );
  });
});

describe('defineProvider: a factory that receives the registry services', () => {
  it('each registry calls it once, with its own services', () => {
    const received: ProviderServices[] = [];
    const factory = defineProvider((services) => {
      received.push(services);
      return new UndecoratedProvider(services.clock, services.random);
    });
    const a = new ProviderRegistry({ clock: new FakeClock(1) }).register(factory);
    const b = new ProviderRegistry({ clock: new FakeClock(2) }).register(factory);
    expect(received).toHaveLength(2);
    for (const [registry, services] of [
      [a, received[0]!],
      [b, received[1]!],
    ] as const) {
      expect(services).toEqual({
        clock: registry.clock,
        random: registry.random,
        logger: registry.logger,
        http: registry.http,
      });
      expect((registry.get('clock-code') as UndecoratedProvider).clock).toBe(registry.clock);
    }
    expect((a.get('clock-code') as UndecoratedProvider).clock.now()).toBe(1);
  });

  it('a factory that throws, or returns nothing, is a registration error', () => {
    const boom = new Error('no secret configured');
    expect(() =>
      new ProviderRegistry().register(
        defineProvider(() => {
          throw boom;
        }),
      ),
    ).toThrow(
      expect.objectContaining({
        code: 'PROVIDER_REGISTRATION_INVALID',
        message: 'The provider factory threw while creating the provider.',
        cause: boom,
      }),
    );
    expect(() => new ProviderRegistry().register(defineProvider(() => undefined as never))).toThrow(
      registrationError(
        /^A provider must be an object \(or a class or factory that makes one\), got undefined\.$/,
      ),
    );
  });

  it('a bare arrow function is pointed at defineProvider', () => {
    const bare = (services: ProviderServices) => new ClockCodeProvider(services.clock);
    expect(() => new ProviderRegistry().register(bare as never)).toThrow(
      registrationError(
        /^register\(\) got a function that is not a class\. To register a factory, wrap it: registry\.register\(defineProvider\(/,
      ),
    );
  });
});
