/**
 * PostgreSQL: `advanceCounterReadingGeneration` serialises with a removal that is raising the
 * user's generation at that moment (EN-05). A transaction holding the raised generation,
 * uncommitted, makes the sign-in's statement wait, and the statement then reports the raised
 * generation (a plain read in the same statement would have used its snapshot and missed it).
 * Both when the removal writes the user's first generation row and when the row exists.
 */
import { afterAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { enrollment } from '../../core/src/testing/store-checks/fixtures.js';
import { openSqlStores, type SqlStores } from '../src/index.js';
import { PG_URL, dropSchema, probePostgres, uniqueSchema } from './servers.js';

const server = await probePostgres();
const opened: { s: SqlStores; schema: string }[] = [];
afterAll(async () => {
  for (const { s, schema } of opened) {
    await s.close();
    await dropSchema(schema);
  }
});

describe.skipIf(!server.ok)(`the generation read with the counter ${server.reason}`, () => {
  for (const first of [true, false]) {
    it(`waits for a removal in flight and sees its generation (${first ? "the user's first" : 'a later one'})`, async () => {
      const schema = uniqueSchema('genrace');
      const s = await openSqlStores({ dialect: 'postgres', connectionString: PG_URL, schema });
      opened.push({ s, schema });
      const e = enrollment({ userId: 'race-user', counter: 1 });
      await s.stores.enrollments.activate({ enrollment: e });
      if (!first) {
        // An earlier removal gives the user a generation row.
        const spare = enrollment({ userId: 'race-user', providerId: 'spare' });
        await s.stores.enrollments.activate({ enrollment: spare });
        await s.stores.enrollments.remove('race-user', spare.id);
      }
      const before = await s.stores.enrollments.generation('race-user');
      expect(before).toBe(first ? 0 : 1);
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      try {
        // The removal's raise, written as `raiseGeneration` writes it, held uncommitted.
        const table = `"${schema}".factorkit_user_generations`;
        await client.query('begin');
        await client.query(
          `insert into ${table} (user_id, generation) values ($1, 1)
           on conflict (user_id) do update set generation = ${table}.generation + 1`,
          ['race-user'],
        );
        let settled = false;
        const advancing = s.stores.enrollments
          .advanceCounterReadingGeneration(e.id, 'race-user', 2, 1)
          .finally(() => {
            settled = true;
          });
        await new Promise((r) => setTimeout(r, 300));
        expect(settled, 'the statement waits for the removal in flight').toBe(false);
        await client.query('commit');
        expect(await advancing).toEqual({ advanced: true, generation: before + 1 });
      } finally {
        await client.query('rollback').catch(() => undefined);
        await client.end();
      }
    });
  }

  it('a removal that deletes the factor first, then raises the generation, does not deadlock with it', async () => {
    const schema = uniqueSchema('genrace');
    const s = await openSqlStores({ dialect: 'postgres', connectionString: PG_URL, schema });
    opened.push({ s, schema });
    const e = enrollment({ userId: 'race-user', counter: 1 });
    await s.stores.enrollments.activate({ enrollment: e });
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    try {
      // The order `remove` writes in: the enrollment row first, the generation after.
      await client.query('begin');
      await client.query(`delete from "${schema}".factorkit_enrollments where id = $1`, [e.id]);
      const advancing = s.stores.enrollments.advanceCounterReadingGeneration(
        e.id,
        'race-user',
        2,
        1,
      );
      advancing.catch(() => undefined); // a deadlock is reported by the expectation below
      await new Promise((r) => setTimeout(r, 300));
      const table = `"${schema}".factorkit_user_generations`;
      await client.query(
        `insert into ${table} (user_id, generation) values ($1, 1)
         on conflict (user_id) do update set generation = ${table}.generation + 1`,
        ['race-user'],
      );
      await client.query('commit');
      // The sign-in comes after the removal: nothing advanced, and it sees the raised generation.
      expect(await advancing).toEqual({ advanced: false, generation: 1 });
    } finally {
      await client.query('rollback').catch(() => undefined);
      await client.end();
    }
  });
});
