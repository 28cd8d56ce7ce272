import type { AccountView, StepUpChooserView } from './account-views.js';
import { fill } from './catalogs.js';
import { alert, csrfField, e, recoveryLink } from './templates.js';

/*
 * The default account pages. Plain forms, one per action, each with its own labelled button, so
 * every change is a Tab and an Enter away and a screen reader names which factor or device a
 * button acts on. Function declarations: templates.ts and this file import each other.
 */

/** A form of one button posting to `action` (the CSRF field is in every form). */
function buttonForm(view: AccountView, action: string, label: string): string {
  return (
    `<form method="post" action="${e(action)}">${csrfField(view)}` +
    `<button type="submit">${e(label)}</button></form>`
  );
}

function factorsSection(v: AccountView): string {
  const w = v.t.account;
  const items = v.factors.map((f, i) => {
    const used = f.lastUsed === undefined ? w.neverUsed : fill(w.lastUsed, { date: f.lastUsed });
    const field = `factor-label-${i}`;
    return (
      `<li><p><strong>${e(f.name)}</strong> (${e(f.providerName)}): ` +
      `${e(fill(w.added, { date: f.added }))}, ${e(used)}</p>` +
      `<form method="post" action="${e(f.renameAction)}">${csrfField(v)}` +
      `<label for="${field}">${e(fill(w.renameLabel, { name: f.name }))}</label>` +
      `<input id="${field}" name="label" type="text" required maxlength="64" autocomplete="off"` +
      // A refused rename is about this field: the alert describes it, and it has the focus.
      `${f.invalid === true ? ' aria-describedby="form-error" aria-invalid="true" autofocus' : ''}>` +
      `<button type="submit">${e(w.rename)}</button></form>` +
      (f.removeAction === undefined
        ? ''
        : buttonForm(v, f.removeAction, fill(w.remove, { name: f.name }))) +
      `</li>`
    );
  });
  return (
    `<section aria-labelledby="factors-heading"><h2 id="factors-heading">${e(w.factorsHeading)}</h2>` +
    (items.length === 0 ? `<p>${e(w.noFactors)}</p>` : `<ul>${items.join('')}</ul>`) +
    `</section>`
  );
}

function addSection(v: AccountView): string {
  const w = v.t.account;
  const forms = v.add.map((p) => buttonForm(v, p.action, fill(w.add, { name: p.name })));
  return (
    `<section aria-labelledby="add-heading"><h2 id="add-heading">${e(w.addHeading)}</h2>` +
    (forms.length === 0 ? `<p>${e(w.nothingToAdd)}</p>` : forms.join('')) +
    `</section>`
  );
}

function codesSection(v: AccountView): string {
  const codes = v.recoveryCodes;
  if (codes === undefined) return '';
  const w = v.t.account;
  return (
    `<section aria-labelledby="codes-heading"><h2 id="codes-heading">${e(w.codesHeading)}</h2>` +
    `<p>${e(fill(w.codesLeft, { count: codes.remaining }))}</p>` +
    (codes.low ? `<p>${e(w.codesLow)}</p>` : '') +
    buttonForm(v, codes.regenerateAction, w.regenerate) +
    `</section>`
  );
}

function devicesSection(v: AccountView): string {
  const w = v.t.account;
  const items = v.devices.map(
    (d) =>
      `<li><p>${e(d.name)}: ${e(fill(w.deviceUntil, { date: d.until }))}</p>` +
      `${buttonForm(v, d.forgetAction, fill(w.forget, { name: d.name }))}</li>`,
  );
  return (
    `<section aria-labelledby="devices-heading"><h2 id="devices-heading">${e(w.devicesHeading)}</h2>` +
    (items.length === 0
      ? `<p>${e(w.noDevices)}</p>`
      : `<ul>${items.join('')}</ul>${buttonForm(v, v.forgetAllAction, w.forgetAll)}`) +
    `</section>`
  );
}

function activitySection(v: AccountView): string {
  const w = v.t.account;
  const items = v.activity.map(
    (a) =>
      `<li>${e(a.when)}: ${e(a.what)}` +
      (a.method === undefined ? '' : ` (${e(a.method)})`) +
      (a.ip === undefined ? '' : `, ${e(fill(w.fromIp, { ip: a.ip }))}`) +
      `</li>`,
  );
  const links = [
    v.newestUrl === undefined ? '' : `<a href="${e(v.newestUrl)}">${e(w.newest)}</a> `,
    v.olderUrl === undefined ? '' : `<a href="${e(v.olderUrl)}">${e(w.older)}</a>`,
  ].join('');
  return (
    `<section aria-labelledby="activity-heading"><h2 id="activity-heading">${e(w.activityHeading)}</h2>` +
    (items.length === 0 ? `<p>${e(w.noActivity)}</p>` : `<ol>${items.join('')}</ol>`) +
    (links === '' ? '' : `<p>${links}</p>`) +
    `</section>`
  );
}

function turnOffSection(v: AccountView): string {
  if (v.turnOffAction === undefined) return '';
  const w = v.t.account;
  return (
    `<section aria-labelledby="off-heading"><h2 id="off-heading">${e(w.turnOffHeading)}</h2>` +
    `<p>${e(w.turnOffIntro)}</p>${buttonForm(v, v.turnOffAction, w.turnOff)}</section>`
  );
}

export function accountTemplate(v: AccountView): string {
  const w = v.t.account;
  return (
    `<h1>${e(w.title)}</h1>${alert(v)}` +
    (v.notice === undefined ? '' : `<p id="notice" role="status">${e(v.notice)}</p>`) +
    `<p>${e(w.intro)}</p>` +
    factorsSection(v) +
    addSection(v) +
    codesSection(v) +
    devicesSection(v) +
    activitySection(v) +
    turnOffSection(v)
  );
}

export function stepUpChooserTemplate(v: StepUpChooserView): string {
  const w = v.t.account;
  const forms = v.factors.map(
    (f, i) =>
      `<form method="post" action="${e(v.action)}">${csrfField(v)}` +
      `<input type="hidden" name="enrollmentId" value="${e(f.enrollmentId)}">` +
      `<button type="submit"${i === 0 ? ' autofocus' : ''}>${e(fill(v.t.useFactor, { name: f.name }))}</button></form>`,
  );
  return (
    `<h1>${e(w.stepUpTitle)}</h1>${alert(v)}` +
    `<p>${e(forms.length === 0 ? w.stepUpNoFactor : w.stepUpIntro)}</p>` +
    forms.join('') +
    recoveryLink(v) +
    `<p><a href="${e(v.backUrl)}"${forms.length === 0 ? ' autofocus' : ''}>${e(w.backToAccount)}</a></p>`
  );
}
