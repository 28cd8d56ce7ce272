import type { EnrollmentRecord } from '@factorkit/core';
import type { Selectable } from 'kysely';
import { toNullableNumber, toNumber, type EnrollmentTable } from './schema.js';

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
