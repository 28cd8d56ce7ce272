/**
 * `/admin/users/:id`: one user's two-factor state (factors, recovery codes left, remembered
 * devices, lock, recent security activity) and the two admin actions, each with its required
 * reason. Nothing secret is shown: core's summaries and timeline carry none (LG-05).
 */
import type { Request, Response } from 'express';
import { userOf } from '../../http/guards.js';
import { e } from '../../http/html.js';
import { renderPage } from '../../http/render.js';
import type { Portal } from '../../portal.js';
import { twoFactorUser, type PortalUser } from '../../users/user-store.js';
import { csrfField, fieldErrorFor } from '../form.js';
import { eventLabel, utcTime } from '../format.js';
import {
  REASON_MAX,
  takeDraft,
  takeNotice,
  type ActionDraft,
  type AdminActionName,
} from './drafts.js';
import { emailsOf } from './emails.js';
import { lockText, providerName, summaryOf } from './status.js';
import { adminProof, type AdminProof } from './step-up.js';

const ACTION_TEXT: Record<AdminActionName, { title: string; button: string; help: string }> = {
  unlock: {
    title: 'Unlock',
    button: 'Unlock…',
    help: 'Clears the failed attempts and lifts the lock. The factors stay.',
  },
  reset: {
    title: 'Reset two-factor authentication',
    button: 'Reset two-factor authentication…',
    help: 'For a user who lost their device: removes every factor, the recovery codes and the remembered devices. The user sets up two-factor authentication again at their next sign-in.',
  },
};

function actionForm(
  req: Request,
  target: PortalUser,
  action: AdminActionName,
  draft: ActionDraft | undefined,
): string {
  const t = ACTION_TEXT[action];
  const mine = draft?.action === action ? draft : undefined;
  const id = `${action}-reason`;
  const err = fieldErrorFor(id, mine?.reasonError);
  return (
    `<section aria-labelledby="${action}-heading"><h2 id="${action}-heading">${e(t.title)}</h2>` +
    `<p class="hint">${e(t.help)}</p>` +
    `<form method="post" action="/admin/users/${e(target.id)}/${action}">${csrfField(req)}` +
    `<label for="${id}">Reason for ${action === 'reset' ? 'the reset' : 'unlocking'} (required, kept in the audit log)</label>` +
    `<textarea id="${id}" name="reason" rows="2" maxlength="${REASON_MAX}"${err.attrs}${mine?.reasonError ? ' autofocus' : ''}>${e(mine?.reason ?? '')}</textarea>` +
    err.html +
    `<button type="submit"${action === 'reset' ? ' class="danger"' : ''}>${e(t.button)}</button></form></section>`
  );
}

function proofNote(proof: AdminProof, draft: ActionDraft | undefined): string {
  if (!proof.allowed || draft?.refusal === 'step-up') {
    const minutes = Math.round(proof.maxAgeSeconds / 60);
    return (
      `<p role="alert" id="step-up-needed">Confirm it's you first: resetting or unlocking someone needs a second factor ` +
      `from the last ${minutes} minutes. <a href="/2fa/account/step-up">Confirm it's you in Security settings</a>, then come back to this page.</p>`
    );
  }
  if (proof.withoutFactor)
    return `<p class="hint">You have no second factor yourself, so these actions are allowed with your password alone (a demo setting). <a href="/2fa/account">Set one up in Security settings</a>: then they need a recent second factor.</p>`;
  return '';
}

function factorRows(portal: Portal, factors: Awaited<ReturnType<typeof summaryOf>>['factors']) {
  if (factors.length === 0) return '<p>No factors.</p>';
  const rows = factors
    .map(
      (f) =>
        `<tr><td>${e(providerName(portal, f.providerId))}</td><td>${e(f.label ?? '')}</td>` +
        `<td>${e(utcTime(f.createdAt))}</td><td>${f.lastUsedAt === null ? 'Never' : e(utcTime(f.lastUsedAt))}</td></tr>`,
    )
    .join('');
  return (
    `<table><caption>Factors</caption><thead><tr><th scope="col">Provider</th><th scope="col">Name</th>` +
    `<th scope="col">Added</th><th scope="col">Last used</th></tr></thead><tbody>${rows}</tbody></table>`
  );
}

