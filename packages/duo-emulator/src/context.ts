import type { Clock } from './clock.js';
import type { AppRegistry } from './state/apps.js';
import type { CallCounters } from './state/counters.js';
import type { Faults } from './state/faults.js';
import type { UserDirectory } from './state/users.js';
import type { PushCenter } from './authapi/pushes.js';
import type { EnrollmentBook } from './state/enrollments.js';

export interface EmulatorSettings {
  /** Lifetime of an authorization code, in seconds. */
  codeTtlSec: number;
  /** Lifetime of an id_token, in seconds (Duo's observed value is one hour). */
  idTokenTtlSec: number;
  /** Reject a client-assertion `jti` seen before (Duo-strict). */
  enforceJtiUniqueness: boolean;
  /** Leeway for `exp` checks on client JWTs, in seconds. */
  jwtLeewaySec: number;
  /** Allowed Date header drift for Auth API signatures, in seconds. */
  dateWindowSec: number;
  /** How long an unanswered ("manual") push waits before timing out. */
  pushTimeoutMs: number;
  /** How long `auth_status` waits for a change before answering with the current status. */
  longPollMs: number;
}

/** Shared state the route modules work on. */
export interface EmulatorContext {
  readonly apps: AppRegistry;
  readonly users: UserDirectory;
  readonly counters: CallCounters;
  readonly pushes: PushCenter;
  /** Activation codes from `/auth/v2/enroll`. */
  readonly enrollments: EnrollmentBook;
  readonly clock: Clock;
  readonly settings: EmulatorSettings;
  readonly adminToken: string;
  faults(): Faults;
  /** The emulator's time: the clock plus any injected skew. */
  nowMs(): number;
  /** Host[:port] names the server answers to, e.g. 127.0.0.1:8443 and localhost:8443. */
  hostNames(): string[];
}

export function nowSec(ctx: EmulatorContext): number {
  return Math.floor(ctx.nowMs() / 1000);
}
