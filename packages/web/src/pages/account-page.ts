import { InvalidArgumentError, type SecurityTimelinePage } from '@factorkit/core';
import { WebError } from '../errors.js';
import type { RouteCall, RouteResult } from '../route.js';
import type { SignedInState } from '../signed-in.js';
import type { AccountView } from './account-views.js';
import type { Catalog } from './catalogs.js';
import type { ResolvedPages } from './options.js';
import { updatePage } from './page-routes.js';
import { promptPage } from './prompt-page.js';
import { htmlPage, pageContext, seeOther } from './render.js';

/*
 * The signed-in user's own pages: "Security settings" (`GET <prefix>/account`), the enrollment
 * of another factor (`GET <prefix>/account/enroll`) and "Confirm it's you", the step-up before a
 * change (`GET <prefix>/account/step-up`, `.../recovery`). They only read; every change is a form
 * post in account-page-routes.ts. A pending session is sent to its step (FL-06): these pages
 * are never a way around the second factor.
 */

/** How many timeline entries a page shows; older ones are a link away. */
export const ACTIVITY_PAGE = 10;

/** The account pages' paths under the prefix. */
export function accountPaths(prefix: string) {
  return {
    page: `${prefix}/account`,
    enroll: `${prefix}/account/enroll`,
    stepUp: `${prefix}/account/step-up`,
    stepUpRecovery: `${prefix}/account/step-up/recovery`,
    post: `${prefix}/page/account`,
  };
}

/**
 * Drops what a view showed once: the refusal, the report of a change, and (when this page shows
 * them) recovery codes. Codes leave the state before they are shown, so that write is never
 * skipped; a lost race over a message only means it may show once more.
 */
async function dropShown(call: RouteCall, withCodes: boolean): Promise<void> {
  const page = call.state.page ?? {};
  const codes = withCodes && page.recoveryCodes !== undefined;
  if (page.flash === undefined && page.notice === undefined && !codes) return;
  try {
    await updatePage(call, ({ flash: _f, notice: _n, recoveryCodes, ...rest }) =>
      withCodes || recoveryCodes === undefined ? rest : { ...rest, recoveryCodes },
    );
  } catch (err) {
    if (codes || !(err instanceof WebError && err.code === 'STATE_CHANGED')) throw err;
  }
}

function dateText(pages: ResolvedPages, lang: string, ms: number): string {
  return new Intl.DateTimeFormat(lang, {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone: pages.timeZone,
  }).format(new Date(ms));
}

const providerName = (t: Catalog, id: string) => t.providers[id] ?? id;

/** A page of the timeline; a `before` that is no page's cursor shows the newest page. */
async function activityPage(call: RouteCall, state: SignedInState) {
  const before = new URL(call.request.url).searchParams.get('before') ?? undefined;
  const service = call.steps.service;
  try {
    const page = await service.securityTimeline(state.user, {
      limit: ACTIVITY_PAGE,
      ...(before === undefined ? {} : { before }),
    });
    return { page, older: before !== undefined };
  } catch (err) {
    if (!(err instanceof InvalidArgumentError)) throw err;
    const page: SecurityTimelinePage = await service.securityTimeline(state.user, {
      limit: ACTIVITY_PAGE,
    });
    return { page, older: false };
  }
}

