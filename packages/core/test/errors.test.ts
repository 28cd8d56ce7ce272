import { describe, expect, it } from 'vitest';
import {
  FactorkitError,
  LockedError,
  RateLimitedError,
  ConfigValidationError,
  isFactorkitError,
  ProviderError,
} from '../src/index.js';

describe('typed errors', () => {
  it('carry a stable code, a literal name, details and an ES2022 cause', () => {
    const cause = new Error('socket hang up');
    const e = new ProviderError(undefined, { cause, details: { providerId: 'duo' } });
    expect(e).toBeInstanceOf(FactorkitError);
    expect(e).toBeInstanceOf(Error);
    expect(e.code).toBe('PROVIDER_ERROR');
    expect(e.name).toBe('ProviderError');
    expect(e.cause).toBe(cause);
    expect(e.details).toEqual({ providerId: 'duo' });
    expect(Object.isFrozen(e.details)).toBe(true);
    expect(isFactorkitError(e)).toBe(true);
    expect(isFactorkitError(cause)).toBe(false);
  });

  it('rate limits and locks say when to come back', () => {
    expect(new RateLimitedError(5)).toMatchObject({
      code: 'RATE_LIMITED',
      retryAfter: 5,
      details: { retryAfter: 5 },
    });
    expect(new LockedError(null).message).toMatch(/administrator/);
    expect(new LockedError(30).message).toMatch(/30 s/);
  });

  it('a config error lists each issue on its own line', () => {
    const e = new ConfigValidationError([
      { path: 'a.b', message: 'must be 6 or 8' },
      { path: 'c', message: 'is not a known setting' },
    ]);
    expect(e.message).toBe(
      'Invalid factorkit configuration (2 problems):\n  - a.b: must be 6 or 8\n  - c: is not a known setting',
    );
    expect(e.name).toBe('ConfigValidationError');
  });
});

describe('service construction', () => {
  it('refuses stores that are not stores, with a message saying what to pass', async () => {
    const { TwoFactorService } = await import('../src/index.js');
    const { clockHarness } = await import('./support/setup.js');
    const h = clockHarness();
    const bad = Promise.resolve({
      stores: {},
    }) as unknown as import('../src/index.js').FactorkitStores;
    expect(
      () => new TwoFactorService({ registry: h.registry, config: h.config, stores: bad }),
    ).toThrow(/Missing: enrollments \(the whole store\), pending \(the whole store\)/);
  });

  it('names each method a store written for an earlier contract lacks, and what it is for', async () => {
    const { MemoryStore, TwoFactorService } = await import('../src/index.js');
    const { clockHarness } = await import('./support/setup.js');
    const h = clockHarness();
    const old = new MemoryStore();
    const enrollments = Object.assign(Object.create(null) as object, {
      ...Object.fromEntries(
        Object.getOwnPropertyNames(Object.getPrototypeOf(old.enrollments))
          .filter((m) => !['constructor', 'graceDeadline', 'peekGraceDeadline'].includes(m))
          .map((m) => [m, () => undefined]),
      ),
    });
    const stores = { ...old, enrollments } as unknown as import('../src/index.js').FactorkitStores;
    expect(() => new TwoFactorService({ registry: h.registry, config: h.config, stores })).toThrow(
      'Missing: enrollments.graceDeadline (enrollment grace periods (EN-06)), enrollments.peekGraceDeadline (enrollment grace periods (EN-06)).',
    );
  });
});
