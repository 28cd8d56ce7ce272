/**
 * Whether the signed-in administrator may reset or unlock someone now.
 *
 * Decision (see docs/users-and-audit.md): an administrator who has a second factor must
 * have proved it recently (core's `stepUpSeconds` for the admin audience, 10 minutes by
 * default), through the sign-in or a "Confirm it's you" step on the Security settings pages;
 * the time is the session's server-side one (`lastSecondFactorAt`), never one from the request
 * (SECURITY.md FL-06, FL-14). An administrator with no factor at all is let through: the demo
 * starts without one, and such an admin is password-only for the whole admin area anyway. The
 * page says so and points to Security settings; a real deployment forces 2FA for admins.
 */
import { StepUpRequiredError, type TwoFactorUser } from '@factorkit/core';
import { expressSession } from '@factorkit/web/express';
import type { Request } from 'express';
import type { TwoFactorBuild } from '../../twofactor/live.js';
import { twoFactorUser, type PortalUser } from '../../users/user-store.js';

/** `maxAgeSeconds`: how recent the second factor must be (the admin audience's `stepUpSeconds`). */
export type AdminProof =
  | { readonly allowed: true; readonly withoutFactor: boolean; readonly maxAgeSeconds: number }
  | { readonly allowed: false; readonly maxAgeSeconds: number };

async function context(
  build: TwoFactorBuild,
  req: Request,
  admin: PortalUser,
): Promise<{ user: TwoFactorUser; hasFactor: boolean; at: number | undefined }> {
  const user = twoFactorUser(admin);
  const hasFactor = (await build.service.listEnrollments(user)).length > 0;
  const at = await build.secondStep.lastSecondFactorAt(expressSession(req));
  return { user, hasFactor, at };
}

/** For showing the page: changes nothing, audits nothing. */
export async function adminProof(
  build: TwoFactorBuild,
  req: Request,
  admin: PortalUser,
): Promise<AdminProof> {
  const { user, hasFactor, at } = await context(build, req, admin);
  const { recent, maxAgeSeconds } = build.service.isRecentSecondFactor(user, at);
  if (!hasFactor) return { allowed: true, withoutFactor: true, maxAgeSeconds };
  return recent
    ? { allowed: true, withoutFactor: false, maxAgeSeconds }
    : { allowed: false, maxAgeSeconds };
}

/** Right before acting: core's own check, which audits a refusal as `step-up.refused`. */
export async function requireAdminProof(
  build: TwoFactorBuild,
  req: Request,
  admin: PortalUser,
): Promise<AdminProof> {
  const { user, hasFactor, at } = await context(build, req, admin);
  const { maxAgeSeconds } = build.service.isRecentSecondFactor(user, at);
  if (!hasFactor) return { allowed: true, withoutFactor: true, maxAgeSeconds };
  try {
    await build.service.requireRecentSecondFactor(
      user,
      at === undefined ? {} : { secondFactorAt: at },
      'host-action',
      { ip: req.ip, userAgent: req.get('user-agent') },
    );
    return { allowed: true, withoutFactor: false, maxAgeSeconds };
  } catch (err) {
    if (err instanceof StepUpRequiredError)
      return { allowed: false, maxAgeSeconds: err.maxAgeSeconds };
    throw err;
  }
}
