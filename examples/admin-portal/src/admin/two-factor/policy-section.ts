/**
 * The enforcement part of the page: "Force Client Users / Administrative Users to enable 2FA on
 * next login" with what happens to a user who has no factor yet (enroll, a grace period of some
 * days, or deny), and the assurance rule for admins (a phishing-resistant factor, a minimum AAL).
 * Each maps to `policy.audiences.<audience>` of the deployment document.
 */
import { e } from '../../http/html.js';
import type { AudiencePolicyDoc } from './document-edit.js';
import { audienceLabel } from './provider-section.js';

const NOT_ENROLLED: ReadonlyArray<[string, string]> = [
  ['enroll', 'Ask them to set up a factor before going on'],
  ['grace', 'Let them in for a grace period, then ask them to set one up'],
  ['deny', 'Refuse the sign-in'],
];
const AAL: ReadonlyArray<[string, string]> = [
  ['1', 'AAL1: any factor'],
  ['2', 'AAL2: any second factor, no fail-open'],
  ['3', 'AAL3: hardware security keys only'],
];

/** The policy settings this form edits, per audience (the rest of the policy is kept). */
export const POLICY_FIELDS = ['force', 'notEnrolled', 'graceDays'] as const;
export const ADMIN_ASSURANCE_FIELDS = ['requirePhishingResistant', 'minAal'] as const;

export type PolicyValues = Record<string, Record<string, string | boolean>>;

export function policyFieldId(audience: string, name: string): string {
  return `p-${audience}-${name}`;
}

const LABELS: Record<string, (audience: string) => string> = {
  force: (a) =>
    `Force ${audienceLabel(a) === 'Clients' ? 'Client Users' : audienceLabel(a)} to enable 2FA on next login`,
  notEnrolled: () => 'When a user has no factor yet',
  graceDays: () => 'Grace period (days)',
  requirePhishingResistant: () =>
    'Administrators must use a phishing-resistant factor (security key)',
  minAal: () => 'Minimum assurance level for administrators',
};

export function policyLabel(audience: string, name: string): string {
  return (LABELS[name] ?? (() => name))(audience);
}

export function policyDisplayValues(policies: Record<string, AudiencePolicyDoc>): PolicyValues {
  const out: PolicyValues = {};
  for (const [a, p] of Object.entries(policies))
    out[a] = {
      force: p['force'] === true,
      notEnrolled: typeof p['notEnrolled'] === 'string' ? p['notEnrolled'] : 'enroll',
      graceDays: typeof p['graceDays'] === 'number' ? String(p['graceDays']) : '14',
      requirePhishingResistant: p['requirePhishingResistant'] === true,
      minAal: typeof p['minAal'] === 'number' ? String(p['minAal']) : '1',
    };
  return out;
}

export function policyPostedValues(
  audiences: readonly string[],
  body: Record<string, unknown>,
): PolicyValues {
  const text = (k: string) => (typeof body[k] === 'string' ? body[k] : '');
  const out: PolicyValues = {};
  for (const a of audiences)
    out[a] = {
      force: body[`${a}.force`] === 'on',
      notEnrolled: text(`${a}.notEnrolled`),
      graceDays: text(`${a}.graceDays`),
      requirePhishingResistant: body[`${a}.requirePhishingResistant`] === 'on',
      minAal: text(`${a}.minAal`),
    };
  return out;
}

/** The audience policy the posted values ask for; a mistyped number goes on to core's check. */
export function readPolicy(
  audience: string,
  stored: AudiencePolicyDoc,
  v: Record<string, string | boolean>,
): AudiencePolicyDoc {
  const next: AudiencePolicyDoc = { ...stored, force: v['force'] === true };
  if (typeof v['notEnrolled'] === 'string' && v['notEnrolled'] !== '')
    next['notEnrolled'] = v['notEnrolled'];
  const days = String(v['graceDays'] ?? '').trim();
  if (days === '') delete next['graceDays'];
  else next['graceDays'] = /^\d+$/.test(days) ? Number(days) : days;
  if (audience === 'admin') {
    next['requirePhishingResistant'] = v['requirePhishingResistant'] === true;
    const aal = String(v['minAal'] ?? '');
    if (['1', '2', '3'].includes(aal)) next['minAal'] = Number(aal);
  }
  return next;
}

