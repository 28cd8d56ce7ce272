import type { PendingRecord } from '@factorkit/core';
import type { Kysely } from 'kysely';
import { CompiledStatement } from './compiled-statements.js';
import type { Database } from './schema.js';

/**
 * The pending store's statements on a sign-in's path, compiled once per store (see
 * compiled-statements.ts); each is the query the store built per call before, unchanged.
 */

/** How many other users' expired records one create may sweep. */
const SWEEP_BATCH = 100;

/** A record's columns, in the order the statements below take them. */
export function pendingColumns(r: PendingRecord) {
  return [
    r.id,
    r.kind,
    r.userId,
    r.providerId,
    r.enrollmentId ?? null,
    r.payload,
    r.attempts,
    r.createdAt,
    r.expiresAt,
  ] as const;
}

type Columns = ReturnType<typeof pendingColumns>;

function row(...c: Columns) {
  const [id, kind, user_id, provider_id, enrollment_id, payload, attempts, created_at, expires_at] =
    c;
  return {
    id,
    kind,
    user_id,
    provider_id,
    enrollment_id,
    payload,
    attempts,
    created_at,
    expires_at,
  };
}

/**
 * The user's expired records and at most `SWEEP_BATCH` of other users', all expired by
 * `cutoff`. `skipLocked`: parallel creates on PostgreSQL each take rows no other sweep holds,
 * instead of queueing on the same ones (SQLite runs one writer at a time anyway).
 */
export function sweepExpired(
  db: Kysely<Database>,
  userId: string,
  cutoff: number,
  skipLocked: boolean,
) {
  const batch = db
    .selectFrom('factorkit_pending')
    .select('id')
    .where('expires_at', '<=', cutoff)
    .where('user_id', '!=', userId)
    .limit(SWEEP_BATCH)
    .$if(skipLocked, (qb) => qb.forUpdate().skipLocked());
  return db
    .deleteFrom('factorkit_pending')
    .where('expires_at', '<=', cutoff)
    .where((eb) => eb.or([eb('user_id', '=', userId), eb('id', 'in', batch)]));
}

/** PostgreSQL: the sweep as a data-modifying CTE of the insert, one round trip. */
export const CREATE_SWEEPING = new CompiledStatement(
  11,
  (db, userId: string, cutoff: number, ...c: Columns) =>
    db
      .with('swept', () => sweepExpired(db, userId, cutoff, true).returning('id'))
      .insertInto('factorkit_pending')
      .values(row(...c)),
);

/** `restore`: the record again, unless one with its id is there (then left as it is). */
export const RESTORE = new CompiledStatement(9, (db, ...c: Columns) =>
  db
    .insertInto('factorkit_pending')
    .values(row(...c))
    .onConflict((oc) => oc.column('id').doNothing()),
);

/** `take`: the delete is the decision (DU-09). */
export const TAKE = new CompiledStatement(3, (db, id: string, userId: string, kind: string) =>
  db
    .deleteFrom('factorkit_pending')
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .where('kind', '=', kind)
    .returningAll(),
);
