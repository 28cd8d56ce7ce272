import escape from 'escape-html';
import { accountTemplate, stepUpChooserTemplate } from './account-templates.js';
import { fill } from './catalogs.js';
import type * as V from './views.js';

/**
 * The default pages: plain HTML. Scripts only where the page needs one: push-wait's optional
 * re-check, and the security-key pages (the browser's WebAuthn API has no HTML form).
 */

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}
label{display:block;font-weight:600;margin-top:1rem}input{font:inherit;font-size:1.25rem;padding:.4rem;width:100%;box-sizing:border-box}
button,.button{font:inherit;margin-top:1rem;padding:.5rem 1rem;background:#1a5fb4;color:#fff;border:0;border-radius:4px;text-decoration:none;display:inline-block;cursor:pointer}
a{color:#1a5fb4}:focus-visible{outline:3px solid #c64600;outline-offset:2px}
[role=alert]{border-left:4px solid #c01c28;padding:.5rem;background:#fdecea}
code,.key{font:1.1rem ui-monospace,monospace;letter-spacing:.05em}ul.codes{columns:2;font-family:ui-monospace,monospace}
img.qr{width:14rem;height:14rem;display:block}
.check{display:flex;gap:.5rem;align-items:center;margin-top:1rem}.check input{width:auto}.check label{margin:0;font-weight:400}
[hidden]{display:none!important}`;

/** The stylesheet, for hosts whose own layout keeps the default look. */
export const DEFAULT_STYLE = STYLE;

export const e = (value: string | number): string => escape(String(value));

export function csrfField(view: V.BaseView): string {
  return `<input type="hidden" name="_csrf" value="${e(view.csrf)}">`;
}

export function alert(view: V.BaseView): string {
  if (view.flash === undefined) return '';
  const retry = view.flash.retry === undefined ? '' : ` ${e(view.flash.retry)}`;
  return `<p id="form-error" role="alert">${e(view.flash.message)}${retry}</p>`;
}

/** The attributes tying an input to the error above it, and focusing it (first field). */
function described(view: V.BaseView): string {
  return view.flash === undefined ? '' : ' aria-describedby="form-error" aria-invalid="true"';
}

/** "Remember this device": an ordinary checkbox, unticked, reached with Tab and Space. */
function rememberBox(view: V.CodeEntryView): string {
  if (view.rememberDays === undefined) return '';
  return (
    `<p class="check"><input type="checkbox" id="remember-device" name="rememberDevice" value="1">` +
    `<label for="remember-device">${e(fill(view.t.rememberDevice, { days: view.rememberDays }))}</label></p>`
  );
}

export function recoveryLink(view: V.BaseView): string {
  return view.recoveryUrl === undefined
    ? ''
    : `<p><a href="${e(view.recoveryUrl)}">${e(view.t.useRecoveryCode)}</a></p>`;
}

/**
 * A one-time code field, focused first. With a digit count: numeric keyboard and the platform's code
 * autofill. Without one the code is not numeric (a YubiKey types a 44-character modhex OTP), so no
 * digit pattern, length cap or numeric keyboard that would block it, and no autofill to offer.
 */
function codeField(view: V.BaseView, label: string, digits: number | undefined): string {
  const hint =
    digits === undefined ? '' : `<p id="code-hint">${e(fill(view.t.codeHint, { digits }))}</p>`;
  const hinted = digits === undefined ? '' : ' code-hint';
  const describedBy =
    view.flash === undefined
      ? digits === undefined
        ? ''
        : ' aria-describedby="code-hint"'
      : ` aria-describedby="form-error${hinted}" aria-invalid="true"`;
  return (
    `<label for="code">${e(label)}</label>${hint}` +
    `<input id="code" name="code" type="text" required autofocus ` +
    (digits === undefined
      ? 'autocomplete="off" spellcheck="false" autocapitalize="none"'
      : `autocomplete="one-time-code" inputmode="numeric" pattern="[0-9]{${digits}}" maxlength="${digits}"`) +
    `${describedBy}>`
  );
}

/**
 * JSON as the text of a `<script type="application/json">`: inert data, never run. `<`, `>` and
 * `&` are escaped inside strings (JSON outside strings has none), so no value can close the
 * element or open a comment; U+2028/2029 too, for parsers older than ES2019.
 */
function inertJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** The refusals of a key's answer say so, instead of the code-entry wording ("That code..."). */
const KEY_REFUSALS = new Set(['INVALID_CODE', 'INVALID_FORMAT', 'CODE_ALREADY_USED']);

function webauthnPage(v: V.WebauthnView): string {
  const w = v.t.webauthn;
  const registering = v.ceremony === 'registration';
  const flash =
    v.flash?.code !== undefined && KEY_REFUSALS.has(v.flash.code)
      ? { ...v.flash, message: w.refused }
      : v.flash;
  const labelField = registering
    ? `<label for="key-label">${e(w.labelField)}</label><p id="key-label-hint">${e(w.labelHint)}</p>` +
      `<input id="key-label" name="label" type="text" maxlength="64" autocomplete="off" autofocus ` +
      `aria-describedby="key-label-hint">`
    : '';
  const messages = {
    ceremony: v.ceremony,
    cancelled: w.cancelled,
    unsupported: w.unsupported,
    registered: w.alreadyRegistered,
    failed: w.failed,
    retry: w.retry,
  };
  const data = Object.entries(messages)
    .map(([k, value]) => ` data-${k}="${e(value)}"`)
    .join('');
  return (
    `<h1>${e(registering ? w.registerTitle : w.signInTitle)}</h1>${alert({ ...v, ...(flash === undefined ? {} : { flash }) })}` +
    `<p>${e(registering ? w.registerIntro : w.signInIntro)}</p>` +
    `<p id="webauthn-problem" role="alert" hidden></p>` +
    `<noscript><p role="alert">${e(w.needsScript)}</p></noscript>` +
    `<script type="application/json" id="webauthn-options">${inertJson(v.optionsJSON)}</script>` +
    `<form id="webauthn-form" method="post" action="${e(v.action)}"${data}>${csrfField(v)}` +
    `<input type="hidden" name="credential" value="">${labelField}` +
    `<button id="webauthn-start" type="submit"${registering ? '' : ' autofocus'}>${e(w.button)}</button></form>` +
    recoveryLink(v) +
    `<script src="${e(v.scriptUrl)}" nonce="${e(v.nonce)}"></script>`
  );
}

export const DEFAULT_TEMPLATES: V.Templates = {
  layout: (v) =>
    `<!doctype html><html lang="${e(v.lang)}"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width,initial-scale=1">` +
    `<title>${e(v.title)}</title><style nonce="${e(v.nonce)}">${STYLE}</style></head>` +
    `<body><main>${v.main}</main>` +
    (v.signOutUrl === undefined
      ? ''
      : `<footer><p><a href="${e(v.signOutUrl)}">${e(v.t.signOut)}</a></p></footer>`) +
    `</body></html>`,

  chooser: (v) =>
    `<h1>${e(v.t.chooserTitle)}</h1>${alert(v)}<p>${e(v.t.chooserIntro)}</p>` +
    v.factors
      .map(
        (f, i) =>
          `<form method="post" action="${e(v.action)}">${csrfField(v)}` +
          `<input type="hidden" name="enrollmentId" value="${e(f.enrollmentId)}">` +
          `<button type="submit"${i === 0 ? ' autofocus' : ''}>${e(fill(v.t.useFactor, { name: f.name }))}</button></form>`,
      )
      .join('') +
    recoveryLink(v),

  enrollChooser: (v) =>
    `<h1>${e(v.t.enrollChooserTitle)}</h1>${alert(v)}<p>${e(v.t.enrollChooserIntro)}</p>` +
    v.providers
      .map(
        (p, i) =>
          `<form method="post" action="${e(p.action)}">${csrfField(v)}` +
          `<button type="submit"${i === 0 ? ' autofocus' : ''}>${e(fill(v.t.setUp, { name: p.name }))}</button></form>`,
      )
      .join(''),

  codeEntry: (v) =>
    `<h1>${e(v.t.challengeTitle)}</h1>${alert(v)}<p>${e(v.message ?? v.t.challengeIntro)}</p>` +
    `<form method="post" action="${e(v.action)}">${csrfField(v)}` +
    `${codeField(v, v.t.codeLabel, v.digits)}${rememberBox(v)}<button type="submit">${e(v.t.submit)}</button></form>` +
    recoveryLink(v),

  qrEnrollment: (v) =>
    `<h1>${e(v.t.enrollTitle)}</h1>${alert(v)}<p>${e(v.t.enrollIntro)}</p>` +
    `<img class="qr" src="${e(v.qrDataUri)}" alt="${e(v.t.qrAlt)}">` +
    `<p>${e(v.t.manualKeyLabel)}: <code class="key" id="manual-key">${e(v.manualKey)}</code></p>` +
    `<form method="post" action="${e(v.action)}">${csrfField(v)}` +
    `${codeField(v, v.t.enrollCodeLabel, v.digits)}<button type="submit">${e(v.t.submit)}</button></form>`,

  tokenProgramming: (v) =>
    `<h1>${e(v.t.tokenTitle)}</h1>${alert(v)}<p>${e(v.message ?? v.t.tokenIntro)}</p>` +
    `<dl><dt>${e(v.t.secretBase32Label)}</dt><dd><code class="key">${e(v.secretBase32)}</code></dd>` +
    `<dt>${e(v.t.secretHexLabel)}</dt><dd><code class="key">${e(v.secretHex)}</code></dd>` +
    v.settings.map(([k, val]) => `<dt>${e(k)}</dt><dd>${e(val)}</dd>`).join('') +
    `</dl><form method="post" action="${e(v.action)}">${csrfField(v)}` +
    `${codeField(v, v.t.codeLabel, v.digits)}<button type="submit">${e(v.t.submit)}</button></form>`,

  // A link the user follows: a 303 of a form post to another origin is blocked by form-action.
  redirect: (v) =>
    `<h1>${e(v.t.redirectTitle)}</h1>${alert(v)}<p>${e(v.t.redirectIntro)}</p>` +
    `<p><a class="button" href="${e(v.url)}" autofocus>${e(v.t.redirectLink)}</a></p>` +
    recoveryLink(v),

  pushWait: (v) =>
    `<h1>${e(v.t.pushTitle)}</h1>${alert(v)}<p>${e(v.message ?? v.t.pushIntro)}</p>` +
    `<form id="poll" method="post" action="${e(v.action)}">${csrfField(v)}` +
    `<input type="hidden" name="poll" value="1">` +
    `<button type="submit" autofocus>${e(v.t.checkAgain)}</button></form>` +
    recoveryLink(v) +
    // Optional: the page works without it (the button); this only saves the user the press.
    // Not while an alert is shown: a reload would take the message away before it is read.
    (v.flash === undefined
      ? `<script nonce="${e(v.nonce)}">setTimeout(function(){document.getElementById('poll').submit()},${Number(v.pollIntervalMs) || 3000})</script>`
      : ''),

  externalEnrollment: (v) =>
    `<h1>${e(v.t.externalTitle)}</h1>${alert(v)}<p>${e(v.message ?? v.t.externalIntro)}</p>` +
    `<p><a class="button" href="${e(v.url)}" autofocus>${e(v.t.externalLink)}</a></p>`,

  webauthn: webauthnPage,

  recoveryForm: (v) =>
    `<h1>${e(v.t.recoveryTitle)}</h1>${alert(v)}<p>${e(v.t.recoveryIntro)}</p>` +
    `<form method="post" action="${e(v.action)}">${csrfField(v)}` +
    `<label for="code">${e(v.t.recoveryLabel)}</label>` +
    `<input id="code" name="code" type="text" required autofocus autocomplete="one-time-code" ` +
    `autocapitalize="none" spellcheck="false"${described(v)}>` +
    `<button type="submit">${e(v.t.submit)}</button></form><p><a href="${e(v.backUrl)}">${e(v.t.back)}</a></p>`,

  recoveryCodes: (v) =>
    `<h1>${e(v.t.codesTitle)}</h1><p>${e(v.t.codesIntro)}</p>` +
    `<ul class="codes" aria-label="${e(v.t.codesTitle)}">${v.codes.map((c) => `<li>${e(c)}</li>`).join('')}</ul>` +
    `<p><a class="button" href="${e(v.continueUrl)}" autofocus>${e(v.t.codesContinue)}</a></p>`,

  denied: (v) => `<h1>${e(v.t.deniedTitle)}</h1>${alert(v)}<p>${e(v.t.deniedIntro)}</p>`,

  account: accountTemplate,
  stepUpChooser: stepUpChooserTemplate,

  signIn: (v) =>
    `<h1>${e(v.t.signInTitle)}</h1><p>${e(v.t.errors.NO_SECOND_STEP)}</p>` +
    `<p><a class="button" href="${e(v.signInUrl)}" autofocus>${e(v.t.signInLink)}</a></p>`,
};
