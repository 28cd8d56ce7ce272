/**
 * Saving a changed deployment document from the admin page: the admin's step-up first (a
 * second factor passed recently, when the admin has one), then `live.apply` (core's loader
 * validates; a refused document leaves the running setup as it was), then one `config.changed`
 * row in portal_audit naming the changed paths (never a value: some of them are secrets).
 */
import type { ConfigIssue } from '@factorkit/core';
import { expressSession } from '@factorkit/web/express';
import type { Request } from 'express';
import type { Portal } from '../../portal.js';
import type { RawConfig } from '../../twofactor/deployment.js';
import { twoFactorUser, type PortalUser } from '../../users/user-store.js';
import { e } from '../../http/html.js';
import { changedPaths } from './document-edit.js';

export type SaveResult =
  | { ok: true; changed: string[] }
  | { ok: false; reason: 'step-up'; message: string }
  | { ok: false; reason: 'invalid'; issues: readonly ConfigIssue[] };

/**
 * Whether the admin may change the configuration now: yes when they passed a second factor
 * within their audience's step-up window, or when they have no factor at all yet (the demo's
 * first start: nobody could step up). Otherwise the message says where to confirm it's them.
 */
export async function stepUpProblem(
  portal: Portal,
  req: Request,
  admin: PortalUser,
): Promise<string | undefined> {
  const build = await portal.live.current();
  const user = twoFactorUser(admin);
  const factors = await build.service.listEnrollments(user);
  if (factors.length === 0) return undefined;
  // The sign-in's second factor or a later "Confirm it's you" on the account pages.
  const at = await build.secondStep.lastSecondFactorAt(expressSession(req));
  const recency = build.service.isRecentSecondFactor(user, at);
  if (recency.recent) return undefined;
  const minutes = Math.round(recency.maxAgeSeconds / 60);
  return `Saving needs a second factor passed in the last ${minutes} minutes. Confirm it's you in Security settings, then save again.`;
}

/**
 * Every form of the page carries the version of the settings it was drawn from, beside its
 * CSRF field, so a save made from a page older than the stored settings is refused instead of
 * overwriting another administrator's change (compare-and-set on that version).
 */
export function withVersionField(html: string, csrf: string, version: number | string): string {
  const field = `<input type="hidden" name="_csrf" value="${e(csrf)}">`;
  return html.replaceAll(
    field,
    `${field}<input type="hidden" name="_version" value="${e(String(version))}">`,
  );
}

/** The version a posted form was drawn from, or undefined when it is missing or malformed. */
export function postedVersion(req: Request): number | undefined {
  const raw = (req.body as Record<string, unknown> | undefined)?.['_version'];
  const n = typeof raw === 'string' && /^[0-9]{1,9}$/.test(raw) ? Number(raw) : NaN;
  return Number.isSafeInteger(n) ? n : undefined;
}

export async function saveDocument(
  portal: Portal,
  req: Request,
  admin: PortalUser,
  next: RawConfig,
): Promise<SaveResult> {
  const problem = await stepUpProblem(portal, req, admin);
  if (problem !== undefined) return { ok: false, reason: 'step-up', message: problem };
  const before = (await portal.live.current()).document;
  const changed = changedPaths(before, next);
  if (changed.length === 0) return { ok: true, changed };
  const base = postedVersion(req);
  if (base === undefined)
    return {
      ok: false,
      reason: 'invalid',
      issues: [{ path: '(root)', message: 'this form has no settings version: reload the page' }],
    };
  const applied = await portal.live.apply(next, admin.id, base);
  if (!applied.ok) return { ok: false, reason: 'invalid', issues: applied.issues };
  await portal.db.db
    .insertInto('portal_audit')
    .values({
      at: portal.now(),
      type: 'config.changed',
      user_id: null,
      actor_id: admin.id,
      provider_id: null,
      ip: req.ip ?? null,
      detail: JSON.stringify({ version: applied.version, paths: changed }),
    })
    .execute();
  return { ok: true, changed };
}
