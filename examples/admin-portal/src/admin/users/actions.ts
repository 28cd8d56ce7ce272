/**
 * The two admin actions on a user, in two steps each (post/redirect/get throughout):
 * 1. `POST /admin/users/:id/:action` with the reason: checked (3..500 characters) and kept in
 *    the session; an error goes back to the user's page under the field, the reason kept.
 * 2. `GET /admin/users/:id/:action/confirm` says what will happen; its form posts `confirm=yes`
 *    and the action runs with the reason kept in step 1, after core's step-up check.
 * core audits the action itself (`admin.reset` / `admin.unlocked` with the admin as `actorId`),
 * and the portal's audit sink keeps it in portal_audit.
 */
import type { NextFunction, Request, Response } from 'express';
import { userOf } from '../../http/guards.js';
import { e } from '../../http/html.js';
import { renderPage } from '../../http/render.js';
import type { Portal } from '../../portal.js';
import { twoFactorUser, type PortalUser } from '../../users/user-store.js';
import { csrfField, textField } from '../form.js';
import { draftFor, reasonError, saveDraft, type AdminActionName } from './drafts.js';
import { adminProof, requireAdminProof } from './step-up.js';

export function actionOf(value: string | undefined): AdminActionName | undefined {
  return value === 'reset' || value === 'unlock' ? value : undefined;
}

/** The target of the request, or undefined for the app's ordinary 404 page (FL-14: no hint). */
export async function targetOf(portal: Portal, req: Request): Promise<PortalUser | undefined> {
  const id = req.params['id'];
  return typeof id === 'string' ? portal.users.byId(id) : undefined;
}

const pageOf = (target: PortalUser) => `/admin/users/${encodeURIComponent(target.id)}`;

export async function postAction(
  portal: Portal,
  req: Request,
  res: Response,
  next: NextFunction,
): Promise<void> {
  const action = actionOf(req.params['action'] as string | undefined);
  const target = action ? await targetOf(portal, req) : undefined;
  if (!action || !target) return next();
  const admin = userOf(res);
  const back = pageOf(target);
  if (target.id === admin.id) {
    saveDraft(req, { userId: target.id, action, reason: '', refusal: 'self' });
    return res.redirect(303, back);
  }
  const build = await portal.live.current();
  if (textField(req.body, 'confirm') !== 'yes') {
    const reason = textField(req.body, 'reason');
    const error = reasonError(reason);
    if (error) {
      saveDraft(req, { userId: target.id, action, reason, reasonError: error });
      return res.redirect(303, back);
    }
    // Told now, before the confirm step; the confirm step asks core again (and core audits it).
    if (!(await adminProof(build, req, admin)).allowed) {
      saveDraft(req, { userId: target.id, action, reason, refusal: 'step-up' });
      return res.redirect(303, back);
    }
    saveDraft(req, { userId: target.id, action, reason: reason.trim() });
    return res.redirect(303, `${back}/${action}/confirm`);
  }

  const draft = draftFor(req, target.id, action);
  if (!draft || draft.reasonError !== undefined || draft.refusal !== undefined) {
    saveDraft(req, {
      userId: target.id,
      action,
      reason: '',
      reasonError: 'Give the reason again, then confirm.',
    });
    return res.redirect(303, back);
  }
  if (!(await requireAdminProof(build, req, admin)).allowed) {
    saveDraft(req, { ...draft, refusal: 'step-up' });
    return res.redirect(303, back);
  }
  delete req.session.adminDraft;
  const who = twoFactorUser(target);
  const by = { actorId: admin.id, reason: draft.reason };
  let message: string;
  if (action === 'reset') {
    const done = await build.service.adminReset(by, who);
    message =
      `Two-factor authentication was reset for ${target.email}: ${done.enrollmentsRemoved} factor${done.enrollmentsRemoved === 1 ? '' : 's'} removed, ` +
      `${done.devicesRevoked} remembered device${done.devicesRevoked === 1 ? '' : 's'} forgotten, recovery codes removed. They set it up again when they next sign in.`;
  } else {
    await build.service.adminUnlock(by, who);
    message = `${target.email} is unlocked: the failed attempts are cleared and the factors kept.`;
  }
  req.session.adminNotice = { userId: target.id, message };
  res.redirect(303, back);
}

export async function confirmPage(
  portal: Portal,
  req: Request,
  res: Response,
  next: NextFunction,
): Promise<void> {
  const action = actionOf(req.params['action'] as string | undefined);
  const target = action ? await targetOf(portal, req) : undefined;
  if (!action || !target) return next();
  const back = pageOf(target);
  const draft = draftFor(req, target.id, action);
  if (!draft || draft.reasonError !== undefined || draft.refusal !== undefined)
    return res.redirect(303, back);
  const build = await portal.live.current();
  const who = twoFactorUser(target);
  let title: string;
  let what: string;
  if (action === 'reset') {
    const factors = (await build.service.listEnrollments(who)).length;
    const devices = (await build.service.listTrustedDevices(who)).length;
    title = `Reset two-factor authentication for ${target.email}?`;
    what =
      `This removes their ${factors} factor${factors === 1 ? '' : 's'}, their recovery codes and their ${devices} remembered device${devices === 1 ? '' : 's'}. ` +
      `It cannot be undone: they set up two-factor authentication again when they next sign in.`;
  } else {
    title = `Unlock ${target.email}?`;
    what = 'This clears their failed attempts and lifts the lock. Their factors stay as they are.';
  }
  await renderPage(portal, req, res, {
    title,
    user: userOf(res),
    main:
      `<h1>${e(title)}</h1><p>${e(what)}</p>` +
      `<p>Reason (kept in the audit log):</p><blockquote>${e(draft.reason)}</blockquote>` +
      `<form method="post" action="${e(back)}/${action}">${csrfField(req)}` +
      `<input type="hidden" name="confirm" value="yes">` +
      `<button type="submit" autofocus${action === 'reset' ? ' class="danger"' : ''}>${action === 'reset' ? 'Yes, reset two-factor authentication' : 'Yes, unlock'}</button> ` +
      `<a href="${e(back)}">Cancel</a></form>`,
  });
}
