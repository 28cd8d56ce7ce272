import { PendingStateError, type SecondFactorSuccess, type StillWaiting } from '@factorkit/core';
import { WebError } from './errors.js';
import type { Route, RouteCall, RouteResult } from './route.js';
import { signIn } from './routes.js';
import type { PollResponse } from './types.js';

/**
 * `POST /challenge/poll`: the client asks how a push it is waiting for (Duo's legacy Auth API,
 * a `push-wait` prompt) turned out. It sends nothing secret: the push's transaction id stays in
 * core's pending step, and the challenge is the one this session keeps (DA-08). Core decides:
 * waiting, approved (the session is signed in as by any answer), or denied / expired (its typed
 * error). A poll is not a guess, so it never counts towards the user's lockout.
 */

/** The longest a poll may be held open (a long poll), in ms: below common proxy idle timeouts. */
export const MAX_POLL_WAIT_MS = 25_000;
/** Between two asks of core inside one long poll (Duo's own `auth_status` waits as well). */
const ASK_EVERY_MS = 500;

function waitOf(body: Record<string, unknown>): number {
  const wait = body['waitMs'];
  if (wait === undefined) return 0;
  if (typeof wait !== 'number' || !Number.isInteger(wait) || wait < 0 || wait > MAX_POLL_WAIT_MS)
    throw new WebError(
      400,
      'INVALID_JSON',
      `"waitMs" must be a whole number of milliseconds from 0 to ${MAX_POLL_WAIT_MS}.`,
    );
  return wait;
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}

async function poll(call: RouteCall): Promise<RouteResult> {
  const cancel = call.body['cancel'] === true;
  const wait = cancel ? 0 : waitOf(call.body);
  const { state } = call;
  if (state.phase !== 'pending')
    throw new WebError(409, 'NO_SECOND_STEP', 'This session has already passed its second step.');
  const challenge = state.challenge;
  if (challenge === undefined) throw new PendingStateError('CHALLENGE_NOT_FOUND');
  // Measured on the real clock: the wait is about this request's connection, not about core.
  const until = Date.now() + wait;
  const input = cancel ? { cancel: true } : { poll: true };
  let result: SecondFactorSuccess | StillWaiting;
  for (;;) {
    result = await call.steps.service.completeChallenge(challenge.id, state.user, input, call.info);
    if (result.ok === true || Date.now() + ASK_EVERY_MS > until || call.request.signal.aborted)
      break;
    await pause(ASK_EVERY_MS, call.request.signal);
  }
  if (result.ok !== true) {
    const body: PollResponse = { ok: false, waiting: true, status: 'waiting' };
    return { status: 202, body };
  }
  const done = await signIn(call, result);
  const body: PollResponse = {
    ok: true,
    status: 'approved',
    outcome: done.outcome,
    csrfToken: call.steps.csrfToken(done.state),
  };
  return { body };
}

export const pushPollRoutes: readonly Route[] = [
  { method: 'POST', pattern: /^\/challenge\/poll$/, run: poll },
];