function describedBy(id: string, error: string | undefined): string {
  return error ? ` aria-describedby="${e(id)}-error" aria-invalid="true"` : '';
}

function errorText(id: string, error: string | undefined): string {
  return error ? `<p class="field-error" id="${e(id)}-error">${e(error)}</p>` : '';
}

function select(
  id: string,
  name: string,
  options: ReadonlyArray<[string, string]>,
  value: string,
  error?: string,
): string {
  const known =
    options.some(([v]) => v === value) || value === ''
      ? options
      : [...options, [value, value] as [string, string]];
  return (
    `<select id="${e(id)}" name="${e(name)}"${describedBy(id, error)}>` +
    known
      .map(([v, l]) => `<option value="${e(v)}"${v === value ? ' selected' : ''}>${e(l)}</option>`)
      .join('') +
    `</select>`
  );
}

function audienceFieldset(
  a: string,
  v: Record<string, string | boolean>,
  errors: Map<string, string>,
): string {
  const id = (n: string) => policyFieldId(a, n);
  const err = (n: string) => errors.get(id(n));
  const check = (n: string) =>
    `<div class="check"><input type="checkbox" id="${e(id(n))}" name="${e(a)}.${n}"${v[n] === true ? ' checked' : ''}${describedBy(id(n), err(n))}> <label for="${e(id(n))}">${e(policyLabel(a, n))}</label>${errorText(id(n), err(n))}</div>`;
  let html =
    `<fieldset><legend>${e(audienceLabel(a))}</legend>${check('force')}` +
    `<div class="field"><label for="${e(id('notEnrolled'))}">${e(policyLabel(a, 'notEnrolled'))}</label>` +
    select(
      id('notEnrolled'),
      `${a}.notEnrolled`,
      NOT_ENROLLED,
      String(v['notEnrolled'] ?? ''),
      err('notEnrolled'),
    ) +
    `${errorText(id('notEnrolled'), err('notEnrolled'))}</div>` +
    `<div class="field"><label for="${e(id('graceDays'))}">${e(policyLabel(a, 'graceDays'))}</label>` +
    `<input type="text" inputmode="numeric" id="${e(id('graceDays'))}" name="${e(a)}.graceDays" value="${e(String(v['graceDays'] ?? ''))}"${describedBy(id('graceDays'), err('graceDays'))}>` +
    `<p class="hint">With a grace period: days from the user's first sign-in after forcing, 1 to 90.</p>${errorText(id('graceDays'), err('graceDays'))}</div>`;
  if (a === 'admin')
    html +=
      check('requirePhishingResistant') +
      `<div class="field"><label for="${e(id('minAal'))}">${e(policyLabel(a, 'minAal'))}</label>` +
      select(id('minAal'), `${a}.minAal`, AAL, String(v['minAal'] ?? '1'), err('minAal')) +
      `${errorText(id('minAal'), err('minAal'))}</div>`;
  return html + `</fieldset>`;
}

export function renderPolicySection(
  csrf: string,
  values: PolicyValues,
  errors: Map<string, string>,
): string {
  return (
    `<section aria-labelledby="h-policy"><h2 id="h-policy">Enforcement</h2>` +
    `<form method="post" action="/admin/two-factor/policy" novalidate><input type="hidden" name="_csrf" value="${e(csrf)}">` +
    Object.entries(values)
      .map(([a, v]) => audienceFieldset(a, v, errors))
      .join('') +
    `<button type="submit">Save enforcement</button></form></section>`
  );
}

/** Where a policy issue path sits: `policy.audiences.client.graceDays`. */
export function locatePolicyIssue(path: string): { fieldId: string; label: string } | undefined {
  const m = /^policy\.audiences\.([^.]+)\.([^.]+)/.exec(path);
  if (!m) return undefined;
  const [, audience, name] = m as unknown as [string, string, string];
  const shown = ['force', 'notEnrolled', 'graceDays', 'requirePhishingResistant', 'minAal'];
  if (
    !shown.includes(name) ||
    (audience !== 'admin' && ['requirePhishingResistant', 'minAal'].includes(name))
  )
    return undefined;
  return {
    fieldId: policyFieldId(audience, name),
    label: `${audienceLabel(audience)}: ${policyLabel(audience, name)}`,
  };
}
