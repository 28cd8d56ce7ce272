import { PendingStateError, type SecondFactorSuccess, type StillWaiting } from '@factorkit/core';
import { optionalString } from './body.js';
import { WebError } from './errors.js';
import type { Route, RouteCall, RouteResult } from './route.js';
import type { SecondStep } from './second-step.js';
import type { PendingChallenge, SecondStepState } from './second-step-store.js';
import { rememberRequested, rememberThisDevice } from './remember-device.js';
import { requireStepUp } from './signed-in.js';
import type {
  ChallengeResponse,
  EnrolledResponse,
  EnrollmentPromptResponse,
  HealthResponse,
  RequirementResponse,
  SignedInResponse,
  WaitingResponse,
} from './types.js';

function pending(state: SecondStepState): Extract<SecondStepState, { phase: 'pending' }> {
  if (state.phase !== 'pending')
    throw new WebError(409, 'NO_SECOND_STEP', 'This session has already passed its second step.');
  return state;
}

function requiredCode(body: Record<string, unknown>): string {
  const code = optionalString(body, 'code');
  if (code === undefined) throw new WebError(400, 'INVALID_JSON', 'Send the code as "code".');
  return code;
}

/**
 * The answer to a challenge or an enrollment: a typed `code`, or the JSON object a browser API
 * resolved to (`credential`, a WebAuthn response), never both. The body's size cap still applies.
 */
function requiredAnswer(body: Record<string, unknown>): string | Record<string, unknown> {
  const credential = body['credential'];
  if (credential === undefined) return requiredCode(body);
  if (body['code'] !== undefined)
    throw new WebError(400, 'INVALID_JSON', 'Send either "code" or "credential", not both.');
  if (typeof credential !== 'object' || credential === null || Array.isArray(credential))
    throw new WebError(400, 'INVALID_JSON', '"credential" must be a JSON object.');
  return credential as Record<string, unknown>;
}

export async function requirement(call: RouteCall): Promise<RouteResult> {
  const requirement = await call.steps.service.requirement(call.state.user, undefined, call.info);
  const body: RequirementResponse = {
    phase: call.state.phase,
    requirement,
    csrfToken: call.steps.csrfToken(call.state),
  };
  return { body };
}

export async function csrf(call: RouteCall): Promise<RouteResult> {
  return { body: { csrfToken: call.steps.csrfToken(call.state) } };
}

/**
 * Starts a challenge on one of the user's factors (`enrollmentId` from the body, or the first):
 * what the session keeps server-side, and what the client is shown. Sign-in and step-up share it.
 */
export async function startChallenge(
  call: RouteCall,
  user: SecondStepState['user'],
): Promise<{ kept: PendingChallenge; body: ChallengeResponse }> {
  const enrollmentId = optionalString(call.body, 'enrollmentId');
  const started = await call.steps.service.beginChallenge(
    user,
    enrollmentId === undefined ? undefined : { enrollmentId },
    call.info,
  );
  const kept: PendingChallenge = {
    id: started.challengeId,
    providerId: started.providerId,
    enrollmentId: started.enrollmentId,
    expiresAt: started.expiresAt,
  };
  const body: ChallengeResponse = {
    providerId: started.providerId,
    enrollmentId: started.enrollmentId,
    prompt: started.prompt,
    expiresAt: started.expiresAt,
  };
  return { kept, body };
}

export async function beginChallenge(call: RouteCall): Promise<RouteResult> {
  const state = pending(call.state);
  const { kept, body } = await startChallenge(call, state.user);
  await call.steps.save(call.session, { ...state, challenge: kept });
  return { status: 201, body };
}

/** Marks the session signed in and tells the host (the JSON routes and the pages share it). */
export async function signIn(call: RouteCall, success: SecondFactorSuccess) {
  // Only core's plain `ok === true` success signs in (FL-03); anything else is a failure.
  if (success.ok !== true) throw new WebError(500, 'INTERNAL_ERROR', 'Unexpected answer.');
  const done = await call.steps.complete(call.session, call.state, success);
  try {
    await call.signedIn(done.outcome);
  } catch (err) {
    // The host could not mark its session: the session must not stay signed in either (LG-03).
    await call.steps.endSecondStep(call.session);
    throw err;
  }
  return done;
}

async function finish(
  call: RouteCall,
  success: SecondFactorSuccess,
  remember: boolean,
): Promise<RouteResult> {
  const done = await signIn(call, success);
  const remembered = remember ? await rememberThisDevice(call, success) : undefined;
  const body: SignedInResponse = {
    ok: true,
    outcome: done.outcome,
    csrfToken: call.steps.csrfToken(done.state),
    ...(remembered === undefined ? {} : { rememberedDevice: remembered }),
    ...(success.recoveryCodesRemaining === undefined
      ? {}
      : { recoveryCodesRemaining: success.recoveryCodesRemaining }),
    ...(success.lowRecoveryCodes === undefined
      ? {}
      : { lowRecoveryCodes: success.lowRecoveryCodes }),
  };
  return { body };
}

