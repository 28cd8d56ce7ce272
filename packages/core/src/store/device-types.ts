/**
 * Remembered ("trusted") devices (SECURITY.md FL-09..FL-11). They are durable state, so they live
 * with the enrollments: `EnrollmentStore` extends `TrustedDeviceStore`. Only the SHA-256 of a
 * device token is ever stored; the token itself is shown to the host once.
 */

export interface TrustedDeviceRecord {
  /** Public id of the device (safe to show and to pass back to revoke it). */
  readonly id: string;
  readonly userId: string;
  /** Hex SHA-256 of the device token; unique across all users. */
  readonly tokenHash: string;
  /** Short printable description from the user agent ("Firefox on Linux"), or null. */
  readonly label: string | null;
  readonly createdAt: number;
  readonly lastUsedAt: number | null;
  /** Absolute expiry (epoch ms): never extended by use. */
  readonly expiresAt: number;
  /**
   * The user's generation when the device was trusted. The device works only while the user's
   * generation is still this one: a reset or a factor removal ends it even when done by a store
   * of an earlier version that knows nothing of devices (a rolling upgrade).
   */
  readonly generation: number;
}

export interface TrustDeviceInput {
  /** The device; it is stored with `generation` below as its own. */
  readonly device: Omit<TrustedDeviceRecord, 'generation'>;
  /** At most this many devices remain for the user after the insert (1 or more). */
  readonly limit: number;
  /** The user's generation (`EnrollmentStore.generation`) when the second factor was passed. */
  readonly generation: number;
}

/**
 * - `trusted`: stored, and the user's least recently used devices beyond `limit` removed;
 * - `no-factor`: the user has no enrollment: nothing stored;
 * - `generation-changed`: a reset or a factor removal happened since: nothing stored.
 */
export type TrustDeviceResult = 'trusted' | 'no-factor' | 'generation-changed';

export interface TrustedDeviceStore {
  /**
   * In one transaction: refuse when the user has no enrollment or their generation is no longer
   * `generation`; otherwise insert the device and, if the user then has more than `limit`, delete
   * the least recently used (`lastUsedAt`, else `createdAt`; oldest id first on a tie) until
   * `limit` remain. Any number of parallel calls on any number of instances leave at most `limit`.
   */
  trustDevice(input: TrustDeviceInput): Promise<TrustDeviceResult>;
  /**
   * Atomically: the device whose token hash is `tokenHash` only if it belongs to `userId`,
   * `now < expiresAt` and its `generation` is the user's current one, with `lastUsedAt` set to
   * `now`; null otherwise. An expired device found
   * for the user is deleted. A hash of another user's device finds nothing and changes nothing.
   */
  useTrustedDevice(
    userId: string,
    tokenHash: string,
    now: number,
  ): Promise<TrustedDeviceRecord | null>;
  /** The user's devices, most recently created first. */
  listTrustedDevices(userId: string): Promise<TrustedDeviceRecord[]>;
  /** Deletes one device of the user; false when no such device belongs to them. */
  revokeTrustedDevice(userId: string, deviceId: string): Promise<boolean>;
  /**
   * Deletes every device of the user and raises their generation, in one transaction; how many
   * there were. Raising it means a `trustDevice` begun before (a sign-in racing a password
   * change) is refused too (`generation-changed`), and so are the user's steps in flight (EN-05).
   */
  revokeTrustedDevices(userId: string): Promise<number>;
}
