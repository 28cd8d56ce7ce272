/**
 * The provider conformance kit: checks that prove a provider against core's contract through
 * the service, trusting nothing the provider says about itself. Split by idea:
 * - conformance/contract-checks.ts: what the provider declares (registration, schema, prompts);
 * - conformance/outcome-checks.ts: the shape of what its answer hooks return (FL-03);
 * - conformance/flow-checks.ts: activation and sign-in, right, wrong and malformed answers;
 * - conformance/replay-checks.ts: one right answer signs in once (RP-01, RP-02);
 * - conformance/rig.ts: the harnesses and answer helpers the checks share.
 */
import { contractChecks } from './conformance/contract-checks.js';
import { flowChecks } from './conformance/flow-checks.js';
import { outcomeChecks } from './conformance/outcome-checks.js';
import { assertTestApi, describeChecks } from './conformance/register.js';
import { replayChecks } from './conformance/replay-checks.js';
import { createRig } from './conformance/rig.js';
import type { Check, ConformanceOptions, TestApi } from './conformance/types.js';

export {
  MALFORMED_INPUTS,
  type AnswerArgs,
  type Check,
  type ConformanceOptions,
  type TestApi,
} from './conformance/types.js';
export { outcomeProblems } from './conformance/outcome-checks.js';
export { describeChecks };

/**
 * The provider conformance checks. Each builds its own harness (memory stores, fake clock) so
 * checks never share state. Options that yield no registrable provider throw here.
 */
export function providerConformanceChecks(options: ConformanceOptions): Check[] {
  const rig = createRig(options);
  return [...contractChecks(rig), ...outcomeChecks(rig), ...flowChecks(rig), ...replayChecks(rig)];
}

/**
 * Registers the provider conformance checks with a test runner. It throws, at registration,
 * when the options yield no provider or no checks: a run that registers nothing never passes.
 */
export function describeProviderConformance(
  name: string,
  options: ConformanceOptions,
  api: TestApi,
): void {
  assertTestApi(api);
  describeChecks(`provider conformance: ${name}`, providerConformanceChecks(options), api);
}
