import pg from 'pg';
import { describe, expect, it } from 'vitest';
import {
  EnrollmentConflictError,
  InvalidArgumentError,
  type EnrollmentRecord,
} from '@factorkit/core';
import { createSqlStores, MIGRATION_NAMES, type SqlTestHooks } from '../src/index.js';
import { PG_URL, dropSchema, probePostgres, uniqueSchema } from './servers.js';
import { openFresh, targets } from './targets.js';

const server = await probePostgres();
const NOW = 1_800_000_000_000;
let n = 0;

const enrollment = (o: Partial<EnrollmentRecord> = {}): EnrollmentRecord => ({
  id: `e${++n}`,
  userId: 'u1',
  providerId: 'p',
  label: null,
  secret: 's',
  counter: null,
  createdAt: NOW,
  lastUsedAt: null,
  ...o,
});

for (const t of targets) {
  describe.skipIf(t.skip)(`store-sql specifics on ${t.name}`, () => {
    it('keeps 64-bit values exact: counters past 2^32 and the permanent-lock sentinel (VEC-03)', async () => {
      const { s, cleanup } = await openFresh(t);
      try {
        const e = enrollment({ counter: 2 ** 40 });
        await s.stores.enrollments.activate({ enrollment: e });
        expect((await s.stores.enrollments.get(e.id))?.counter).toBe(2 ** 40);
        expect(await s.stores.enrollments.advanceCounter(e.id, Number.MAX_SAFE_INTEGER, NOW)).toBe(
          true,
        );
        expect((await s.stores.enrollments.get(e.id))?.counter).toBe(Number.MAX_SAFE_INTEGER);
        const schedule = {
          freeFailures: 0,
          baseDelayMs: 1,
          maxDelayMs: 1,
          lockAfter: 1,
          lockMs: 1,
          permanentAfter: 1,
        };
        expect(await s.stores.throttle.reserve('k', NOW, schedule)).toEqual({
          ok: true,
          failures: 1,
          previousBlockedUntil: 0,
        });
        expect(await s.stores.throttle.inspect('k')).toEqual({
          failures: 1,
          blockedUntil: Number.MAX_SAFE_INTEGER,
        });
      } finally {
        await cleanup();
      }
    });

    it('maps only the (user, provider) constraint to EnrollmentConflictError; an id collision is a different error', async () => {
      const { s, cleanup } = await openFresh(t);
      try {
        const e = enrollment();
        await s.stores.enrollments.activate({ enrollment: e, recoveryCodeHashes: ['h'] });
        const sameId = s.stores.enrollments.activate({ enrollment: { ...e, providerId: 'other' } });
        await expect(sameId).rejects.toThrow();
        await expect(sameId).rejects.not.toBeInstanceOf(EnrollmentConflictError);
        await expect(
          s.stores.enrollments.activate({ enrollment: enrollment() }),
        ).rejects.toBeInstanceOf(EnrollmentConflictError);
        // The failed activations rolled back whole: still one enrollment and one code.
        expect((await s.stores.enrollments.listByUser('u1')).length).toBe(1);
        expect(await s.stores.enrollments.countRecoveryCodes('u1')).toBe(1);
      } finally {
        await cleanup();
      }
    });

    it('an error inside the activation transaction rolls back the enrollment and its codes, and keeps the existing factor', async () => {
      const hooks: SqlTestHooks = {
        async insideActivation(e) {
          if (e.providerId === 'second')
            throw new Error('injected failure after the inserts, before the commit');
        },
      };
      const { s, cleanup } = await openFresh(t, { testHooks: hooks });
      try {
        const first = enrollment();
        await s.stores.enrollments.activate({ enrollment: first, recoveryCodeHashes: ['a', 'b'] });
        await s.stores.enrollments.consumeRecoveryCode('u1', 'a', NOW);
        await s.stores.enrollments.consumeRecoveryCode('u1', 'b', NOW);
        // No unused codes left: this activation would issue a new set; it fails before commit.
        await expect(
          s.stores.enrollments.activate({
            enrollment: enrollment({ providerId: 'second' }),
            recoveryCodeHashes: ['c'],
          }),
        ).rejects.toThrow(/injected/);
        expect((await s.stores.enrollments.listByUser('u1')).map((e) => e.id)).toEqual([first.id]);
        expect(await s.stores.enrollments.consumeRecoveryCode('u1', 'c', NOW)).toBe('not_found');
        expect(await s.stores.enrollments.consumeRecoveryCode('u1', 'a', NOW)).toBe('already_used');
      } finally {
        await cleanup();
      }
    });

    it('reserves racing resets never fail: the upsert holds the row, a reset cannot pull it out from under a reserve', async () => {
      const { s, cleanup } = await openFresh(t);
      try {
        const wide = {
          freeFailures: 1000,
          baseDelayMs: 1,
          maxDelayMs: 1,
          lockAfter: 1000,
          lockMs: 1,
          permanentAfter: 1000,
        };
        const ops = Array.from({ length: 120 }, (_, i) =>
          i % 3 === 2
            ? s.stores.throttle.reset('race').then(() => 'reset')
            : s.stores.throttle.reserve('race', NOW, wide).then((r) => (r.ok ? 'ok' : 'refused')),
        );
        const results = await Promise.allSettled(ops);
        expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
        expect(results.filter((r) => r.status === 'fulfilled' && r.value === 'ok').length).toBe(80);
      } finally {
        await cleanup();
      }
    });

    it('purgeExpired drops only records expired at the given time', async () => {
      const { s, cleanup } = await openFresh(t);
      try {
        const base = {
          kind: 'challenge' as const,
          userId: 'u1',
          providerId: 'p',
          payload: 'x',
          attempts: 0,
          createdAt: NOW,
        };
        await s.stores.pending.create({ ...base, id: 'old', expiresAt: NOW + 10 });
        await s.stores.pending.create({ ...base, id: 'new', expiresAt: NOW + 1000 });
        expect(await s.stores.pending.purgeExpired(NOW + 10)).toBe(1);
        expect(await s.stores.pending.peek('old')).toBeNull();
        expect(await s.stores.pending.peek('new')).toEqual({
          userId: 'u1',
          kind: 'challenge',
          expiresAt: NOW + 1000,
        });
      } finally {
        await cleanup();
      }
    });
  });
}

