import { DuoEmulatorError } from '../errors.js';

/** How a push (or phone call) is answered: scripted, or left to a person ("manual"). */
export type PushAnswer = 'approve' | 'deny' | 'fraud' | 'timeout' | 'manual';
/**
 * What the Universal Prompt does: render the page ("interactive") or answer at once as the user
 * would: `approve`, `deny`, or `enroll` (a user without a device, or not yet known to Duo, adds
 * Duo Mobile on the enrolment page and is let in; an enrolled user approves).
 */
export type PromptAction = 'interactive' | 'approve' | 'deny' | 'enroll';

// Records keyed by the union, so that a value added to a type without being listed here (and so
// refused as OPTIONS_INVALID) does not compile.
const PUSH_ANSWER_SET: Record<PushAnswer, true> = {
  approve: true,
  deny: true,
  fraud: true,
  timeout: true,
  manual: true,
};
const PROMPT_ACTION_SET: Record<PromptAction, true> = {
  interactive: true,
  approve: true,
  deny: true,
  enroll: true,
};
export const PUSH_ANSWERS = Object.keys(PUSH_ANSWER_SET) as readonly PushAnswer[];
export const PROMPT_ACTIONS = Object.keys(PROMPT_ACTION_SET) as readonly PromptAction[];

/** Refuses a per-user answer that is not one of the enumerated values (OPTIONS_INVALID). */
export function checkScripted(input: { pushAnswer?: unknown; promptAction?: unknown }): void {
  const check = (field: string, value: unknown, allowed: readonly string[]): void => {
    if (value !== undefined && value !== null && !allowed.includes(value as string))
      throw new DuoEmulatorError(
        'OPTIONS_INVALID',
        `${field} must be one of: ${allowed.join(', ')}`,
      );
  };
  check('pushAnswer', input.pushAnswer, PUSH_ANSWERS);
  check('promptAction', input.promptAction, PROMPT_ACTIONS);
}