export async function renderUserPage(
  portal: Portal,
  req: Request,
  res: Response,
  target: PortalUser,
): Promise<void> {
  const admin = userOf(res);
  const build = await portal.live.current();
  const tf = twoFactorUser(target);
  const summary = await summaryOf(portal, build, target);
  const codes = await build.service.recoveryCodeStatus(tf);
  const devices = (await build.service.listTrustedDevices(tf)).length;
  const timeline = await build.service.securityTimeline(tf, { limit: 20 });
  const actors = await emailsOf(
    portal.db.db,
    timeline.events.map((ev) => ev.by),
  );
  const draft = takeDraft(req, target.id);
  const notice = takeNotice(req, target.id);
  const self = target.id === admin.id;
  const proof = await adminProof(build, req, admin);

  const activity =
    timeline.events.length === 0
      ? '<p>No security activity yet.</p>'
      : `<table><caption>Recent security activity (newest first)</caption><thead><tr><th scope="col">Time (UTC)</th>` +
        `<th scope="col">Event</th><th scope="col">Provider</th><th scope="col">IP address</th><th scope="col">By</th></tr></thead><tbody>` +
        timeline.events
          .map(
            (ev) =>
              `<tr><td>${e(utcTime(ev.at))}</td><td>${e(eventLabel(ev.type))}</td>` +
              `<td>${ev.providerId ? e(providerName(portal, ev.providerId)) : ''}</td><td>${e(ev.ip ?? '')}</td>` +
              `<td>${ev.by ? e(actors.get(ev.by)?.email ?? ev.by) : ''}</td></tr>`,
          )
          .join('') +
        `</tbody></table>`;

  const actions = self
    ? `<p${draft?.refusal === 'self' ? ' role="alert"' : ''}>This is your own account: manage your factors in <a href="/2fa/account">Security settings</a>. Another administrator can reset or unlock it.</p>`
    : proofNote(proof, draft) +
      actionForm(req, target, 'unlock', draft) +
      actionForm(req, target, 'reset', draft);

  await renderPage(portal, req, res, {
    title: `User ${target.email}`,
    user: admin,
    main:
      `<p><a href="/admin/users">← All users</a></p>` +
      `<h1>${e(target.name)}</h1>` +
      (notice ? `<p class="notice" role="status">${e(notice)}</p>` : '') +
      `<dl><dt>Email address</dt><dd>${e(target.email)}</dd><dt>Role</dt><dd>${e(target.role === 'admin' ? 'Administrator' : 'Client')}</dd>` +
      `<dt>Two-factor authentication</dt><dd>${summary.factors.length === 0 ? 'Off' : `On (${summary.factors.length} factor${summary.factors.length === 1 ? '' : 's'})`}</dd>` +
      `<dt>Lock</dt><dd id="lock-status">${e(lockText(summary.lock))}${summary.lock.failures > 0 ? ` · ${summary.lock.failures} failed attempt${summary.lock.failures === 1 ? '' : 's'} since the last success` : ''}</dd>` +
      (summary.graceDeadline !== null
        ? `<dt>Grace period</dt><dd>Must set up a factor from ${e(utcTime(summary.graceDeadline))}</dd>`
        : '') +
      `<dt>Recovery codes left</dt><dd>${codes.remaining}</dd><dt>Remembered devices</dt><dd>${devices}</dd></dl>` +
      `<h2>Factors</h2>${factorRows(portal, summary.factors)}` +
      `<h2>Recent security activity</h2>${activity}` +
      `<p><a href="/admin/audit?user=${encodeURIComponent(target.email)}">All audit events of this user</a></p>` +
      actions,
  });
}
