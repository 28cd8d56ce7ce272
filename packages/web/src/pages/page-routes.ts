import { FactorkitError, PendingStateError } from '@factorkit/core';
import { optionalString } from '../body.js';
import { WebError, mapError } from '../errors.js';
import type { Route, RouteCall, RouteResult } from '../route.js';
import { rememberOffered, rememberThisDevice } from '../remember-device.js';
import { assertEnrollmentOffered, signIn } from '../routes.js';
import { DEFAULT_TEMPLATES } from './templates.js';
import { mergeCatalogs, negotiatedLocale } from './locale.js';
import { sitePath, type PageOptions, type PageState, type ResolvedPages } from './options.js';
import { promptPage } from './prompt-page.js';
import { htmlPage, pageContext, seeOther } from './render.js';
import { webauthnAsset } from './webauthn-asset.js';

export function resolvePages(options: PageOptions, prefix: string): ResolvedPages {
  const catalogs = mergeCatalogs(options.locales);
  return {
    prefix,
    afterSignIn: sitePath('afterSignIn', options.afterSignIn ?? '/'),
    signOutUrl:
      options.signOutUrl === undefined ? undefined : sitePath('signOutUrl', options.signOutUrl),
    signInUrl: sitePath('signInUrl', options.signInUrl ?? '/'),
    templates: { ...DEFAULT_TEMPLATES, ...options.templates },
    catalogs,
    locale: options.locale ?? negotiatedLocale(catalogs),
    timeZone: options.timeZone ?? 'UTC',
    siteName: options.siteName,
    webauthnScript: `${prefix}${webauthnAsset().path}`,
  };
}

/**
 * A page view drops what it showed once. A flash message is only a message: if another request
 * changed the state meanwhile, the view still shows (the message may show once more). Recovery
 * codes must leave the state before they are shown, so that write is never skipped.
 */
async function dropShown(call: RouteCall, withCodes: boolean): Promise<void> {
  const page = call.state.page ?? {};
  const codes = withCodes && page.recoveryCodes !== undefined;
  if (page.flash === undefined && !codes) return;
  try {
    await updatePage(call, ({ flash: _f, recoveryCodes, ...rest }) =>
      withCodes || recoveryCodes === undefined ? rest : { ...rest, recoveryCodes },
    );
  } catch (err) {
    if (codes || !(err instanceof WebError && err.code === 'STATE_CHANGED')) throw err;
  }
}

/** Changes the pages' part of the session's state as it is now (core may have changed it). */
export async function updatePage(
  call: RouteCall,
  change: (page: PageState) => PageState,
): Promise<void> {
  const now = await call.steps.state(call.session);
  if (now === undefined) return;
  await call.steps.save(call.session, { ...now, page: change(now.page ?? {}) });
}

export function field(call: RouteCall, name: string): string {
  const value = optionalString(call.body, name);
  if (value === undefined || value === '')
    throw new WebError(400, 'INVALID_JSON', `Fill in the field "${name}".`);
  return value;
}

/**
 * A prompt's answer from a form: `poll`, the JSON a browser API resolved to (`credential`, posted
 * as text by the security-key script), or a typed `code`. The credential must parse to a JSON
 * object; a string, an array or broken JSON is the same 400 as a missing field.
 */
