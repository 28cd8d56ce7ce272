import type { EnrollmentRecord } from '@factorkit/core';
import type { Selectable } from 'kysely';
import { toNullableNumber, toNumber, type EnrollmentTable } from './schema.js';

const UNIQUE_USER_PROVIDER = 'factorkit_enrollments_user_provider_uq';

/** Whether a driver error is the (user_id, provider_id) unique constraint firing. */
export function isUserProviderConflict(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { code?: unknown; constraint?: unknown; message?: unknown };
  // PostgreSQL (pg): SQLSTATE 23505 unique_violation, with the constraint's name.
  if (e.code === '23505') return e.constraint === UNIQUE_USER_PROVIDER;
  // SQLite (better-sqlite3): the message names the columns of the violated unique constraint.
  if (e.code === 'SQLITE_CONSTRAINT_UNIQUE') {
    return typeof e.message === 'string' && e.message.includes('factorkit_enrollments.user_id');
  }
  return false;
}

export function toRecord(r: Selectable<EnrollmentTable>): EnrollmentRecord {
  return {
    id: r.id,
    userId: r.user_id,
    providerId: r.provider_id,
    label: r.label,
    secret: r.secret,
    counter: toNullableNumber(r.counter),
    createdAt: toNumber(r.created_at),
    lastUsedAt: toNullableNumber(r.last_used_at),
  };
}
