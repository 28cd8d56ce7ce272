import { randomBytes } from 'node:crypto';
import { SECURITY_HEADERS } from '../responses.js';
import type { RouteCall, RouteResult } from '../route.js';
import { ENGLISH, type Catalog } from './catalogs.js';
import { retryText } from './locale.js';
import type { ResolvedPages } from './options.js';
import type { BaseView } from './views.js';

/** The pages' own policy: data-URI images, and only this response's inline style and script. */
function pageCsp(nonce: string): string {
  return [
    "default-src 'none'",
    'img-src data:',
    `style-src 'nonce-${nonce}'`,
    `script-src 'nonce-${nonce}'`,
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
}

/** One page view: its language, catalog, CSP nonce, and the consumed flash message. */
export interface PageContext {
  readonly lang: string;
  readonly t: Catalog;
  readonly nonce: string;
  readonly base: BaseView;
}

/** The language the request is answered in, and its catalog. */
export function pageLanguage(pages: ResolvedPages, request: Request) {
  const lang = pages.locale(request);
  const t = pages.catalogs.get(lang) ?? pages.catalogs.get(lang.split('-')[0]!) ?? ENGLISH;
  return { lang, t };
}

export function pageContext(call: RouteCall, pages: ResolvedPages, withRecovery: boolean) {
  const { lang, t } = pageLanguage(pages, call.request);
  const flash = call.state.page?.flash;
  const retry =
    flash === undefined ? undefined : retryText(flash, t, lang, call.steps.now(), pages.timeZone);
  const base: BaseView = {
    lang,
    t,
    csrf: call.steps.csrfToken(call.state),
    ...(flash === undefined
      ? {}
      : {
          flash: {
            message: t.errors[flash.code],
            code: flash.code,
            ...(retry === undefined ? {} : { retry }),
          },
        }),
    ...(withRecovery ? { recoveryUrl: `${pages.prefix}/recovery` } : {}),
  };
  return { lang, t, nonce: newNonce(), base };
}

export function newNonce(): string {
  return randomBytes(16).toString('base64');
}

/** A whole page: the layout around `main`, with the security headers and the page CSP. */
export function htmlPage(
  pages: ResolvedPages,
  ctx: Pick<PageContext, 'lang' | 't' | 'nonce'>,
  title: string,
  main: string,
  /** A page for a visitor who is not signed in has no sign-out link. */
  options: { readonly status?: number; readonly signOut?: boolean } = {},
): RouteResult {
  const html = pages.templates.layout({
    lang: ctx.lang,
    t: ctx.t,
    title: `${title} – ${pages.siteName ?? ctx.t.siteName}`,
    nonce: ctx.nonce,
    main,
    ...(pages.signOutUrl === undefined || options.signOut === false
      ? {}
      : { signOutUrl: pages.signOutUrl }),
  });
  const headers = {
    ...SECURITY_HEADERS,
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': pageCsp(ctx.nonce),
  };
  return { response: new Response(html, { status: options.status ?? 200, headers }) };
}

/** Post/redirect/get: a form post answers with 303 to a page of this handler or the host. */
export function seeOther(location: string): RouteResult {
  return {
    response: new Response(null, { status: 303, headers: { ...SECURITY_HEADERS, location } }),
  };
}
