/**
 * Pins how many statements (each one round trip) every step of a TOTP sign-in sends to
 * PostgreSQL, counted on the pg pool itself, BEGIN and COMMIT included. A change that adds a
 * round trip to the hot path fails here (issue 17: at most 3 / 3 / 4; they were 6 / 7 / 9).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import * as OTPAuth from 'otpauth';
import { createHarness, testUser } from '@factorkit/core/testing';
import { TotpProvider } from '@factorkit/provider-totp';
import { createSqlStores, type SqlStores } from '@factorkit/store-sql';
import { PG_URL, dropSchema, probeServers, uniqueName } from '../multi-instance/rig.js';

const server = await probeServers(false);

/** Each step's statements, in order: begin, complete with a wrong code, with the right code. */
const EXPECTED = { begin: 3, wrong: 3, right: 4 };

describe.skipIf(!server.ok)(`statements per sign-in step on PostgreSQL ${server.reason}`, () => {
  const schema = uniqueName('statements');
  const seen: string[] = [];
  let pool: pg.Pool;
  let sql: SqlStores;

  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: PG_URL, max: 2 });
    pool.on('connect', (client) => {
      const query = client.query.bind(client) as (...args: unknown[]) => unknown;
      (client as unknown as { query: (...args: unknown[]) => unknown }).query = (
        q: unknown,
        ...rest: unknown[]
      ) => {
        seen.push(typeof q === 'string' ? q : (q as { text: string }).text);
        return query(q, ...rest);
      };
    });
    sql = createSqlStores({ dialect: 'postgres', pool, schema });
    await sql.migrate();
  });
  afterAll(async () => {
    await pool?.end();
    await dropSchema(schema);
  });

  const take = () => seen.splice(0, seen.length);

  it('beginChallenge, a wrong code and the right code cost the pinned statements', async () => {
    const h = createHarness({ providers: [TotpProvider], stores: sql.stores });
    h.clock.set(1_800_000_000_000);
    const user = testUser();
    const a = await h.service.beginActivation(user, 'totp');
    const app = OTPAuth.URI.parse((a.prompt as { otpauthUri: string }).otpauthUri) as OTPAuth.TOTP;
    await h.service.completeActivation(
      a.activationId,
      user,
      app.generate({ timestamp: h.clock.now() }),
    );
    h.clock.advance(30_000);
    for (let round = 0; round < 2; round++) {
      take();
      const ch = await h.service.beginChallenge(user);
      const begin = take();
      const right = app.generate({ timestamp: h.clock.now() });
      const wrong = right === '000000' ? '111111' : '000000';
      await expect(h.service.completeChallenge(ch.challengeId, user, wrong)).rejects.toMatchObject({
        code: 'INVALID_CODE',
      });
      const wrongStep = take();
      await h.service.completeChallenge(ch.challengeId, user, right);
      const rightStep = take();
      const statements = [...begin, '--', ...wrongStep, '--', ...rightStep].join('\n');
      expect(
        { begin: begin.length, wrong: wrongStep.length, right: rightStep.length },
        statements,
      ).toEqual(EXPECTED);
      // No step opens a transaction of its own any more: reserve and create are one statement.
      expect([...begin, ...wrongStep, ...rightStep].filter((q) => /^begin$/i.test(q))).toEqual([]);
      h.clock.advance(30_000);
    }
  });
});
