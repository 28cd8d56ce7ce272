import { GenerationChangedError } from '@factorkit/core';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Migration } from 'kysely/migration';
import { toNumber, type Database } from './schema.js';

/**
 * Per-user generations (SECURITY.md EN-05): a removal or a reset raises the user's number in its
 * own transaction, and an activation commits only if the number is still the one it began with,
 * so nothing begun before a reset completes after it.
 */
export function userGenerationsMigration(schema: string | undefined): Migration {
  const on = (db: Kysely<unknown>) => (schema ? db.withSchema(schema) : db).schema;
  return {
    async up(db) {
      await on(db)
        .createTable('factorkit_user_generations')
        .addColumn('user_id', 'text', (c) => c.primaryKey())
        .addColumn('generation', 'bigint', (c) => c.notNull())
        .execute();
    },
    async down(db) {
      await on(db).dropTable('factorkit_user_generations').ifExists().execute();
    },
  };
}

type Db = Kysely<Database> | Transaction<Database>;

/** 0 for a user the store has never reset (no row). */
export async function readGeneration(db: Db, userId: string): Promise<number> {
  const row = await db
    .selectFrom('factorkit_user_generations')
    .select('generation')
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row ? toNumber(row.generation) : 0;
}

/** One upsert, inside the caller's transaction (under its user lock). */
export async function raiseGeneration(trx: Transaction<Database>, userId: string): Promise<void> {
  await trx
    .insertInto('factorkit_user_generations')
    .values({ user_id: userId, generation: 1 })
    // Qualified by the table name: the existing row, not the proposed one (EXCLUDED).
    .onConflict((oc) =>
      oc
        .column('user_id')
        .doUpdateSet({ generation: sql`factorkit_user_generations.generation + 1` }),
    )
    .execute();
}

/** Refuses the commit when the user's generation moved since the step began. */
export async function expectGeneration(
  trx: Transaction<Database>,
  userId: string,
  expected: number | undefined,
): Promise<void> {
  if (expected === undefined) return;
  if ((await readGeneration(trx, userId)) !== expected) throw new GenerationChangedError();
}
