import { FactorkitError, PendingStateError, type SecondFactorSuccess } from '@factorkit/core';
import { WebError, mapError } from '../errors.js';
import type { Route, RouteCall, RouteResult } from '../route.js';
import { assertEnrollmentOffered } from '../routes.js';
import { requireStepUp, type SignedInState } from '../signed-in.js';
import type { AccountNotice } from './account-catalog.js';
import {
  accountEnrollPage,
  accountPage,
  accountPaths,
  stepUpPage,
  stepUpRecoveryPage,
} from './account-page.js';
import type { PageState, ResolvedPages } from './options.js';
import { chosenLabel, field, formAnswer, updatePage } from './page-routes.js';
import { seeOther } from './render.js';

/*
 * The account pages' form posts, under `<prefix>/page/account/...`. The handler has checked the
 * `_csrf` field before any of them runs (FL-12). Each change first asks core whether the
 * session's last second factor is recent (FL-13, audited when it is not); a stale one changes
 * nothing and sends the person to "Confirm it's you". After the step-up they are back on the
 * security settings and repeat the change: the action is not kept in the state and replayed,
 * so what is done is always what the person pressed on a page they saw after confirming.
 */

/** An id in a path: the characters of the ids core hands out; anything else is no route. */
const ID = '(?<id>[A-Za-z0-9._~-]{1,128})';

type Act = (call: RouteCall, state: SignedInState) => Promise<string>;

/** The one-shot report of a change, beside whatever else the pages keep. */
async function report(call: RouteCall, notice: AccountNotice, extra: PageState = {}) {
  await updatePage(call, ({ flash: _f, ...page }) => ({ ...page, ...extra, notice }));
}

/**
 * A form post of a signed-in session: a refusal becomes a one-shot flash (never in the URL) and a
 * 303 to `back`, or to the step-up page when the refusal is STEP_UP_REQUIRED. A pending session
 * is sent to its step with nothing done (FL-06). Faults on our side still reach `onError`.
 */
function accountPost(pages: ResolvedPages, act: Act, back?: string, about?: string) {
  const paths = accountPaths(pages.prefix);
  return async (call: RouteCall): Promise<RouteResult> => {
    if (call.state.phase !== 'authenticated') {
      await updatePage(call, (page) => ({ ...page, flash: { code: 'SECOND_FACTOR_REQUIRED' } }));
      return seeOther(`${pages.prefix}/`);
    }
    try {
      return seeOther(await act(call, call.state));
    } catch (err) {
      if (!(err instanceof FactorkitError) && !(err instanceof WebError)) throw err;
      const mapped = mapError(err, call.info.requestId ?? '');
      if (mapped.unexpected && mapped.status !== 503) throw err;
      const { code, retryAfter } = mapped.body.error;
      const ended = code === 'CHALLENGE_NOT_FOUND' || code === 'CHALLENGE_EXPIRED';
      const stale = code === 'STEP_UP_REQUIRED';
      const on = about === undefined || stale ? undefined : call.params[about];
      await updatePage(call, ({ flash: _f, notice: _n, challenge, ...page }) => ({
        ...page,
        ...(ended || challenge === undefined ? {} : { challenge }),
        flash: {
          code,
          ...(retryAfter === undefined ? {} : { retryAfter }),
          ...(on === undefined ? {} : { about: on }),
        },
      }));
      return seeOther(stale ? paths.stepUp : (back ?? paths.page));
    }
  };
}

/** The step-up passed: its time goes into the server-side state; id and token stay (FL-13). */
async function recordStepUp(call: RouteCall, state: SignedInState, success: SecondFactorSuccess) {
  // Only core's plain `ok === true` success counts (FL-03).
  if (success.ok !== true) throw new WebError(500, 'INTERNAL_ERROR', 'Unexpected answer.');
  const { stepUp: _answered, page, ...rest } = state;
  const { challenge: _prompt, flash: _f, ...pageRest } = page ?? {};
  await call.steps.save(call.session, {
    ...rest,
    stepUpAt: success.at,
    page: { ...pageRest, notice: 'confirmed' },
  });
}

function post(pattern: string, run: Route['run']): Route {
  return { method: 'POST', pattern: new RegExp(`^/page/account/${pattern}$`), form: true, run };
}

