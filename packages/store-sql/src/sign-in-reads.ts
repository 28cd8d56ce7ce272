import type { EnrollmentRecord, PendingKind, PendingRecord, SignInState } from '@factorkit/core';
import type { SqlContext } from './context.js';
import { toRecord } from './enrollment-rows.js';
import { toNumber } from './schema.js';
import {
  ADVANCE_READING_GENERATION,
  SIGN_IN_STATE,
  SIGN_IN_STATE_WITH_CODES,
  TAKE_WITH_ENROLLMENT,
} from './sign-in-statements.js';
import { readGeneration } from './user-generations.js';

/**
 * The sign-in's store calls that core can make in fewer round trips (issue 17), each exactly
 * what its separate calls would return. PostgreSQL does each in one statement (a data-modifying
 * CTE and the reads that go with it, one snapshot); SQLite runs no data-modifying CTE, and its
 * statements run in-process with no round trip, so there the calls simply follow each other.
 */

/** `listByUser`, `countRecoveryCodes` (when asked) and `generation` in one SELECT. */
export async function signInState(
  ctx: SqlContext,
  userId: string,
  withRecoveryCodes: boolean,
): Promise<SignInState> {
  const rows = await (withRecoveryCodes ? SIGN_IN_STATE_WITH_CODES : SIGN_IN_STATE).rows(
    ctx.db,
    userId,
  );
  const first = rows[0];
  // No enrollment, no row to carry the rest: such a user has no codes that count (core ignores
  // them without a factor), and a second read gives the generation.
  if (!first)
    return { enrollments: [], recoveryCodes: 0, generation: await readGeneration(ctx.db, userId) };
  return {
    enrollments: rows.map(toRecord),
    recoveryCodes: Number(first.fk_codes ?? 0),
    generation: first.fk_generation === null ? 0 : toNumber(first.fk_generation),
  };
}

/**
 * The compare-and-set of `advanceCounter`, and the user's generation, in one statement that
 * also serialises with any removal or reset of the user (EN-05). The generation comes from an
 * upsert on the user's generation row (inserting 0, which is what no row means, or rewriting
 * the same value): like `raiseGeneration`'s upsert it takes the row's lock and reads its latest
 * committed version. So a removal that committed before this statement, or while it waited, is
 * seen; one that had not yet raised the generation waits for this commit and comes after the
 * sign-in. A plain read would use the statement's snapshot and could miss a removal
 * committing meanwhile. SQLite: the advance, then a read, one after the other (one writer at a
 * time, no round trips).
 */
export async function advanceCounterReadingGeneration(
  ctx: SqlContext,
  enrollmentId: string,
  userId: string,
  counter: number,
  now: number,
  advanceCounter: () => Promise<boolean>,
): Promise<{ advanced: boolean; generation: number }> {
  if (ctx.dialect !== 'postgres') {
    const advanced = await advanceCounter();
    return { advanced, generation: await readGeneration(ctx.db, userId) };
  }
  const row = await ADVANCE_READING_GENERATION.first(ctx.db, enrollmentId, userId, counter, now);
  // A CTE's upsert always returns its one row: none means the statement did not run as written.
  if (!row) throw new Error('store-sql: the counter advance returned no row.');
  return { advanced: Number(row.advanced) === 1, generation: toNumber(row.generation) };
}

/**
 * `take` (the atomic DELETE ... RETURNING, DU-09) and the enrollment the record names, in one
 * statement. The enrollment is read as of the statement's start, as a `get` right after the
 * take would read it, give or take a commit.
 */
export async function takeWithEnrollment(
  ctx: SqlContext,
  id: string,
  userId: string,
  kind: PendingKind,
  take: () => Promise<PendingRecord | null>,
  get: (enrollmentId: string) => Promise<EnrollmentRecord | null>,
  toPending: (row: never) => PendingRecord,
): Promise<{ record: PendingRecord; enrollment: EnrollmentRecord | null } | null> {
  if (ctx.dialect !== 'postgres') {
    const record = await take();
    if (!record) return null;
    return { record, enrollment: record.enrollmentId ? await get(record.enrollmentId) : null };
  }
  const row = await TAKE_WITH_ENROLLMENT.first(ctx.db, id, userId, kind);
  if (!row) return null;
  const enrollment =
    row.e_id === null
      ? null
      : toRecord({
          id: row.e_id,
          user_id: row.e_user_id!,
          provider_id: row.e_provider_id!,
          label: row.e_label,
          secret: row.e_secret!,
          counter: row.e_counter,
          created_at: row.e_created_at!,
          last_used_at: row.e_last_used_at,
          lookup_key: row.e_lookup_key,
        });
  return { record: toPending(row as never), enrollment };
}