export function formAnswer(call: RouteCall): string | Record<string, unknown> | { poll: true } {
  if (call.body['poll'] !== undefined) return { poll: true };
  const credential = optionalString(call.body, 'credential');
  if (credential === undefined || credential === '') return field(call, 'code');
  let parsed: unknown;
  try {
    parsed = JSON.parse(credential);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new WebError(400, 'INVALID_JSON', 'The field "credential" must hold a JSON object.');
  return parsed as Record<string, unknown>;
}

/** The name a person gave a new factor on its enrollment page, if any (core checks it). */
export function chosenLabel(call: RouteCall): { label?: string } {
  const label = optionalString(call.body, 'label')?.trim();
  return label === undefined || label === '' ? {} : { label };
}

function pendingUser(call: RouteCall) {
  if (call.state.phase !== 'pending')
    throw new WebError(409, 'NO_SECOND_STEP', 'This session has already passed its second step.');
  return call.state;
}

/**
 * A form post: runs `act`; a refusal becomes a one-shot flash in the server-side state (never
 * in the URL) and a 303 back to the current step. Faults on our side still reach `onError`.
 */
export function formPost(pages: ResolvedPages, act: (call: RouteCall) => Promise<string>) {
  return async (call: RouteCall): Promise<RouteResult> => {
    try {
      return seeOther(await act(call));
    } catch (err) {
      if (!(err instanceof FactorkitError) && !(err instanceof WebError)) throw err;
      const mapped = mapError(err, call.info.requestId ?? '');
      if (mapped.unexpected && mapped.status !== 503) throw err;
      const { code, retryAfter } = mapped.body.error;
      const ended = code === 'CHALLENGE_NOT_FOUND' || code === 'CHALLENGE_EXPIRED';
      await updatePage(call, (page) => ({
        ...(ended ? {} : page.challenge === undefined ? {} : { challenge: page.challenge }),
        flash: { code, ...(retryAfter === undefined ? {} : { retryAfter }) },
      }));
      return seeOther(`${pages.prefix}/`);
    }
  };
}

/** `GET /`: the page of the step the session is at. */
async function currentStep(pages: ResolvedPages, call: RouteCall): Promise<RouteResult> {
  const { state } = call;
  const page = state.page ?? {};
  const req =
    state.phase === 'pending'
      ? await call.steps.service.requirement(state.user, undefined, call.info)
      : undefined;
  const ctx = pageContext(call, pages, req?.action === 'challenge' && req.recoveryCodes > 0);
  // The flash and the recovery codes are shown once: they leave the state with this view.
  await dropShown(call, true);
  if (page.recoveryCodes !== undefined) {
    const continueUrl = state.phase === 'pending' ? `${pages.prefix}/` : pages.afterSignIn;
    const main = pages.templates.recoveryCodes({
      ...ctx.base,
      codes: page.recoveryCodes,
      continueUrl,
    });
    return htmlPage(pages, ctx, ctx.t.codesTitle, main);
  }
  if (state.phase === 'authenticated' || req === undefined) return seeOther(pages.afterSignIn);
  const now = call.steps.now();
  if (state.activation !== undefined && state.activation.expiresAt > now)
    return promptPage(pages, ctx, state.activation.prompt, `${pages.prefix}/page/enroll/answer`);
  if (req.action === 'challenge') {
    const begun = state.challenge;
    if (begun !== undefined && begun.expiresAt > now && page.challenge?.id === begun.id) {
      const days = rememberOffered(call, state.user)
        ? call.steps.service.rememberDeviceDays(state.user)
        : undefined;
      const action = `${pages.prefix}/page/challenge/answer`;
      return promptPage(pages, ctx, page.challenge.prompt, action, days);
    }
    const factors = req.factors.map((f) => ({
      enrollmentId: f.enrollmentId,
      name: f.label !== '' ? f.label : (ctx.t.providers[f.providerId] ?? f.providerId),
    }));
    const main = pages.templates.chooser({
      ...ctx.base,
      action: `${pages.prefix}/page/challenge`,
      factors,
    });
    return htmlPage(pages, ctx, ctx.t.chooserTitle, main);
  }
  if (req.action === 'enroll' || req.action === 'grace') {
    const providers = req.providers.map((id) => ({
      action: `${pages.prefix}/page/enroll/${id}`,
      name: ctx.t.providers[id] ?? id,
    }));
    const main = pages.templates.enrollChooser({ ...ctx.base, providers });
    return htmlPage(pages, ctx, ctx.t.enrollChooserTitle, main);
  }
  return htmlPage(pages, ctx, ctx.t.deniedTitle, pages.templates.denied(ctx.base));
}

async function recoveryForm(pages: ResolvedPages, call: RouteCall): Promise<RouteResult> {
  pendingUser(call);
  const ctx = pageContext(call, pages, false);
  await dropShown(call, false);
  const main = pages.templates.recoveryForm({
    ...ctx.base,
    action: `${pages.prefix}/page/recovery`,
    backUrl: `${pages.prefix}/`,
  });
  return htmlPage(pages, ctx, ctx.t.recoveryTitle, main);
}

/** The page routes, under the handler's prefix; every POST is a form with a `_csrf` field. */
export function pageRoutes(pages: ResolvedPages): readonly Route[] {
  const prefix = pages.prefix;
  const home = `${prefix}/`;
  return [
    { method: 'GET', pattern: /^\/$/, run: (call) => currentStep(pages, call) },
    { method: 'GET', pattern: /^\/recovery$/, run: (call) => recoveryForm(pages, call) },
    {
      method: 'POST',
      pattern: /^\/page\/challenge$/,
      form: true,
      run: formPost(pages, async (call) => {
        const state = pendingUser(call);
        const started = await call.steps.service.beginChallenge(
          state.user,
          { enrollmentId: field(call, 'enrollmentId') },
          call.info,
        );
        const { challengeId: id, providerId, enrollmentId, expiresAt } = started;
        await call.steps.save(call.session, {
          ...state,
          challenge: { id, providerId, enrollmentId, expiresAt },
          page: { challenge: { id, prompt: started.prompt } },
        });
        return home;
      }),
    },
    {
      method: 'POST',
      pattern: /^\/page\/challenge\/answer$/,
      form: true,
      run: formPost(pages, async (call) => {
        const state = pendingUser(call);
        const challenge = state.challenge;
        if (challenge === undefined) throw new PendingStateError('CHALLENGE_NOT_FOUND');
        const result = await call.steps.service.completeChallenge(
          challenge.id,
          state.user,
          formAnswer(call),
          call.info,
        );
        if (result.ok !== true) return home;
        await signIn(call, result);
        // The ticked box of the code page (FL-16); the sign-in stands whatever core says.
        if (call.body['rememberDevice'] !== undefined) await rememberThisDevice(call, result);
        return pages.afterSignIn;
      }),
    },
    {
      method: 'POST',
      pattern: /^\/page\/recovery$/,
      form: true,
      run: formPost(pages, async (call) => {
        const state = pendingUser(call);
        const code = field(call, 'code');
        await signIn(call, await call.steps.service.useRecoveryCode(state.user, code, call.info));
        return pages.afterSignIn;
      }),
    },
    {
      method: 'POST',
      // "answer" is the route below, not a provider.
      pattern: /^\/page\/enroll\/(?!answer$)(?<providerId>[a-z][a-z0-9-]{0,63})$/,
      form: true,
      run: formPost(pages, async (call) => {
        const providerId = call.params.providerId!;
        const kept = call.state.activation;
        // The same QR code until it is confirmed or expires: a wrong code is retried on it.
        if (kept?.providerId === providerId && kept.expiresAt > call.steps.now()) return home;
        await assertEnrollmentOffered(call);
        const started = await call.steps.service.beginActivation(
          call.state.user,
          providerId,
          call.info,
        );
        const activation = {
          id: started.activationId,
          providerId: started.providerId,
          prompt: started.prompt,
          expiresAt: started.expiresAt,
        };
        await call.steps.save(call.session, { ...call.state, activation });
        return home;
      }),
    },
    {
      method: 'POST',
      pattern: /^\/page\/enroll\/answer$/,
      form: true,
      run: formPost(pages, async (call) => {
        const activation = call.state.activation;
        if (activation === undefined) throw new PendingStateError('CHALLENGE_NOT_FOUND');
        await assertEnrollmentOffered(call);
        const done = await call.steps.service.completeActivation(
          activation.id,
          call.state.user,
          formAnswer(call),
          call.info,
          chosenLabel(call),
        );
        if (done.ok !== true) return home;
        const { activation: _spent, ...rest } = call.state;
        const page = done.recoveryCodes === undefined ? {} : { recoveryCodes: done.recoveryCodes };
        await call.steps.save(call.session, { ...rest, page });
        return home;
      }),
    },
  ];
}
