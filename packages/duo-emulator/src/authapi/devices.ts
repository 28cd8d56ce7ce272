/**
 * Devices as the Auth API shows and uses them: which device a factor goes to, SMS passcode
 * batches, and the `sms_nextcode` preauth adds to the device that received the last batch.
 */
import { digits } from '../state/random.js';
import type { Capability, Device, EmulatorUser } from '../state/users.js';

/** A preauth device: Duo's device fields, plus `sms_nextcode` after an SMS batch. */
export type PreauthDevice = Device & { sms_nextcode?: string };

/** Size of an SMS passcode batch; passcode k of a batch starts with the digit k mod 10. */
export const SMS_BATCH_SIZE = 10;

/**
 * Sends a new batch of SMS passcodes to `device` (replacing any earlier batch). Like Duo's, the
 * first digit of each passcode is its place in the batch (1, 2, … 9, 0), which is what
 * `sms_nextcode` announces so that the user knows which code to type.
 */
export function sendSmsBatch(user: EmulatorUser, device: Device): void {
  user.smsPasscodes = Array.from(
    { length: SMS_BATCH_SIZE },
    (_, i) => String((i + 1) % 10) + digits(6),
  );
  user.smsDevice = device.device;
}

/** The user's devices for preauth, `sms_nextcode` on the one holding unused SMS passcodes. */
export function preauthDevices(user: EmulatorUser, devices = user.devices): PreauthDevice[] {
  const next = user.smsPasscodes[0];
  return devices.map((d) =>
    next !== undefined && d.device === user.smsDevice ? { ...d, sms_nextcode: next[0]! } : d,
  );
}

export function pickDevice(
  user: EmulatorUser,
  factor: string,
  deviceId: string,
  pushAllowed: boolean,
): { device: Device; factor: 'push' | 'phone' | 'sms' } | undefined {
  const candidates =
    deviceId === 'auto' ? user.devices : user.devices.filter((d) => d.device === deviceId);
  const wanted: Array<'push' | 'phone' | 'sms'> =
    factor === 'auto' ? ['push', 'phone'] : [factor as 'push' | 'phone' | 'sms'];
  for (const f of wanted) {
    if (f === 'push' && !pushAllowed) continue;
    const d = candidates.find((c) => c.capabilities.includes(f as Capability));
    if (d) return { device: d, factor: f };
  }
  return undefined;
}
