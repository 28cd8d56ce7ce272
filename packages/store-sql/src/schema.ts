import type { ColumnType } from 'kysely';

/**
 * 64-bit integer columns. PostgreSQL's `pg` driver returns `bigint` as a string (it cannot know
 * the value fits a JS number); SQLite returns a number. Rows are converted with `toNumber`.
 */
export type BigIntColumn = ColumnType<number | string | bigint, number, number>;
export type NullableBigIntColumn = ColumnType<
  number | string | bigint | null,
  number | null,
  number | null
>;

export interface EnrollmentTable {
  id: string;
  user_id: string;
  provider_id: string;
  label: string | null;
  secret: string;
  counter: NullableBigIntColumn;
  created_at: BigIntColumn;
  last_used_at: NullableBigIntColumn;
  /** A provider's public key for the enrollment, unique per provider (migration 0009). */
  lookup_key: string | null;
}

export interface RecoveryCodeTable {
  user_id: string;
  code_hash: string;
  created_at: BigIntColumn;
  used_at: NullableBigIntColumn;
}

export interface PendingTable {
  id: string;
  kind: string;
  user_id: string;
  provider_id: string;
  enrollment_id: string | null;
  payload: string;
  attempts: number;
  created_at: BigIntColumn;
  expires_at: BigIntColumn;
}

export interface ThrottleTable {
  key: string;
  failures: number;
  blocked_until: BigIntColumn;
  /** Scratch of `reserve` (migration 0010): the block before a granted reservation, or -1. */
  last_reserve: NullableBigIntColumn;
}

export interface UserGenerationTable {
  user_id: string;
  generation: BigIntColumn;
}

/** One row per quota key: units taken in the current window and when that window ends. */
export interface QuotaTable {
  key: string;
  used: number;
  window_ends_at: BigIntColumn;
}

/** One row per user whom an enrollment grace period was granted: when it ends. */
export interface GraceTable {
  user_id: string;
  deadline: BigIntColumn;
}

/** One row per security timeline entry; `detail` is a small JSON object without secrets. */
export interface SecurityEventTable {
  id: string;
  user_id: string;
  type: string;
  at: BigIntColumn;
  detail: string;
}

/** One row per remembered device: the SHA-256 of its token, never the token. */
export interface TrustedDeviceTable {
  id: string;
  user_id: string;
  token_hash: string;
  label: string | null;
  created_at: BigIntColumn;
  last_used_at: NullableBigIntColumn;
  expires_at: BigIntColumn;
  generation: BigIntColumn;
}

/** Table names carry a `factorkit_` prefix so they can live in a host's own database. */
export interface Database {
  factorkit_enrollments: EnrollmentTable;
  factorkit_recovery_codes: RecoveryCodeTable;
  factorkit_pending: PendingTable;
  factorkit_throttle: ThrottleTable;
  factorkit_user_generations: UserGenerationTable;
  factorkit_quota: QuotaTable;
  factorkit_grace: GraceTable;
  factorkit_security_events: SecurityEventTable;
  factorkit_trusted_devices: TrustedDeviceTable;
}

/** Converts a 64-bit column to a JS number, refusing values a number cannot hold exactly. */
export function toNumber(value: number | string | bigint): number {
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isSafeInteger(n))
    throw new RangeError('factorkit store: integer column out of the safe range');
  return n;
}

export function toNullableNumber(value: number | string | bigint | null): number | null {
  return value === null ? null : toNumber(value);
}
