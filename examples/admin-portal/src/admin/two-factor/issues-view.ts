/**
 * Core's config issues (`providers.duo.settings.clientId: must be 20 characters`) placed on the
 * admin page: each under its field, and all of them in one alert at the top that links to the
 * fields, so a screen-reader or keyboard user can go straight to each problem.
 */
import type { ConfigIssue } from '@factorkit/core';
import { e } from '../../http/html.js';

export interface PlacedIssue {
  /** The field's element id on the page, when the issue belongs to one that is shown. */
  readonly fieldId: string | undefined;
  readonly label: string;
  readonly message: string;
}

/** Where a setting of the page sits: its element id and label, for an issue path. */
export type FieldLocator = (path: string) => { fieldId: string; label: string } | undefined;

export function placeIssues(issues: readonly ConfigIssue[], locate: FieldLocator): PlacedIssue[] {
  return issues.map((i) => {
    const at = locate(i.path);
    return {
      fieldId: at?.fieldId,
      label: at?.label ?? (i.path === '(root)' ? 'Settings' : i.path),
      message: i.message,
    };
  });
}

/** The messages per field id, for rendering under each field. */
export function errorsByField(placed: readonly PlacedIssue[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const p of placed) {
    if (p.fieldId === undefined) continue;
    out.set(p.fieldId, out.has(p.fieldId) ? `${out.get(p.fieldId)}; ${p.message}` : p.message);
  }
  return out;
}

export function summaryAlert(title: string, placed: readonly PlacedIssue[]): string {
  const items = placed
    .map((p) =>
      p.fieldId
        ? `<li><a href="#${e(p.fieldId)}">${e(p.label)}: ${e(p.message)}</a></li>`
        : `<li>${e(p.label)}: ${e(p.message)}</li>`,
    )
    .join('');
  return `<div role="alert" id="save-problems" class="problems" tabindex="-1" autofocus><p><strong>${e(title)}</strong></p><ul>${items}</ul></div>`;
}
