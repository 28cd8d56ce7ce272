import type { PendingKind } from '@factorkit/core';
import { sql } from 'kysely';
import { CompiledStatement } from './compiled-statements.js';

/**
 * The statements a sign-in runs on every call, compiled once per store (see
 * compiled-statements.ts). Each is the query the store built per call before, unchanged.
 */

/** The user's enrollments, each row also carrying the generation and the unused codes' count. */
function signInStateStatement(withRecoveryCodes: boolean) {
  return new CompiledStatement(1, (db, userId: string) =>
    db
      .selectFrom('factorkit_enrollments')
      .selectAll('factorkit_enrollments')
      .select((eb) => [
        eb
          .selectFrom('factorkit_user_generations')
          .select('generation')
          .where('user_id', '=', userId)
          .as('fk_generation'),
        withRecoveryCodes
          ? eb
              .selectFrom('factorkit_recovery_codes')
              .select((c) => c.fn.countAll<number | string>().as('n'))
              .where('user_id', '=', userId)
              .where('used_at', 'is', null)
              .as('fk_codes')
          : sql<number>`0`.as('fk_codes'),
      ])
      .where('user_id', '=', userId)
      .orderBy('created_at')
      .orderBy('id'),
  );
}

export const SIGN_IN_STATE = signInStateStatement(false);
export const SIGN_IN_STATE_WITH_CODES = signInStateStatement(true);

/** One enrollment by id (`get`). */
export const GET_ENROLLMENT = new CompiledStatement(1, (db, enrollmentId: string) =>
  db.selectFrom('factorkit_enrollments').selectAll().where('id', '=', enrollmentId),
);

/** The compare-and-set of `advanceCounter` (CC-01): only a higher step than the last one used. */
export const ADVANCE_COUNTER = new CompiledStatement(
  3,
  (db, enrollmentId: string, counter: number, now: number) =>
    db
      .updateTable('factorkit_enrollments')
      .set({ counter, last_used_at: now })
      .where('id', '=', enrollmentId)
      .where((eb) => eb.or([eb('counter', 'is', null), eb('counter', '<', counter)])),
);

/** PostgreSQL: the advance, then the generation under the generation row's lock (see sign-in-reads.ts). */
export const ADVANCE_READING_GENERATION = new CompiledStatement(
  4,
  (db, enrollmentId: string, userId: string, counter: number, now: number) =>
    db
      .with('advanced', (db) =>
        db
          .updateTable('factorkit_enrollments')
          .set({ counter, last_used_at: now })
          .where('id', '=', enrollmentId)
          .where((eb) => eb.or([eb('counter', 'is', null), eb('counter', '<', counter)]))
          .returning('id'),
      )
      // The upsert reads from the advance, so PostgreSQL runs the advance first: the enrollment
      // row is locked before the generation row, in the order a removal takes them (delete,
      // then raise). The other order deadlocked against a removal in flight.
      .with('advancedCount', (db) =>
        db.selectFrom('advanced').select((c) => c.fn.countAll<number | string>().as('n')),
      )
      .with('current', (db) =>
        db
          .insertInto('factorkit_user_generations')
          .columns(['user_id', 'generation'])
          .expression((eb) =>
            eb
              .selectFrom('advancedCount')
              .select([sql<string>`${userId}`.as('user_id'), sql<number>`0`.as('generation')]),
          )
          .onConflict((oc) =>
            oc.column('user_id').doUpdateSet({
              generation: sql<number>`factorkit_user_generations.generation`,
            }),
          )
          .returning('generation'),
      )
      .selectFrom('current')
      .select((eb) => [
        'current.generation',
        eb.selectFrom('advancedCount').select('advancedCount.n').as('advanced'),
      ]),
);

/** The enrollment columns of a joined row, apart from the pending record's. */
const ENROLLMENT_COLUMNS = [
  'e.id as e_id',
  'e.user_id as e_user_id',
  'e.provider_id as e_provider_id',
  'e.label as e_label',
  'e.secret as e_secret',
  'e.counter as e_counter',
  'e.created_at as e_created_at',
  'e.last_used_at as e_last_used_at',
  'e.lookup_key as e_lookup_key',
] as const;

/** PostgreSQL: `take` (DELETE ... RETURNING, DU-09) and the enrollment it names, one statement. */
export const TAKE_WITH_ENROLLMENT = new CompiledStatement(
  3,
  (db, id: string, userId: string, kind: PendingKind) =>
    db
      .with('taken', (db) =>
        db
          .deleteFrom('factorkit_pending')
          .where('id', '=', id)
          .where('user_id', '=', userId)
          .where('kind', '=', kind)
          .returningAll(),
      )
      .selectFrom('taken')
      .leftJoin('factorkit_enrollments as e', 'e.id', 'taken.enrollment_id')
      .selectAll('taken')
      .select(ENROLLMENT_COLUMNS),
);
