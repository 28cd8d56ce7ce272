import { FactorkitError, type SecondFactorSuccess, type TwoFactorUser } from '@factorkit/core';
import { WebError } from './errors.js';
import type { RouteCall } from './route.js';

/** What the JSON answer of a sign-in says about "remember this device", when it was asked. */
export interface RememberedDeviceInfo {
  readonly deviceId: string;
  /** Absolute expiry (epoch ms); the cookie's `Max-Age` ends then too. */
  readonly expiresAt: number;
}

/**
 * The `rememberDevice` field of a JSON sign-in: `true`, `false` or absent, checked before the
 * code is spent so a malformed body never costs the user their code.
 */
export function rememberRequested(body: Record<string, unknown>): boolean {
  const value = body['rememberDevice'];
  if (value === undefined) return false;
  if (typeof value !== 'boolean')
    throw new WebError(400, 'INVALID_JSON', '"rememberDevice" must be true or false.');
  return value;
}

/** Whether to offer "remember this device" to this user: the host allows it and core would. */
export function rememberOffered(call: RouteCall, user: TwoFactorUser): boolean {
  return call.deviceCookie !== undefined && call.steps.service.rememberDeviceDays(user) > 0;
}

/**
 * After a second factor passed and the session is signed in: asks core to remember the device
 * with that factor's time (so a fail-open grant, `at` 0, never qualifies) and sets the cookie
 * on the response. The sign-in stands whatever happens here; a refusal (turned off for the
 * audience, a factor change racing it) only means no cookie (null).
 */
export async function rememberThisDevice(
  call: RouteCall,
  success: SecondFactorSuccess,
): Promise<RememberedDeviceInfo | null> {
  const cookie = call.deviceCookie;
  if (cookie === undefined) return null;
  try {
    const device = await call.steps.service.rememberDevice(
      call.state.user,
      { secondFactorAt: success.at },
      call.info,
    );
    const maxAgeSeconds = (device.expiresAt - call.steps.now()) / 1000;
    call.cookies.push(cookie.set(call.request, call.peerAddress, device.token, maxAgeSeconds));
    return { deviceId: device.deviceId, expiresAt: device.expiresAt };
  } catch (err) {
    if (err instanceof FactorkitError) return null;
    throw err;
  }
}