describe.skipIf(!server.ok)(`store-sql with a caller's pg.Pool ${server.reason}`, () => {
  it('uses the given pool and leaves it open on close() (the caller owns it)', async () => {
    const pool = new pg.Pool({ connectionString: PG_URL, max: 2 });
    const schema = uniqueSchema('pool');
    try {
      const s = createSqlStores({ dialect: 'postgres', pool, schema });
      expect(await s.migrate()).toEqual({ applied: [...MIGRATION_NAMES] });
      await s.stores.throttle.reserve('k', NOW, {
        freeFailures: 5,
        baseDelayMs: 1,
        maxDelayMs: 1,
        lockAfter: 5,
        lockMs: 1,
        permanentAfter: 5,
      });
      await s.close();
      const r = await pool.query<{ failures: number }>(
        `select failures from "${schema}".factorkit_throttle where key = 'k'`,
      );
      expect(r.rows).toEqual([{ failures: 1 }]);
    } finally {
      await pool.end();
      await dropSchema(schema);
    }
  });
});

describe('store-sql options', () => {
  it('rejects unusable options with a typed error', () => {
    expect(() => createSqlStores({ dialect: 'postgres' })).toThrow(InvalidArgumentError);
    expect(() =>
      createSqlStores({ dialect: 'postgres', connectionString: PG_URL, schema: 'x; drop table y' }),
    ).toThrow(InvalidArgumentError);
    expect(() => createSqlStores({ dialect: 'sqlite', filename: '' })).toThrow(
      InvalidArgumentError,
    );
    expect(() => createSqlStores({ dialect: 'mysql' } as never)).toThrow(InvalidArgumentError);
    for (const pendingGraceMs of [-1, 1.5, Number.NaN])
      expect(() =>
        createSqlStores({ dialect: 'sqlite', filename: ':memory:', pendingGraceMs }),
      ).toThrow(InvalidArgumentError);
  });
});
