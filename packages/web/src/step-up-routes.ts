import { PendingStateError, type SecondFactorSuccess } from '@factorkit/core';
import type { SteppedUpResponse } from './account-types.js';
import { requiredString } from './body.js';
import { WebError } from './errors.js';
import type { Route, RouteCall, RouteResult } from './route.js';
import { startChallenge } from './routes.js';
import { signedIn, type SignedInState } from './signed-in.js';
import type { WaitingResponse } from './types.js';

/** `POST /step-up`: a signed-in session starts a challenge on one of its user's factors. */
async function beginStepUp(call: RouteCall): Promise<RouteResult> {
  const state = signedIn(call.state);
  const { kept, body } = await startChallenge(call, state.user);
  await call.steps.save(call.session, { ...state, stepUp: kept });
  return { status: 201, body };
}

/**
 * Records the step-up's time in the server-side state. Unlike the sign-in, the session keeps its
 * id and CSRF token: it was already fully authenticated, and the proof only refreshes the time
 * the sensitive routes hand to core (FL-13).
 */
async function recordStepUp(
  call: RouteCall,
  state: SignedInState,
  success: SecondFactorSuccess,
): Promise<RouteResult> {
  // Only core's plain `ok === true` success counts (FL-03); anything else is a failure.
  if (success.ok !== true) throw new WebError(500, 'INTERNAL_ERROR', 'Unexpected answer.');
  const { stepUp: _answered, ...rest } = state;
  await call.steps.save(call.session, { ...rest, stepUpAt: success.at });
  const body: SteppedUpResponse = {
    ok: true,
    providerId: success.providerId,
    method: success.method,
    amr: [...success.amr],
    at: success.at,
    stepUp: call.steps.service.isRecentSecondFactor(state.user, success.at),
    ...(success.recoveryCodesRemaining === undefined
      ? {}
      : { recoveryCodesRemaining: success.recoveryCodesRemaining }),
    ...(success.lowRecoveryCodes === undefined
      ? {}
      : { lowRecoveryCodes: success.lowRecoveryCodes }),
  };
  return { body };
}

/** `POST /step-up/answer`: the code for this session's own step-up challenge. */
async function answerStepUp(call: RouteCall): Promise<RouteResult> {
  const state = signedIn(call.state);
  const code = requiredString(call.body, 'code');
  if (state.stepUp === undefined) throw new PendingStateError('CHALLENGE_NOT_FOUND');
  const result = await call.steps.service.completeChallenge(
    state.stepUp.id,
    state.user,
    code,
    call.info,
  );
  if (result.ok !== true) {
    const body: WaitingResponse = { ok: false, waiting: true };
    return { status: 202, body };
  }
  return recordStepUp(call, state, result);
}

/**
 * `POST /step-up/recovery-code`: where the audience's policy lets recovery codes count (core
 * refuses them otherwise, AS-04), one of them proves the user too; it is spent.
 */
async function recoveryStepUp(call: RouteCall): Promise<RouteResult> {
  const state = signedIn(call.state);
  const code = requiredString(call.body, 'code');
  const success = await call.steps.service.useRecoveryCode(state.user, code, call.info);
  return recordStepUp(call, state, success);
}

/** Step-up: a signed-in session proves a recent second factor again before a sensitive action. */
export const stepUpRoutes: readonly Route[] = [
  { method: 'POST', pattern: /^\/step-up$/, run: beginStepUp },
  { method: 'POST', pattern: /^\/step-up\/answer$/, run: answerStepUp },
  { method: 'POST', pattern: /^\/step-up\/recovery-code$/, run: recoveryStepUp },
];
