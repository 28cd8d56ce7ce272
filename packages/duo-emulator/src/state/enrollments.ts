/**
 * Activation codes handed out by `/auth/v2/enroll`. Claiming one (what scanning the QR code with
 * Duo Mobile does) gives the user a Duo Mobile device with push; `/auth/v2/enroll_status` reports
 * `waiting`, `success` or `invalid`.
 */
import { DuoEmulatorError } from '../errors.js';
import { randomInt } from 'node:crypto';
import type { Device, EmulatorUser, UserDirectory } from './users.js';

export type EnrollStatus = 'waiting' | 'success' | 'invalid';

export interface Enrollment {
  /** `duo://<code>-<base64 of the API host>`, as Duo writes it. */
  activationCode: string;
  /** The 20-character code alone (also the last path segment of the activation URL). */
  code: string;
  userId: string;
  username: string;
  expiresAtMs: number;
  claimed: boolean;
}

const CODE_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function newCode(): string {
  let out = '';
  for (let i = 0; i < 20; i++) out += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return out;
}

export class EnrollmentBook {
  private readonly byCode = new Map<string, Enrollment>();

  constructor(
    private readonly users: UserDirectory,
    private readonly nowMs: () => number,
  ) {}

  create(user: EmulatorUser, apiHost: string, validSecs: number): Enrollment {
    const code = newCode();
    const hostPart = Buffer.from(apiHost, 'utf8').toString('base64').replace(/=+$/, '');
    const enrollment: Enrollment = {
      activationCode: `duo://${code}-${hostPart}`,
      code,
      userId: user.userId,
      username: user.username,
      expiresAtMs: this.nowMs() + validSecs * 1000,
      claimed: false,
    };
    this.byCode.set(code, enrollment);
    return enrollment;
  }

  /** Finds an enrollment by its full `duo://…` activation code or by the bare code. */
  find(activationCode: string): Enrollment | undefined {
    const m = /^(?:duo:\/\/)?([A-Za-z0-9]{20})(?:-[A-Za-z0-9+/]*)?$/.exec(activationCode);
    return m ? this.byCode.get(m[1]!) : undefined;
  }

  /** What `enroll_status` answers for this user and activation code. */
  status(userId: string, activationCode: string): EnrollStatus {
    const e = this.find(activationCode);
    if (!e || e.userId !== userId || !this.users.byId(userId)) return 'invalid';
    if (e.claimed) return 'success';
    return e.expiresAtMs < this.nowMs() ? 'invalid' : 'waiting';
  }

  /** Unclaimed, unexpired enrollments (for a test or the admin API to claim). */
  pending(): Enrollment[] {
    const now = this.nowMs();
    return [...this.byCode.values()].filter((e) => !e.claimed && e.expiresAtMs >= now);
  }

  /**
   * Claims an activation code as Duo Mobile would: the user gets a push-capable device. Refused
   * (OPTIONS_INVALID) when the code is unknown, expired, already claimed or its user is gone.
   */
  activate(activationCode: string, deviceName = 'Duo Mobile'): Device {
    const e = this.find(activationCode);
    if (!e || e.claimed || e.expiresAtMs < this.nowMs())
      throw new DuoEmulatorError(
        'OPTIONS_INVALID',
        'No pending activation with this code (unknown, expired or already used).',
      );
    const user = this.users.byId(e.userId);
    if (!user) throw new DuoEmulatorError('USER_NOT_FOUND', 'The enrolling user was deleted.');
    e.claimed = true;
    return this.users.addDevice(user.username, { name: deviceName, push: true });
  }
}
