import type { StepUpOptions, TwoFactorUser } from '@factorkit/core';
import { WebError } from './errors.js';
import type { RouteCall } from './route.js';
import type { SecondStepState } from './second-step-store.js';

export type SignedInState = Extract<SecondStepState, { phase: 'authenticated' }>;

/**
 * The state of a fully authenticated session, or a 403: a password-only (pending) session must
 * never reach the account, step-up or admin routes (FL-01, FL-06).
 */
export function signedIn(state: SecondStepState): SignedInState {
  if (state.phase !== 'authenticated')
    throw new WebError(
      403,
      'SECOND_FACTOR_REQUIRED',
      'Finish signing in with your second factor first.',
    );
  return state;
}

/**
 * When this session last proved a second factor: its last step-up, else its sign-in. Undefined
 * when it never did (no factor needed, or a grace sign-in); a fail-open grant's `at` is 0.
 */
export function lastSecondFactorAt(state: SignedInState): number | undefined {
  return state.stepUpAt ?? state.outcome?.at;
}

/**
 * Refuses with core's STEP_UP_REQUIRED (403, audited as `step-up.refused`) unless the session's
 * last second factor is recent. Core decides what "recent" means (the audience's
 * `stepUpSeconds`); this layer only hands it the time from the server-side state, never one
 * from the request. Returns what core's own step-up checks take, for the call that follows.
 */
export async function requireStepUp(
  call: RouteCall,
): Promise<{ user: TwoFactorUser; stepUp: StepUpOptions }> {
  const state = signedIn(call.state);
  const at = lastSecondFactorAt(state);
  const stepUp: StepUpOptions = at === undefined ? {} : { secondFactorAt: at };
  await call.steps.service.requireRecentSecondFactor(state.user, stepUp, 'host-action', call.info);
  return { user: state.user, stepUp };
}
