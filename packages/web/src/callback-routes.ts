import {
  FactorkitError,
  PendingStateError,
  constantTimeEqual,
  type SecondFactorSuccess,
  type StillWaiting,
} from '@factorkit/core';
import { WebError } from './errors.js';
import type { ResolvedPages } from './pages/options.js';
import { formPost } from './pages/page-routes.js';
import type { Route, RouteCall, RouteResult } from './route.js';
import { assertEnrollmentOffered, signIn } from './routes.js';
import type { PendingActivation, PendingChallenge, SecondStepState } from './second-step-store.js';
import type { EnrolledResponse, SignedInResponse } from './types.js';

/**
 * `GET /callback/:providerId`: where a redirect provider (Duo's Universal Prompt) sends the
 * browser back, with `state` and `duo_code` (or `error`) in the query.
 *
 * It is a top-level cross-site navigation started by Duo, so it cannot carry our CSRF token.
 * The defence is the `state`: it is the id of the step this very session keeps server-side,
 * compared in constant time, and taken out of the session before core is asked, so it works once
 * (DU-10). Whether the step is a sign-in or an enrollment is read from what the session kept,
 * never from the request.
 */

/** The step a session kept for one provider, as the callback finds it. */
type PendingState = Extract<SecondStepState, { phase: 'pending' }>;

type KeptStep =
  | { readonly kind: 'challenge'; readonly step: PendingChallenge }
  | { readonly kind: 'activation'; readonly step: PendingActivation };

/** Longest query value passed on (the provider applies the same bound). */
const MAX_VALUE = 2048;

/** The callback's query, only the fields a redirect provider answers with. */
function callbackQuery(request: Request): Record<string, string> {
  const params = new URL(request.url).searchParams;
  const query: Record<string, string> = {};
  for (const name of ['state', 'duo_code', 'code', 'error', 'error_description']) {
    const values = params.getAll(name);
    // A value sent twice: which copy counts would be a guess.
    if (values.length > 1)
      throw new WebError(400, 'INVALID_JSON', `The query parameter "${name}" was sent twice.`);
    const value = values[0];
    if (value !== undefined && value.length > 0 && value.length <= MAX_VALUE) query[name] = value;
  }
  if (query['state'] === undefined)
    throw new WebError(400, 'INVALID_JSON', 'The callback has no "state": start again.');
  return query;
}

/** The steps this session keeps for `providerId`: its sign-in challenge, its enrollment. */
function keptSteps(state: SecondStepState, providerId: string): KeptStep[] {
  const kept: KeptStep[] = [];
  if (state.phase === 'pending' && state.challenge?.providerId === providerId)
    kept.push({ kind: 'challenge', step: state.challenge });
  if (state.activation?.providerId === providerId)
    kept.push({ kind: 'activation', step: state.activation });
  return kept;
}

/**
 * The kept step whose id is the returned state. Every candidate is compared (no early exit), so
 * the time does not tell which one matched. Another session's or another user's state matches
 * none: refused, and this session's own step stays for its real callback (DU-01).
 */
function matchingStep(state: SecondStepState, providerId: string, returned: string): KeptStep {
  const kept = keptSteps(state, providerId);
  if (kept.length === 0) throw new PendingStateError('CHALLENGE_NOT_FOUND');
  let found: KeptStep | undefined;
  for (const candidate of kept)
    if (constantTimeEqual(returned, candidate.step.id)) found = candidate;
  if (found === undefined)
    throw new FactorkitError('STATE_MISMATCH', 'This answer does not belong to this sign-in.');
  return found;
}

/**
 * Takes the step out of the session (compare-and-set, FL-15): a replayed or a parallel callback
 * finds nothing to answer. Returns the state as saved, for the sign-in that may follow.
 */
