/**
 * Statements compiled once per store (issue 17) run with each call's own values, and a
 * statement whose builder does not bind every argument as a value is refused, never run.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createSqlStores, type SqlStores } from '../src/index.js';
import { CompiledStatement } from '../src/compiled-statements.js';

const GENERATION = new CompiledStatement(1, (db, userId: string) =>
  db.selectFrom('factorkit_user_generations').select('generation').where('user_id', '=', userId),
);

let open: SqlStores | undefined;
afterEach(async () => {
  await open?.close();
  open = undefined;
});

async function sqlite(): Promise<SqlStores> {
  open = createSqlStores({ dialect: 'sqlite', filename: ':memory:' });
  await open.migrate();
  await open.db
    .insertInto('factorkit_user_generations')
    .values([
      { user_id: 'alice', generation: 3 },
      { user_id: 'bob', generation: 7 },
    ])
    .execute();
  return open;
}

describe('CompiledStatement', () => {
  it("runs the builder's SQL with each call's values", async () => {
    const { db } = await sqlite();
    expect(await GENERATION.first(db, 'alice')).toEqual({ generation: 3 });
    expect(await GENERATION.first(db, 'bob')).toEqual({ generation: 7 });
    expect(await GENERATION.first(db, 'carol')).toBeUndefined();
    // An argument that looks like SQL is still only a value.
    expect(await GENERATION.rows(db, "alice' or '1'='1")).toEqual([]);
  });

  it('refuses a builder that inlines an argument instead of binding it', async () => {
    const { db } = await sqlite();
    const inlined = new CompiledStatement(1, (db, userId: string) =>
      db
        .selectFrom('factorkit_user_generations')
        .select('generation')
        .where(sql<boolean>`user_id = ${sql.lit(String(userId))}`),
    );
    await expect(inlined.rows(db, 'alice')).rejects.toThrow(/does not bind every argument/);
  });
});
