import type { RouteResult } from '../route.js';
import type { ResolvedPages } from './options.js';
import { htmlPage, newNonce, pageLanguage } from './render.js';

/**
 * The 401 page of a browser that opens a 2FA page with no second step to take (no password yet,
 * an expired pending step, a cookie from before a rotation): a link to the host's sign-in
 * instead of the JSON refusal, with the pages' headers and CSP.
 */
export function signInRequiredPage(pages: ResolvedPages, request: Request): RouteResult {
  const { lang, t } = pageLanguage(pages, request);
  const ctx = { lang, t, nonce: newNonce() };
  const main = pages.templates.signIn({ lang, t, signInUrl: pages.signInUrl });
  return htmlPage(pages, ctx, t.signInTitle, main, { status: 401, signOut: false });
}
