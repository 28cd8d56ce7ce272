import { InvalidArgumentError, type SecurityTimelineOptions } from '@factorkit/core';
import type {
  AccountDevicesResponse,
  AccountFactorsResponse,
  AccountTimelineResponse,
  DevicesRevokedResponse,
  RecoveryCodesResponse,
} from './account-types.js';
import { requiredString } from './body.js';
import { WebError } from './errors.js';
import type { Route, RouteCall, RouteResult } from './route.js';
import { lastSecondFactorAt, requireStepUp, signedIn } from './signed-in.js';

/*
 * The user's own security settings. Every route needs a fully authenticated session (a pending
 * one gets SECOND_FACTOR_REQUIRED). The listings (GET) need no step-up: they change nothing,
 * show only the user's own ids, names and times (no secret), and the page that lists them is
 * where the user is asked to step up, so it must load first. Every change is a POST (so it needs
 * the CSRF token) and needs a recent second factor: someone at an unlocked, signed-in browser
 * must not be able to remove a factor, take new recovery codes or forget devices (FL-06).
 */

/** An id in a path: the characters of the ids core hands out; anything else is no route. */
const ID = '(?<id>[A-Za-z0-9._~-]{1,128})';

async function factors(call: RouteCall): Promise<RouteResult> {
  const state = signedIn(call.state);
  const service = call.steps.service;
  const body: AccountFactorsResponse = {
    factors: await service.listEnrollments(state.user),
    recoveryCodes: await service.recoveryCodeStatus(state.user),
    stepUp: service.isRecentSecondFactor(state.user, lastSecondFactorAt(state)),
  };
  return { body };
}

/** Another user's enrollment id gets core's NOT_ENROLLED, as an unknown one does (EN-08). */
async function renameFactor(call: RouteCall): Promise<RouteResult> {
  const { user } = await requireStepUp(call);
  const label = requiredString(call.body, 'label');
  await call.steps.service.renameEnrollment(user, call.params.id!, label, call.info);
  return { body: { ok: true } };
}

async function removeFactor(call: RouteCall): Promise<RouteResult> {
  const { user, stepUp } = await requireStepUp(call);
  // The time goes to core too, so its own `requireStepUp` policy judges the same proof.
  await call.steps.service.removeEnrollment(user, call.params.id!, stepUp, call.info);
  return { body: { ok: true } };
}

async function regenerateRecoveryCodes(call: RouteCall): Promise<RouteResult> {
  const { user, stepUp } = await requireStepUp(call);
  const codes = await call.steps.service.regenerateRecoveryCodes(user, stepUp, call.info);
  const body: RecoveryCodesResponse = { recoveryCodes: codes };
  return { body };
}

async function devices(call: RouteCall): Promise<RouteResult> {
  const state = signedIn(call.state);
  const body: AccountDevicesResponse = {
    devices: await call.steps.service.listTrustedDevices(state.user),
  };
  return { body };
}

async function revokeDevice(call: RouteCall): Promise<RouteResult> {
  const { user } = await requireStepUp(call);
  const revoked = await call.steps.service.revokeTrustedDevice(user, call.params.id!, call.info);
  // Core answers false alike for an unknown id and another user's: so does this route.
  if (!revoked) throw new WebError(404, 'NOT_FOUND', 'No such device.');
  return { body: { ok: true } };
}

async function revokeAllDevices(call: RouteCall): Promise<RouteResult> {
  const { user } = await requireStepUp(call);
  const body: DevicesRevokedResponse = {
    revoked: await call.steps.service.revokeTrustedDevices(user, call.info),
  };
  return { body };
}

/** `?limit=` (a whole number; core checks 1..100) and `?before=` (a previous page's `next`). */
function timelineOptions(request: Request): SecurityTimelineOptions {
  const query = new URL(request.url).searchParams;
  const limit = query.get('limit');
  const before = query.get('before');
  if (limit !== null && !/^[0-9]{1,3}$/.test(limit))
    throw new InvalidArgumentError('limit must be a whole number from 1 to 100.');
  return {
    ...(limit === null ? {} : { limit: Number(limit) }),
    ...(before === null ? {} : { before }),
  };
}

async function timeline(call: RouteCall): Promise<RouteResult> {
  const state = signedIn(call.state);
  const options = timelineOptions(call.request);
  const body: AccountTimelineResponse = await call.steps.service.securityTimeline(
    state.user,
    options,
  );
  return { body };
}

export const accountRoutes: readonly Route[] = [
  { method: 'GET', pattern: /^\/account\/factors$/, run: factors },
  { method: 'POST', pattern: new RegExp(`^/account/factors/${ID}/rename$`), run: renameFactor },
  { method: 'POST', pattern: new RegExp(`^/account/factors/${ID}/remove$`), run: removeFactor },
  {
    method: 'POST',
    pattern: /^\/account\/recovery-codes\/regenerate$/,
    run: regenerateRecoveryCodes,
  },
  { method: 'GET', pattern: /^\/account\/devices$/, run: devices },
  { method: 'POST', pattern: /^\/account\/devices\/revoke-all$/, run: revokeAllDevices },
  { method: 'POST', pattern: new RegExp(`^/account/devices/${ID}/revoke$`), run: revokeDevice },
  { method: 'GET', pattern: /^\/account\/timeline$/, run: timeline },
];
