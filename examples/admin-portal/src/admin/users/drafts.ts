/**
 * What an admin action carries between its steps, in the server-side session: the reason typed
 * (kept when the page shows an error, and shown on the confirm page), the error to show, and the
 * one-shot notice after it was done. The confirm step acts only on the reason kept here, for the
 * user and action it was given for, so a confirm form cannot be replayed onto another user.
 */
import type { Request } from 'express';

export type AdminActionName = 'reset' | 'unlock';

export const REASON_MIN = 3;
export const REASON_MAX = 500;
/** What is kept of a too-long reason, to show it back: enough to edit, bounded in the session. */
const REASON_KEPT = 2 * REASON_MAX;

export interface ActionDraft {
  readonly userId: string;
  readonly action: AdminActionName;
  readonly reason: string;
  /** The reason's field error. */
  readonly reasonError?: string;
  /** A page-level refusal (a stale second factor, acting on oneself). */
  readonly refusal?: 'step-up' | 'self';
}

declare module 'express-session' {
  interface SessionData {
    adminDraft?: ActionDraft;
    adminNotice?: { userId: string; message: string };
  }
}

export function reasonError(reason: string): string | undefined {
  if (reason.trim() === '') return 'Give a reason: it is kept in the audit log.';
  if (reason.trim().length < REASON_MIN)
    return `The reason must be at least ${REASON_MIN} characters.`;
  if (reason.length > REASON_MAX)
    return `The reason must be at most ${REASON_MAX} characters (it has ${reason.length}).`;
  return undefined;
}

export function saveDraft(req: Request, draft: ActionDraft): void {
  req.session.adminDraft = { ...draft, reason: draft.reason.slice(0, REASON_KEPT) };
}

/** The draft for this user and action, if that is what the session holds. */
export function draftFor(
  req: Request,
  userId: string,
  action: AdminActionName,
): ActionDraft | undefined {
  const d = req.session.adminDraft;
  return d && d.userId === userId && d.action === action ? d : undefined;
}

/** Takes the session's draft for this user (one-shot) to show it on the user's page. */
export function takeDraft(req: Request, userId: string): ActionDraft | undefined {
  const d = req.session.adminDraft;
  delete req.session.adminDraft;
  return d?.userId === userId ? d : undefined;
}

export function takeNotice(req: Request, userId: string): string | undefined {
  const n = req.session.adminNotice;
  delete req.session.adminNotice;
  return n?.userId === userId ? n.message : undefined;
}
