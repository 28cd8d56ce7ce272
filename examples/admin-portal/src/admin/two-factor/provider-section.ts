/**
 * One provider's part of the page, as in WHMCS: its status with an Activate or Deactivate
 * button, then its form: "Enable for use by Clients", "Enable for use by Administrative Users"
 * and the settings from the provider's JSON Schema. Reading the form back is here too.
 */
import { secretFieldNames } from '@factorkit/core';
import { e } from '../../http/html.js';
import type { ProviderEntry } from './document-edit.js';
import {
  displayValues,
  fieldId,
  formFields,
  postedValues,
  readSettings,
  renderField,
  type FormField,
  type FormValues,
  type ReadProblems,
} from './schema-form.js';

export const AUDIENCE_LABELS: Readonly<Record<string, string>> = {
  client: 'Clients',
  admin: 'Administrative Users',
};

export function audienceLabel(audience: string): string {
  return AUDIENCE_LABELS[audience] ?? audience;
}

export interface ProviderSectionInput {
  readonly id: string;
  readonly displayName: string;
  readonly settingsClass: new () => object;
  readonly entry: ProviderEntry;
  readonly audiences: readonly string[];
  readonly csrf: string;
  /** After a refused save: what was typed, and the audiences ticked. */
  readonly posted?: { values: FormValues; audiences: readonly string[] };
  /** Problems by setting name, or `(audiences)` / `(entry)` for the entry's own fields. */
  readonly errors: Record<string, string>;
  readonly notes?: Record<string, string>;
  /** Shown above the form (e.g. that the Duo emulator answers). */
  readonly intro?: string;
  /** Extra controls inside the form, after the settings (the Duo username preset). */
  readonly extraControls?: string;
  /** Shown after the form (the Duo upgrade check). */
  readonly after?: string;
}

export function audiencesFieldId(providerId: string, audience: string): string {
  return `f-${providerId}-audience-${audience}`;
}

export function renderProviderSection(p: ProviderSectionInput): string {
  const fields = formFields(p.settingsClass);
  const stored = p.entry.settings ?? {};
  const values = p.posted?.values ?? displayValues(fields, stored);
  const ticked = p.posted?.audiences ?? p.entry.audiences ?? [];
  const secretsSet = Object.fromEntries(
    secretFieldNames(p.settingsClass).map((n) => [
      n,
      stored[n] !== undefined && stored[n] !== null && stored[n] !== '',
    ]),
  );
  const active = p.entry.enabled === true;
  const csrf = `<input type="hidden" name="_csrf" value="${e(p.csrf)}">`;
  const toggle =
    `<form method="post" action="/admin/two-factor/providers/${e(p.id)}/active" class="inline">${csrf}` +
    `<input type="hidden" name="active" value="${active ? 'off' : 'on'}">` +
    `<button type="submit"${active ? ' class="secondary"' : ''}>${active ? 'Deactivate' : 'Activate'} ${e(p.displayName)}</button></form>`;
  const audienceError = p.errors['(audiences)'];
  const audienceBoxes = p.audiences
    .map((a) => {
      const id = audiencesFieldId(p.id, a);
      const aria = audienceError
        ? ` aria-describedby="f-${e(p.id)}-audiences-error" aria-invalid="true"`
        : '';
      return `<div class="check"><input type="checkbox" id="${e(id)}" name="audience.${e(a)}"${ticked.includes(a) ? ' checked' : ''}${aria}> <label for="${e(id)}">Enable for use by ${e(audienceLabel(a))}</label></div>`;
    })
    .join('');
  const fieldHtml = fields
    .map((f) =>
      renderField(f, {
        providerId: p.id,
        values,
        secretsSet,
        errors: p.errors,
        ...(p.notes ? { notes: p.notes } : {}),
      }),
    )
    .join('');
  const entryError = p.errors['(entry)']
    ? `<p class="field-error" id="f-${e(p.id)}-entry-error">${e(p.errors['(entry)'])}</p>`
    : '';
  return (
    `<section aria-labelledby="h-${e(p.id)}"><h2 id="h-${e(p.id)}">${e(p.displayName)}</h2>` +
    `<p id="f-${e(p.id)}-enabled">Status: <strong>${active ? 'Active' : 'Not active'}</strong>. ${toggle}</p>${entryError}` +
    (p.intro ?? '') +
    `<form method="post" action="/admin/two-factor/providers/${e(p.id)}" novalidate>${csrf}` +
    `<fieldset><legend>Who may use ${e(p.displayName)}</legend>${audienceBoxes}` +
    (audienceError
      ? `<p class="field-error" id="f-${e(p.id)}-audiences-error">${e(audienceError)}</p>`
      : '') +
    `</fieldset><fieldset><legend>${e(p.displayName)} settings</legend>${fieldHtml}</fieldset>` +
    (p.extraControls ?? '') +
    `<button type="submit">Save ${e(p.displayName)} settings</button></form>` +
    (p.after ?? '') +
    `</section>`
  );
}

/** The entry the posted form asks for (audiences and settings; `enabled` is the button's). */
export function readProviderForm(
  settingsClass: new () => object,
  entry: ProviderEntry,
  audiences: readonly string[],
  body: Record<string, unknown>,
): { entry: ProviderEntry; problems: ReadProblems; values: FormValues; ticked: string[] } {
  const fields = formFields(settingsClass);
  const ticked = audiences.filter((a) => body[`audience.${a}`] === 'on');
  const { settings, problems } = readSettings(fields, entry.settings ?? {}, body);
  return {
    entry: { ...entry, audiences: ticked, settings },
    problems,
    values: postedValues(fields, body),
    ticked,
  };
}

/** Where an issue path of this provider sits on the page. */
export function locateProviderIssue(
  providerId: string,
  fields: readonly FormField[],
  path: string,
): { fieldId: string; label: string; key: string } | undefined {
  const base = `providers.${providerId}`;
  if (path === `${base}.audiences`)
    return {
      fieldId: audiencesFieldId(providerId, 'client'),
      label: 'Who may use it',
      key: '(audiences)',
    };
  if (path === base || path === `${base}.enabled`)
    return { fieldId: `f-${providerId}-enabled`, label: 'Status', key: '(entry)' };
  const prefix = `${base}.settings.`;
  if (!path.startsWith(prefix)) return undefined;
  const name = path.slice(prefix.length).split('.')[0]!;
  const f = fields.find((x) => x.name === name);
  return f ? { fieldId: fieldId(providerId, f.name), label: f.label, key: f.name } : undefined;
}