async function spend(call: RouteCall, kept: KeptStep): Promise<SecondStepState> {
  let next: SecondStepState;
  if (kept.kind === 'activation') {
    const { activation: _spent, ...rest } = call.state;
    next = rest;
  } else {
    const { challenge: _spent, page, ...rest } = call.state as PendingState;
    // The pages' copy of the prompt goes with its challenge; the rest of the pages' state stays.
    const { challenge: _prompt, ...pageRest } = page ?? {};
    next = { ...rest, ...(page === undefined ? {} : { page: pageRest }) };
  }
  await call.steps.save(call.session, next);
  const saved = await call.steps.state(call.session);
  if (saved === undefined) throw new PendingStateError('CHALLENGE_NOT_FOUND');
  return saved;
}

type Answered =
  | { readonly kind: 'signed-in'; readonly body: SignedInResponse }
  | { readonly kind: 'enrolled'; readonly body: EnrolledResponse }
  // A redirect provider's callback is final; core's "still waiting" is passed on as it is.
  | { readonly kind: 'waiting' };

/** Finds and spends the kept step, then lets core verify the callback for it. */
async function answer(call: RouteCall): Promise<Answered> {
  const providerId = call.params.providerId!;
  const query = callbackQuery(call.request);
  const kept = matchingStep(call.state, providerId, query['state']!);
  if (kept.kind === 'activation') await assertEnrollmentOffered(call);
  const after: RouteCall = { ...call, state: await spend(call, kept) };
  const { user } = after.state;
  if (kept.kind === 'challenge') {
    const result: SecondFactorSuccess | StillWaiting = await call.steps.service.completeChallenge(
      kept.step.id,
      user,
      query,
      call.info,
    );
    if (result.ok !== true) return { kind: 'waiting' };
    const done = await signIn(after, result);
    const body: SignedInResponse = {
      ok: true,
      outcome: done.outcome,
      csrfToken: call.steps.csrfToken(done.state),
    };
    return { kind: 'signed-in', body };
  }
  const done = await call.steps.service.completeActivation(kept.step.id, user, query, call.info);
  if (done.ok !== true) return { kind: 'waiting' };
  const next = await call.steps.service.requirement(user, undefined, call.info);
  const body: EnrolledResponse = {
    ok: true,
    enrollmentId: done.enrollmentId,
    providerId: done.providerId,
    label: done.label,
    ...(done.recoveryCodes === undefined ? {} : { recoveryCodes: done.recoveryCodes }),
    next,
  };
  return { kind: 'enrolled', body };
}

/** The JSON API: the same bodies as answering a challenge or an enrollment by POST. */
async function jsonCallback(call: RouteCall): Promise<RouteResult> {
  const answered = await answer(call);
  if (answered.kind === 'waiting') return { status: 202, body: { ok: false, waiting: true } };
  return { status: answered.kind === 'enrolled' ? 201 : 200, body: answered.body };
}

/**
 * The pages: a 303 to the host's after-sign-in page, or to the step page (which shows the new
 * recovery codes after an enrollment); a refusal is a one-shot flash on the step page.
 */
function pageCallback(pages: ResolvedPages) {
  return formPost(pages, async (call) => {
    const answered = await answer(call);
    if (answered.kind === 'signed-in') return pages.afterSignIn;
    if (answered.kind === 'enrolled' && answered.body.recoveryCodes !== undefined) {
      const now = await call.steps.state(call.session);
      if (now !== undefined)
        await call.steps.save(call.session, {
          ...now,
          page: { ...now.page, recoveryCodes: answered.body.recoveryCodes },
        });
    }
    // A signed-in session added the factor from its security settings: back there.
    return call.state.phase === 'authenticated' ? `${pages.prefix}/account` : `${pages.prefix}/`;
  });
}

/** The callback route; with the pages on, a browser is answered with redirects, not JSON. */
export function callbackRoutes(pages: ResolvedPages | undefined): readonly Route[] {
  return [
    {
      method: 'GET',
      pattern: /^\/callback\/(?<providerId>[a-z][a-z0-9-]{0,63})$/,
      // Duo's redirect back is a cross-site GET that cannot carry our token: the state bound to
      // the kept step stands in for it (DU-10).
      csrf: false,
      run: pages === undefined ? jsonCallback : pageCallback(pages),
    },
  ];
}