/** `GET <prefix>/account`: the security settings, or once the recovery codes just issued. */
export async function accountPage(pages: ResolvedPages, call: RouteCall): Promise<RouteResult> {
  if (call.state.phase !== 'authenticated') return seeOther(`${pages.prefix}/`);
  const state = call.state;
  const paths = accountPaths(pages.prefix);
  const ctx = pageContext(call, pages, false);
  const { t, lang } = ctx;
  const shown = state.page ?? {};
  await dropShown(call, true);
  if (shown.recoveryCodes !== undefined) {
    const main = pages.templates.recoveryCodes({
      ...ctx.base,
      codes: shown.recoveryCodes,
      continueUrl: paths.page,
    });
    return htmlPage(pages, ctx, t.codesTitle, main);
  }
  const service = call.steps.service;
  const [factors, codes, devices, controls, activity] = await Promise.all([
    service.listEnrollments(state.user),
    service.recoveryCodeStatus(state.user),
    service.listTrustedDevices(state.user),
    service.accountControls(state.user),
    activityPage(call, state),
  ]);
  const date = (ms: number) => dateText(pages, lang, ms);
  const view: AccountView = {
    ...ctx.base,
    ...(shown.notice === undefined ? {} : { notice: t.account.notices[shown.notice] }),
    factors: factors.map((f) => {
      const id = encodeURIComponent(f.id);
      return {
        id: f.id,
        name: f.label ?? providerName(t, f.providerId),
        providerName: providerName(t, f.providerId),
        added: date(f.createdAt),
        ...(f.lastUsedAt === null ? {} : { lastUsed: date(f.lastUsedAt) }),
        renameAction: `${paths.post}/factors/${id}/rename`,
        ...(controls.mayRemoveFactors
          ? { removeAction: `${paths.post}/factors/${id}/remove` }
          : {}),
        ...(shown.flash?.about === f.id ? { invalid: true } : {}),
      };
    }),
    add: controls.enrollable.map((id) => ({
      action: `${paths.post}/enroll/${id}`,
      name: providerName(t, id),
    })),
    ...(factors.length === 0
      ? {}
      : { recoveryCodes: { ...codes, regenerateAction: `${paths.post}/recovery-codes` } }),
    devices: devices.map((d) => ({
      name: d.label ?? t.account.defaultDevice,
      until: date(d.expiresAt),
      forgetAction: `${paths.post}/devices/${encodeURIComponent(d.id)}/forget`,
    })),
    forgetAllAction: `${paths.post}/devices/forget-all`,
    activity: activity.page.events.map((a) => ({
      what: t.account.events[a.type] ?? a.type,
      when: date(a.at),
      ...(a.providerId === undefined ? {} : { method: providerName(t, a.providerId) }),
      ...(a.ip === undefined ? {} : { ip: a.ip }),
    })),
    ...(activity.page.next === null
      ? {}
      : { olderUrl: `${paths.page}?before=${encodeURIComponent(activity.page.next)}` }),
    ...(activity.older ? { newestUrl: paths.page } : {}),
    ...(controls.mayTurnOff && factors.length > 0
      ? { turnOffAction: `${paths.post}/turn-off` }
      : {}),
  };
  return htmlPage(pages, ctx, t.account.title, pages.templates.account(view));
}

/** `GET <prefix>/account/enroll`: the prompt of the factor being added, until it is confirmed. */
export async function accountEnrollPage(pages: ResolvedPages, call: RouteCall) {
  const paths = accountPaths(pages.prefix);
  if (call.state.phase !== 'authenticated') return seeOther(`${pages.prefix}/`);
  const activation = call.state.activation;
  if (activation === undefined || activation.expiresAt <= call.steps.now())
    return seeOther(paths.page);
  const ctx = pageContext(call, pages, false);
  await dropShown(call, false);
  return promptPage(pages, ctx, activation.prompt, `${paths.post}/enroll/answer`);
}

/**
 * `GET <prefix>/account/step-up`: the prompt of the step-up under way, or the choice of factor.
 * The recovery-code link is offered where core's requirement counts the user's codes (where the
 * audience lets them count, AS-04; core refuses a code otherwise anyway).
 */
export async function stepUpPage(pages: ResolvedPages, call: RouteCall): Promise<RouteResult> {
  if (call.state.phase !== 'authenticated') return seeOther(`${pages.prefix}/`);
  const state = call.state;
  const paths = accountPaths(pages.prefix);
  const req = await call.steps.service.requirement(state.user, undefined, call.info);
  const challenge = req.action === 'challenge' ? req : undefined;
  const ctx = pageContext(call, pages, false);
  const base = {
    ...ctx.base,
    ...(challenge !== undefined && challenge.recoveryCodes > 0
      ? { recoveryUrl: paths.stepUpRecovery }
      : {}),
  };
  const shown = state.page ?? {};
  await dropShown(call, false);
  const begun = state.stepUp;
  if (begun !== undefined && begun.expiresAt > call.steps.now() && shown.challenge?.id === begun.id)
    return promptPage(
      pages,
      { ...ctx, base },
      shown.challenge.prompt,
      `${paths.post}/step-up/answer`,
    );
  const factors = (challenge?.factors ?? []).map((f) => ({
    enrollmentId: f.enrollmentId,
    name: f.label !== '' ? f.label : providerName(ctx.t, f.providerId),
  }));
  const main = pages.templates.stepUpChooser({
    ...base,
    action: `${paths.post}/step-up`,
    factors,
    backUrl: paths.page,
  });
  return htmlPage(pages, ctx, ctx.t.account.stepUpTitle, main);
}

/** `GET <prefix>/account/step-up/recovery`: a recovery code as the step-up's proof. */
export async function stepUpRecoveryPage(pages: ResolvedPages, call: RouteCall) {
  if (call.state.phase !== 'authenticated') return seeOther(`${pages.prefix}/`);
  const paths = accountPaths(pages.prefix);
  const ctx = pageContext(call, pages, false);
  await dropShown(call, false);
  const main = pages.templates.recoveryForm({
    ...ctx.base,
    action: `${paths.post}/step-up/recovery`,
    backUrl: paths.stepUp,
  });
  return htmlPage(pages, ctx, ctx.t.recoveryTitle, main);
}
