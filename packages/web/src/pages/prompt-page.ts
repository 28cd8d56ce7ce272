import type { ActivationPrompt } from '@factorkit/core';
import { WebError } from '../errors.js';
import type { RouteResult } from '../route.js';
import type { ResolvedPages } from './options.js';
import { htmlPage, type PageContext } from './render.js';

/** A provider's link, only if it is http(s): a `javascript:` URL in an href would run script. */
function linkOf(url: string): string {
  const parsed = URL.parse(url);
  if (parsed === null || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:'))
    throw new WebError(500, 'INTERNAL_ERROR', 'A provider handed out a link that is not http(s).');
  return parsed.href;
}

/**
 * The page of one prompt (a challenge's or an enrollment's), posting its answer to `action`.
 * Every prompt kind has one; a challenge only ever has code-entry, redirect, push-wait or
 * webauthn-authentication.
 */
export function promptPage(
  pages: ResolvedPages,
  ctx: PageContext,
  prompt: ActivationPrompt,
  action: string,
  rememberDays?: number,
): RouteResult {
  const { templates: tpl } = pages;
  const { t, base } = ctx;
  const message =
    'message' in prompt && prompt.message !== undefined ? { message: prompt.message } : {};
  switch (prompt.kind) {
    case 'code-entry':
      return htmlPage(
        pages,
        ctx,
        t.challengeTitle,
        tpl.codeEntry({
          ...base,
          action,
          ...message,
          ...(prompt.digits === undefined ? {} : { digits: prompt.digits }),
          ...(rememberDays === undefined ? {} : { rememberDays }),
        }),
      );
    case 'qr-enrollment':
      return htmlPage(
        pages,
        ctx,
        t.enrollTitle,
        tpl.qrEnrollment({
          ...base,
          action,
          qrDataUri: `data:image/svg+xml,${encodeURIComponent(prompt.qrSvg)}`,
          manualKey: prompt.manualKey,
          digits: prompt.digits,
        }),
      );
    case 'token-programming': {
      const settings: [string, string][] = [
        ['Algorithm', prompt.algorithm],
        ['Digits', String(prompt.digits)],
        prompt.otpType === 'totp'
          ? ['Period', `${prompt.period} s`]
          : ['Counter', String(prompt.counter)],
      ];
      return htmlPage(
        pages,
        ctx,
        t.tokenTitle,
        tpl.tokenProgramming({
          ...base,
          action,
          ...message,
          secretBase32: prompt.secretBase32,
          secretHex: prompt.secretHex,
          settings,
          digits: prompt.digits,
        }),
      );
    }
    case 'redirect':
      return htmlPage(
        pages,
        ctx,
        t.redirectTitle,
        tpl.redirect({ ...base, url: linkOf(prompt.url) }),
      );
    case 'push-wait':
      return htmlPage(
        pages,
        ctx,
        t.pushTitle,
        tpl.pushWait({
          ...base,
          action,
          ...message,
          pollIntervalMs: prompt.pollIntervalMs,
          nonce: ctx.nonce,
        }),
      );
    case 'external-enrollment':
      return htmlPage(
        pages,
        ctx,
        t.externalTitle,
        tpl.externalEnrollment({ ...base, ...message, url: linkOf(prompt.url) }),
      );
    case 'webauthn-registration':
    case 'webauthn-authentication': {
      const registering = prompt.kind === 'webauthn-registration';
      return htmlPage(
        pages,
        ctx,
        registering ? t.webauthn.registerTitle : t.webauthn.signInTitle,
        tpl.webauthn({
          ...base,
          action,
          ceremony: registering ? 'registration' : 'authentication',
          optionsJSON: prompt.optionsJSON,
          scriptUrl: pages.webauthnScript,
          nonce: ctx.nonce,
        }),
      );
    }
  }
}
