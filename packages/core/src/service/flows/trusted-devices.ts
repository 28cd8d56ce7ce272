import { newDeviceToken, presentedTokenHash } from '../../crypto/device-token.js';
import { InvalidArgumentError, PolicyError } from '../../errors.js';
import type { DeviceRejection, DeviceRevokedBy } from '../../events.js';
import type { Requirement } from '../../policy/policy.js';
import { asksAboveAal1 } from '../../provider/assurance.js';
import type { TwoFactorUser } from '../../provider/contract.js';
import type { TrustDeviceInput, TrustedDeviceRecord } from '../../store/device-types.js';
import { deviceLabel } from '../kernel/device-label.js';
import type { Kernel } from '../kernel/kernel.js';
import type { RememberedDevice, StepUpOptions, TrustedDeviceSummary } from '../types.js';
import type { Decision } from './enforcement.js';
import { requireRecentSecondFactor } from './step-up.js';

const DAY_MS = 86_400_000;
/** Device ids are ours (22 characters); anything longer is not worth a store call. */
const MAX_DEVICE_ID = 64;

/**
 * The audience's current setting: 0 (off) for an unknown audience, and for one whose assurance
 * policy asks for anything (a phishing-resistant or hardware-bound factor, a minimum AAL of 2 or
 * 3). A remembered device is a bearer cookie, no authenticator: letting it stand in for the
 * factor such an audience asks for would undo the requirement (AS-02).
 */
export function rememberDays(k: Kernel, user: TwoFactorUser): number {
  const policy = k.providers.audiencePolicy(user.audience);
  if (!policy) return 0;
  return asksAboveAal1(policy) ? 0 : policy.rememberDeviceDays;
}

/** Where the token ends under today's setting: lowering the days shortens tokens already out. */
function effectiveExpiry(d: TrustedDeviceRecord, days: number): number {
  return Math.min(d.expiresAt, d.createdAt + days * DAY_MS);
}

/**
 * "Remember this device" after a recent second factor (SECURITY.md FL-09, FL-10): a new token
 * for the host to keep in a cookie, stored only as its hash, bound to the user, with an absolute
 * expiry. The store keeps at most `maxRememberedDevices` per user, dropping the least recently used.
 */
export async function rememberDevice(
  k: Kernel,
  user: TwoFactorUser,
  stepUp: StepUpOptions | undefined,
): Promise<RememberedDevice> {
  const policy = k.providers.audiencePolicy(user.audience);
  const days = rememberDays(k, user);
  if (!policy || days === 0) {
    throw new PolicyError(
      'POLICY_DENIED',
      'Remembering devices is turned off for this account (rememberDeviceDays is 0, or its policy asks for a security key).',
    );
  }
  await requireRecentSecondFactor(k, user, 'trust-device', stepUp);
  // Read after the step-up: a reset or a factor removal from here on makes the store refuse.
  const generation = await k.generations.current(user.id);
  const now = k.now();
  const { token, tokenHash } = newDeviceToken(k.random);
  const device: TrustDeviceInput['device'] = {
    id: k.random.token(16),
    userId: user.id,
    tokenHash,
    label: deviceLabel(k.audit.request?.userAgent),
    createdAt: now,
    lastUsedAt: null,
    expiresAt: now + days * DAY_MS,
  };
  const result = await k.stores.enrollments.trustDevice({
    device,
    limit: policy.maxRememberedDevices,
    generation,
  });
  if (result === 'no-factor')
    throw new PolicyError(
      'NOT_ENROLLED',
      'A device can only be remembered for a user with a factor.',
    );
  if (result === 'generation-changed') {
    throw new PolicyError(
      'POLICY_DENIED',
      "The account's two-factor settings changed: pass the second factor again to remember this device.",
    );
  }
  await k.audit.emit({
    ...k.audit.base(user),
    type: 'device.remembered',
    deviceId: device.id,
    expiresAt: device.expiresAt,
  });
  return { token, deviceId: device.id, expiresAt: device.expiresAt, label: device.label };
}

/**
 * `requirement` with a presented device token: only a `challenge` the user has a usable factor
 * for becomes a `skip`, and only for a token of this user, unexpired under the audience's current
 * setting. Anything else leaves the decision as it was (normal 2FA), audited as `device.rejected`
 * and named in the answer's `deviceRejected`, so the host can drop the stale cookie.
 */
export async function applyDeviceToken(
  k: Kernel,
  user: TwoFactorUser,
  decision: Decision,
  token: unknown,
): Promise<Requirement> {
  const r = decision.requirement;
  if (r.action !== 'challenge' || decision.usable.length === 0) return r;
  const reject = async (why: DeviceRejection): Promise<Requirement> => {
    await k.audit.emit({ ...k.audit.base(user), type: 'device.rejected', why });
    return { ...r, deviceRejected: why };
  };
  const days = rememberDays(k, user);
  if (days === 0) return reject('disabled');
  // A locked account is locked on every path (invariant 10, BF-01): the device waits too.
  if ((await k.attempts.status(user)).locked) return reject('locked');
  const hash = presentedTokenHash(token);
  if (hash === undefined) return reject('unknown');
  const now = k.now();
  const device = await k.stores.enrollments.useTrustedDevice(user.id, hash, now);
  if (!device) return reject('unknown');
  if (now >= effectiveExpiry(device, days)) {
    // Expired by a lowered setting: gone for good, even if the setting is raised again.
    await k.stores.enrollments.revokeTrustedDevice(user.id, device.id);
    return reject('expired');
  }
  await k.audit.emit({ ...k.audit.base(user), type: 'device.trusted', deviceId: device.id });
  return { action: 'skip', reason: 'trusted-device', deviceId: device.id };
}

export async function listTrustedDevices(
  k: Kernel,
  user: TwoFactorUser,
): Promise<TrustedDeviceSummary[]> {
  const days = rememberDays(k, user);
  return (await k.stores.enrollments.listTrustedDevices(user.id)).map((d) => ({
    id: d.id,
    label: d.label,
    createdAt: d.createdAt,
    lastUsedAt: d.lastUsedAt,
    expiresAt: effectiveExpiry(d, days),
  }));
}

/** One of the user's own devices; another user's id is simply not found (false). */
export async function revokeTrustedDevice(
  k: Kernel,
  user: TwoFactorUser,
  deviceId: unknown,
): Promise<boolean> {
  if (typeof deviceId !== 'string' || deviceId.length === 0 || deviceId.length > MAX_DEVICE_ID) {
    throw new InvalidArgumentError(
      `deviceId must be the id of a remembered device (a non-empty string of at most ${MAX_DEVICE_ID} characters).`,
    );
  }
  const revoked = await k.stores.enrollments.revokeTrustedDevice(user.id, deviceId);
  if (revoked) await revokedEvent(k, user, { deviceId }, 'user');
  return revoked;
}

/** Every device of the user (the user's "sign out everywhere", or the host after a password change). */
export async function revokeTrustedDevices(
  k: Kernel,
  user: TwoFactorUser,
  by: 'user' | 'password-change',
): Promise<number> {
  const count = await k.stores.enrollments.revokeTrustedDevices(user.id);
  await revokedEvent(k, user, { count }, by);
  return count;
}

export async function revokedEvent(
  k: Kernel,
  user: TwoFactorUser,
  what: { deviceId: string } | { count: number },
  by: DeviceRevokedBy,
): Promise<void> {
  await k.audit.emit({ ...k.audit.base(user), type: 'device.revoked', ...what, by });
}