export async function answerChallenge(call: RouteCall): Promise<RouteResult> {
  const state = pending(call.state);
  const code = requiredAnswer(call.body);
  const remember = rememberRequested(call.body);
  if (state.challenge === undefined) throw new PendingStateError('CHALLENGE_NOT_FOUND');
  const result: SecondFactorSuccess | StillWaiting = await call.steps.service.completeChallenge(
    state.challenge.id,
    state.user,
    code,
    call.info,
  );
  if (result.ok !== true) {
    const body: WaitingResponse = { ok: false, waiting: true };
    return { status: 202, body };
  }
  return finish(call, result, remember);
}

export async function recoveryCode(call: RouteCall): Promise<RouteResult> {
  const state = pending(call.state);
  const code = requiredCode(call.body);
  const remember = rememberRequested(call.body);
  const success = await call.steps.service.useRecoveryCode(state.user, code, call.info);
  return finish(call, success, remember);
}

/**
 * Enrollment is offered where policy asks for one now (`enroll`) or lets the user defer it; and
 * to a signed-in session adding another factor after a recent second factor (step-up), or its
 * first one when it has none to step up with (an unforced user opting in).
 */
export async function assertEnrollmentOffered(call: RouteCall): Promise<void> {
  const now = await call.steps.service.requirement(call.state.user, undefined, call.info);
  if (now.action === 'enroll' || now.action === 'grace') return;
  // `deny` (e.g. no factor meets the audience's assurance, AS-03) is never lifted from here.
  if (call.state.phase === 'authenticated' && now.action !== 'deny') {
    const held = await call.steps.service.listEnrollments(call.state.user);
    if (held.length > 0) await requireStepUp(call);
    return;
  }
  throw new WebError(
    403,
    'ENROLLMENT_NOT_OFFERED',
    'Setting up a factor is not offered here: sign in with your factor first.',
  );
}

export async function enrollmentPrompt(call: RouteCall): Promise<RouteResult> {
  const providerId = call.params.providerId!;
  await assertEnrollmentOffered(call);
  const kept = call.state.activation;
  // The same QR code until it is confirmed or expires: a wrong code is retried on it.
  if (kept !== undefined && kept.providerId === providerId && kept.expiresAt > call.steps.now()) {
    const body: EnrollmentPromptResponse = {
      providerId,
      prompt: kept.prompt,
      expiresAt: kept.expiresAt,
    };
    return { body };
  }
  const started = await call.steps.service.beginActivation(call.state.user, providerId, call.info);
  const activation = {
    id: started.activationId,
    providerId: started.providerId,
    prompt: started.prompt,
    expiresAt: started.expiresAt,
  };
  await call.steps.save(call.session, { ...call.state, activation });
  const body: EnrollmentPromptResponse = {
    providerId: started.providerId,
    prompt: started.prompt,
    expiresAt: started.expiresAt,
  };
  return { status: 201, body };
}

export async function enrollmentAnswer(call: RouteCall): Promise<RouteResult> {
  const code = requiredAnswer(call.body);
  const label = optionalString(call.body, 'label');
  const activation = call.state.activation;
  if (activation === undefined) throw new PendingStateError('CHALLENGE_NOT_FOUND');
  await assertEnrollmentOffered(call);
  const done = await call.steps.service.completeActivation(
    activation.id,
    call.state.user,
    code,
    call.info,
    label === undefined ? undefined : { label },
  );
  if (done.ok !== true) return { status: 202, body: { ok: false, waiting: true } };
  const { activation: _spent, ...rest } = call.state;
  await call.steps.save(call.session, rest);
  const next = await call.steps.service.requirement(call.state.user, undefined, call.info);
  const body: EnrolledResponse = {
    ok: true,
    enrollmentId: done.enrollmentId,
    providerId: done.providerId,
    label: done.label,
    ...(done.recoveryCodes === undefined ? {} : { recoveryCodes: done.recoveryCodes }),
    next,
  };
  return { status: 201, body };
}

export async function health(steps: SecondStep): Promise<RouteResult> {
  const report = await steps.service.health();
  const providers: Record<string, { healthy: boolean }> = {};
  for (const [id, entry] of Object.entries(report)) providers[id] = { healthy: entry.healthy };
  const ok = Object.values(providers).every((p) => p.healthy);
  const body: HealthResponse = { ok, providers };
  return { status: ok ? 200 : 503, body };
}

/** The second step's own routes: requirement, challenge, recovery code, enrollment. */
export const secondStepRoutes: readonly Route[] = [
  { method: 'GET', pattern: /^\/requirement$/, run: requirement },
  { method: 'GET', pattern: /^\/csrf$/, run: csrf },
  { method: 'POST', pattern: /^\/challenge$/, run: beginChallenge },
  { method: 'POST', pattern: /^\/challenge\/answer$/, run: answerChallenge },
  { method: 'POST', pattern: /^\/recovery-code$/, run: recoveryCode },
  {
    method: 'GET',
    pattern: /^\/enroll\/(?<providerId>[a-z][a-z0-9-]{0,63})$/,
    run: enrollmentPrompt,
    // A GET, but it starts an activation: it needs the token too (sent as a header, which a
    // cross-site page cannot add without CORS).
    csrf: true,
  },
  { method: 'POST', pattern: /^\/enroll\/answer$/, run: enrollmentAnswer },
];
