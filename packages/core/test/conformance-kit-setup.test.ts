/**
 * A kit run that registers nothing fails loudly (the kit fails closed on itself,
 * invariant 1): no provider, no checks or no runner throws at registration, so a suite can
 * never report "0 of 0" as a pass.
 */
import { describe, expect, it } from 'vitest';
import {
  describeChecks,
  describeProviderConformance,
  type ConformanceOptions,
  type TestApi,
} from '../src/testing/index.js';
import { ClockCodeProvider, STEP_MS, codeAt } from './support/clock-code-provider.js';

/** A TestApi that records what the kit registers and runs nothing. */
function recorder() {
  const suites: string[] = [];
  const tests: string[] = [];
  const api: TestApi = {
    describe: (name, fn) => {
      suites.push(name);
      fn();
    },
    it: (name) => {
      tests.push(name);
    },
  };
  return { api, suites, tests };
}

const options: ConformanceOptions = {
  provider: ClockCodeProvider,
  answerActivation: ({ clock }) => codeAt(clock.now()),
  answerChallenge: ({ clock }) => codeAt(clock.now()),
  wrongAnswer: () => '000000',
  stepMs: STEP_MS,
};

const invalid = (message: RegExp): unknown =>
  expect.objectContaining({
    code: 'INVALID_ARGUMENT',
    message: expect.stringMatching(message) as unknown,
  });

describe('conformance kit: a run that registers nothing fails loudly', () => {
  it('zero checks throw instead of registering an empty suite', () => {
    const r = recorder();
    expect(() => describeChecks('empty', [], r.api)).toThrow(
      invalid(/^empty: no checks to register\. A suite that runs nothing would report "0 of 0"/),
    );
    expect(r.suites).toEqual([]);
  });

  it('a check without a name or run() throws', () => {
    const r = recorder();
    expect(() => describeChecks('odd', [{ name: '', run: async () => {} }], r.api)).toThrow(
      invalid(/check 0 needs a name and a run\(\) function/),
    );
    expect(r.suites).toEqual([]);
  });

  it.each<[string, unknown, RegExp]>([
    [
      'a missing provider',
      undefined,
      /options\.provider is undefined; pass the provider class, a defineProvider factory/,
    ],
    ['a null provider', null, /options\.provider is null/],
    [
      'a factory that returns nothing',
      () => undefined,
      /options\.provider returned undefined, not a provider instance/,
    ],
  ])('%s throws at registration and registers nothing', (_what, provider, message) => {
    const r = recorder();
    expect(() =>
      describeProviderConformance('none', { ...options, provider: provider as never }, r.api),
    ).toThrow(invalid(message));
    expect(r.tests).toEqual([]);
  });

  it('a missing answer helper throws at registration', () => {
    const r = recorder();
    const partial: Partial<ConformanceOptions> = { ...options };
    delete partial.answerChallenge;
    expect(() => describeProviderConformance('partial', partial as never, r.api)).toThrow(
      invalid(/options\.answerChallenge must be a function/),
    );
    expect(r.tests).toEqual([]);
  });

  it('a missing test runner throws', () => {
    expect(() => describeProviderConformance('no runner', options, {} as TestApi)).toThrow(
      invalid(/Pass your test runner's functions/),
    );
  });

  it('a provider that cannot be registered throws its registration error at registration', () => {
    const r = recorder();
    expect(() =>
      describeProviderConformance('bad', { ...options, provider: { id: 'x' } as never }, r.api),
    ).toThrow(invalid(/options\.provider is object/));
    class Undecorated {
      constructor(readonly clock: unknown) {}
    }
    expect(() =>
      describeProviderConformance('bad', { ...options, provider: Undecorated as never }, r.api),
    ).toThrow(expect.objectContaining({ code: 'PROVIDER_REGISTRATION_INVALID' }));
    expect(r.tests).toEqual([]);
  });

  it('a good run registers one suite of checks, each citing the requirement it proves', () => {
    const r = recorder();
    describeProviderConformance('clock-code', options, r.api);
    expect(r.suites).toEqual(['provider conformance: clock-code']);
    expect(r.tests.length).toBeGreaterThanOrEqual(18);
    for (const name of r.tests)
      expect(name).toMatch(/\((?:[A-Z]{2,3}-\d{2}|invariant \d|the provider contract)/);
  });
});
