import type { TwoFactorUser } from '@factorkit/core';
import type {
  AdminResetResponse,
  AdminUnlockResponse,
  AdminUserStatusResponse,
} from './account-types.js';
import { requiredString } from './body.js';
import { WebError } from './errors.js';
import type { Route, RouteCall, RouteResult } from './route.js';
import { requireStepUp, signedIn } from './signed-in.js';

export type AdminRouteAction = 'status' | 'reset' | 'unlock';

/** Who acts, as the audit event names them (core's `AdminAction.actorId`, 1..255 characters). */
export interface AdminActor {
  readonly actorId: string;
}

/** The signed-in session asking: its user (from the server-side state) and the host's context. */
export interface AdminCaller<C> {
  readonly user: TwoFactorUser;
  readonly ctx: C;
}

/**
 * The host's side of the admin routes. Without it the routes do not exist (404). The routes are
 * `GET /admin/users/:id/status`, `POST /admin/users/:id/reset` and `POST /admin/users/:id/unlock`.
 */
export interface AdminRouteOptions<C> {
  /**
   * Whether this session's user may take `action` on `targetUserId`, and who they are for the
   * audit; `false` refuses with the same 404 as an unknown user.
   */
  readonly authorize: (
    action: AdminRouteAction,
    targetUserId: string,
    caller: AdminCaller<C>,
  ) => Promise<AdminActor | false>;
  /** The host's user for an id, with its audience; undefined for an unknown id. */
  readonly resolveUser: (userId: string) => Promise<TwoFactorUser | undefined>;
}

/** The admin hooks with the request's context bound, as the routes get them. */
export interface BoundAdmin {
  authorize(
    action: AdminRouteAction,
    targetUserId: string,
    user: TwoFactorUser,
  ): Promise<AdminActor | false>;
  resolveUser(userId: string): Promise<TwoFactorUser | undefined>;
}

export function bindAdmin<C>(options: AdminRouteOptions<C>, ctx: C): BoundAdmin {
  return {
    authorize: (action, targetUserId, user) =>
      options.authorize(action, targetUserId, { user, ctx }),
    resolveUser: (userId) => options.resolveUser(userId),
  };
}

/** One answer for "not allowed" and "no such user", so the routes name no users (FL-14). */
function noSuchUser(): WebError {
  return new WebError(404, 'NOT_FOUND', 'No such user.');
}

/**
 * The checks every admin route makes, in this order: a fully authenticated session; the host's
 * authorizer; the target resolved (only once authorised, so a refused caller learns nothing,
 * not even from timing, about which ids exist); then, for a change, a recent second factor of
 * the admin. A reset removes every factor of someone else, at least as sensitive as the user
 * removing one of their own, so it needs the same step-up; so does an unlock. Reading the status
 * changes nothing and needs none.
 */
async function target(
  call: RouteCall,
  action: AdminRouteAction,
): Promise<{ actorId: string; user: TwoFactorUser }> {
  const state = signedIn(call.state);
  const admin = call.admin;
  if (admin === undefined) throw new WebError(404, 'NOT_FOUND', 'No such route.');
  const targetId = call.params.id!;
  const actor = await admin.authorize(action, targetId, state.user);
  if (actor === false) throw noSuchUser();
  const user = await admin.resolveUser(targetId);
  if (user === undefined) throw noSuchUser();
  // Acting on someone other than the id in the path would be worse than failing.
  if (user.id !== targetId) throw new Error('resolveUser returned a user with another id.');
  if (action !== 'status') await requireStepUp(call);
  return { actorId: actor.actorId, user };
}

async function status(call: RouteCall): Promise<RouteResult> {
  const { user } = await target(call, 'status');
  const service = call.steps.service;
  const body: AdminUserStatusResponse = {
    userId: user.id,
    factors: await service.listEnrollments(user),
    recoveryCodes: await service.recoveryCodeStatus(user),
    throttle: await service.throttleStatus(user),
  };
  return { body };
}

async function reset(call: RouteCall): Promise<RouteResult> {
  const { actorId, user } = await target(call, 'reset');
  const reason = requiredString(call.body, 'reason');
  const done = await call.steps.service.adminReset({ actorId, reason }, user);
  const body: AdminResetResponse = { ok: true, ...done };
  return { body };
}

async function unlock(call: RouteCall): Promise<RouteResult> {
  const { actorId, user } = await target(call, 'unlock');
  const reason = requiredString(call.body, 'reason');
  await call.steps.service.adminUnlock({ actorId, reason }, user);
  const body: AdminUnlockResponse = { ok: true };
  return { body };
}

const USER = '(?<id>[A-Za-z0-9._~@+-]{1,255})';

/** Served only when the host passes `admin` to `createTwoFactorHandler`. */
export const adminRoutes: readonly Route[] = [
  { method: 'GET', pattern: new RegExp(`^/admin/users/${USER}/status$`), run: status },
  { method: 'POST', pattern: new RegExp(`^/admin/users/${USER}/reset$`), run: reset },
  { method: 'POST', pattern: new RegExp(`^/admin/users/${USER}/unlock$`), run: unlock },
];