/** The account pages (GET) and their form posts. */
export function accountPageRoutes(pages: ResolvedPages): readonly Route[] {
  const paths = accountPaths(pages.prefix);
  const service = (call: RouteCall) => call.steps.service;
  return [
    { method: 'GET', pattern: /^\/account$/, run: (call) => accountPage(pages, call) },
    {
      method: 'GET',
      pattern: /^\/account\/enroll$/,
      run: (call) => accountEnrollPage(pages, call),
    },
    { method: 'GET', pattern: /^\/account\/step-up$/, run: (call) => stepUpPage(pages, call) },
    {
      method: 'GET',
      pattern: /^\/account\/step-up\/recovery$/,
      run: (call) => stepUpRecoveryPage(pages, call),
    },
    post(
      `factors/${ID}/rename`,
      accountPost(
        pages,
        async (call, { user }) => {
          await requireStepUp(call);
          const label = field(call, 'label').trim();
          await service(call).renameEnrollment(user, call.params.id!, label, call.info);
          await report(call, 'renamed');
          return paths.page;
        },
        undefined,
        'id',
      ),
    ),
    post(
      `factors/${ID}/remove`,
      accountPost(pages, async (call, { user }) => {
        const { stepUp } = await requireStepUp(call);
        // Another user's id is core's NOT_ENROLLED, as an unknown one is (EN-08).
        await service(call).removeEnrollment(user, call.params.id!, stepUp, call.info);
        await report(call, 'removed');
        return paths.page;
      }),
    ),
    post(
      'recovery-codes',
      accountPost(pages, async (call, { user }) => {
        const { stepUp } = await requireStepUp(call);
        const codes = await service(call).regenerateRecoveryCodes(user, stepUp, call.info);
        // Shown once by the next account page view, which removes them before showing them.
        await updatePage(call, ({ flash: _f, ...page }) => ({ ...page, recoveryCodes: codes }));
        return paths.page;
      }),
    ),
    post(
      'devices/forget-all',
      accountPost(pages, async (call, { user }) => {
        await requireStepUp(call);
        await service(call).revokeTrustedDevices(user, call.info);
        await report(call, 'allForgotten');
        return paths.page;
      }),
    ),
    post(
      `devices/${ID}/forget`,
      accountPost(pages, async (call, { user }) => {
        await requireStepUp(call);
        const revoked = await service(call).revokeTrustedDevice(user, call.params.id!, call.info);
        // Core answers false alike for an unknown id and another user's (FL-11).
        if (!revoked) throw new WebError(404, 'NOT_FOUND', 'No such device.');
        await report(call, 'forgotten');
        return paths.page;
      }),
    ),
    post(
      'turn-off',
      accountPost(pages, async (call, { user }) => {
        const { stepUp } = await requireStepUp(call);
        // Core refuses it (and removes nothing) unless the audience allows it and does not force 2FA.
        await service(call).turnOffTwoFactor(user, stepUp, call.info);
        await report(call, 'turnedOff');
        return paths.page;
      }),
    ),
    post(
      // "answer" is the route below, not a provider.
      'enroll/(?!answer$)(?<providerId>[a-z][a-z0-9-]{0,63})',
      accountPost(pages, async (call, state) => {
        const providerId = call.params.providerId!;
        // Needs a recent second factor while the user has one (FL-13), and policy's offer.
        await assertEnrollmentOffered(call);
        const kept = state.activation;
        // The same QR code until it is confirmed or expires: a wrong code is retried on it.
        if (kept?.providerId === providerId && kept.expiresAt > call.steps.now())
          return paths.enroll;
        const started = await service(call).beginActivation(state.user, providerId, call.info);
        const { activationId: id, prompt, expiresAt } = started;
        await call.steps.save(call.session, {
          ...state,
          activation: { id, providerId: started.providerId, prompt, expiresAt },
        });
        return paths.enroll;
      }),
    ),
    post(
      'enroll/answer',
      accountPost(
        pages,
        async (call, state) => {
          const activation = state.activation;
          if (activation === undefined) throw new PendingStateError('CHALLENGE_NOT_FOUND');
          await assertEnrollmentOffered(call);
          const done = await service(call).completeActivation(
            activation.id,
            state.user,
            formAnswer(call),
            call.info,
            chosenLabel(call),
          );
          if (done.ok !== true) return paths.enroll;
          const { activation: _spent, page, ...rest } = state;
          const { flash: _f, ...pageRest } = page ?? {};
          const codes =
            done.recoveryCodes === undefined ? {} : { recoveryCodes: done.recoveryCodes };
          await call.steps.save(call.session, {
            ...rest,
            page: { ...pageRest, ...codes, notice: 'added' },
          });
          return paths.page;
        },
        paths.enroll,
      ),
    ),
    post(
      'step-up',
      accountPost(
        pages,
        async (call, state) => {
          const started = await service(call).beginChallenge(
            state.user,
            { enrollmentId: field(call, 'enrollmentId') },
            call.info,
          );
          // Duo's redirect comes back to the callback route, which has no step-up yet.
          if (started.prompt.kind === 'redirect')
            throw new WebError(409, 'PROMPT_NOT_RENDERED', 'Confirm with another method here.');
          const { challengeId: id, providerId, enrollmentId, expiresAt } = started;
          await call.steps.save(call.session, {
            ...state,
            stepUp: { id, providerId, enrollmentId, expiresAt },
            page: { ...state.page, challenge: { id, prompt: started.prompt } },
          });
          return paths.stepUp;
        },
        paths.stepUp,
      ),
    ),
    post(
      'step-up/answer',
      accountPost(
        pages,
        async (call, state) => {
          if (state.stepUp === undefined) throw new PendingStateError('CHALLENGE_NOT_FOUND');
          const result = await service(call).completeChallenge(
            state.stepUp.id,
            state.user,
            formAnswer(call),
            call.info,
          );
          if (result.ok !== true) return paths.stepUp;
          await recordStepUp(call, state, result);
          return paths.page;
        },
        paths.stepUp,
      ),
    ),
    post(
      'step-up/recovery',
      accountPost(
        pages,
        async (call, state) => {
          const code = field(call, 'code');
          await recordStepUp(
            call,
            state,
            await service(call).useRecoveryCode(state.user, code, call.info),
          );
          return paths.page;
        },
        paths.stepUpRecovery,
      ),
    ),
  ];
}
