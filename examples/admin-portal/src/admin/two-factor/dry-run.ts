/**
 * The confirm step before an enforcement change that could lock people out ("Force ... on next
 * login", a stricter assurance rule): core's `dryRunEnforcement` over the portal's users with the
 * new policy, shown as how many would be asked to enroll, refused, or let in for their grace
 * period. Nothing is saved until the admin presses Save on this page.
 */
import type { AudienceDryRun, PolicyOverride } from '@factorkit/core';
import { e } from '../../http/html.js';
import type { Portal } from '../../portal.js';
import { twoFactorUser } from '../../users/user-store.js';
import type { AudiencePolicyDoc } from './document-edit.js';
import type { PolicyValues } from './policy-section.js';
import { audienceLabel } from './provider-section.js';

/** True when the new policy is stricter for someone: force turned on, or assurance raised. */
export function needsDryRun(
  before: Record<string, AudiencePolicyDoc>,
  after: Record<string, AudiencePolicyDoc>,
): boolean {
  return Object.entries(after).some(([a, p]) => {
    const old = before[a] ?? {};
    return (
      (p['force'] === true && old['force'] !== true) ||
      (p['requirePhishingResistant'] === true && old['requirePhishingResistant'] !== true) ||
      Number(p['minAal'] ?? 1) > Number(old['minAal'] ?? 1)
    );
  });
}

function override(p: AudiencePolicyDoc): PolicyOverride {
  const o: Record<string, unknown> = {};
  for (const k of ['force', 'notEnrolled', 'graceDays', 'requirePhishingResistant', 'minAal'])
    if (p[k] !== undefined) o[k] = p[k];
  return o;
}

export async function dryRun(
  portal: Portal,
  after: Record<string, AudiencePolicyDoc>,
): Promise<Record<string, AudienceDryRun>> {
  const build = await portal.live.current();
  const users = (await portal.users.all()).map(twoFactorUser);
  const overrides = Object.fromEntries(Object.entries(after).map(([a, p]) => [a, override(p)]));
  return build.service.dryRunEnforcement(users, overrides);
}

function day(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function reportRow(audience: string, r: AudienceDryRun): string {
  const from = r.graceDeadlines ? day(r.graceDeadlines.earliest) : '';
  const to = r.graceDeadlines ? day(r.graceDeadlines.latest) : '';
  const grace =
    r.grace > 0 && r.graceDeadlines
      ? `${r.grace} (must enroll from ${from}${to !== from ? ` to ${to}` : ''})`
      : String(r.grace);
  return (
    `<tr><th scope="row">${e(audienceLabel(audience))}</th><td>${r.users}</td><td>${r.enrolled}</td>` +
    `<td>${r.challenge}</td><td>${r.enroll}</td><td>${r.deny}</td><td>${grace}</td><td>${r.skip}</td></tr>`
  );
}

export function renderConfirm(
  csrf: string,
  report: Record<string, AudienceDryRun>,
  posted: PolicyValues,
): string {
  const rows = Object.entries(report)
    .map(([a, r]) => reportRow(a, r))
    .join('');
  const hidden = Object.entries(posted)
    .flatMap(([a, v]) =>
      Object.entries(v)
        .filter(([, x]) => x !== false)
        .map(
          ([k, x]) =>
            `<input type="hidden" name="${e(`${a}.${k}`)}" value="${e(x === true ? 'on' : String(x))}">`,
        ),
    )
    .join('');
  return (
    `<h1>Confirm the enforcement change</h1>` +
    `<p>Nothing is saved yet. With the new rules, at their next sign-in:</p>` +
    `<table><caption>Dry run over every user of the portal</caption><thead><tr><th scope="col">Audience</th><th scope="col">Users</th><th scope="col">With a factor</th>` +
    `<th scope="col">Asked for their factor</th><th scope="col">Asked to enroll</th><th scope="col">Denied</th><th scope="col">In grace period</th><th scope="col">Not asked</th></tr></thead>` +
    `<tbody>${rows}</tbody></table>` +
    `<form method="post" action="/admin/two-factor/policy"><input type="hidden" name="_csrf" value="${e(csrf)}">${hidden}` +
    `<input type="hidden" name="confirmed" value="1"><button type="submit" autofocus>Save</button></form>` +
    `<p><a href="/admin/two-factor">Cancel and go back</a></p>`
  );
}
