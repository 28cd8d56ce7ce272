import { InvalidArgumentError } from '../../errors.js';
import type { Check, TestApi } from './types.js';

export function assertTestApi(api: TestApi): void {
  if (typeof api?.describe !== 'function' || typeof api?.it !== 'function') {
    throw new InvalidArgumentError(
      "Pass your test runner's functions as the last argument: { describe, it } (vitest, jest or node:test).",
    );
  }
}

/**
 * Registers checks as one suite. A suite with no checks would pass as "0 of 0", proving nothing,
 * so an empty list (or a malformed check) throws instead: the kit fails closed on itself.
 */
export function describeChecks(suite: string, checks: readonly Check[], api: TestApi): void {
  assertTestApi(api);
  // Checked as unknown: Array.isArray on a readonly array narrows its elements to any.
  const given: unknown = checks;
  if (!Array.isArray(given) || given.length === 0) {
    throw new InvalidArgumentError(
      `${suite}: no checks to register. A suite that runs nothing would report "0 of 0" and prove nothing; check the options passed to the kit.`,
    );
  }
  checks.forEach((c: Partial<Check>, i) => {
    if (typeof c?.name !== 'string' || c.name === '' || typeof c.run !== 'function') {
      throw new InvalidArgumentError(`${suite}: check ${i} needs a name and a run() function.`);
    }
  });
  api.describe(suite, () => {
    for (const check of checks) api.it(check.name, () => check.run());
  });
}
