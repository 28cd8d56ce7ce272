import type { TrustDeviceInput, TrustDeviceResult, TrustedDeviceRecord } from '@factorkit/core';
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { Migration } from 'kysely/migration';
import { lockUser, type SqlContext } from './context.js';
import type { SqlDialectName } from './migrations.js';
import { toNullableNumber, toNumber, type Database, type TrustedDeviceTable } from './schema.js';
import { raiseGeneration, readGeneration } from './user-generations.js';

/**
 * Remembered devices (SECURITY.md FL-09..FL-11): one row per device, holding the SHA-256 of its
 * token, never the token. Only a table is added: rows written by earlier versions are untouched.
 */
export function trustedDevicesMigration(
  dialect: SqlDialectName,
  schema: string | undefined,
): Migration {
  // Byte-wise ids, as for enrollments, so ties in the least-recently-used order break alike.
  const idType = dialect === 'postgres' ? sql`text collate "C"` : sql`text`;
  const on = (db: Kysely<unknown>) => (schema ? db.withSchema(schema) : db).schema;
  return {
    async up(db) {
      await on(db)
        .createTable('factorkit_trusted_devices')
        .addColumn('id', idType, (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('label', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('last_used_at', 'bigint')
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        // The user's generation when trusted: a reset by any version of factorkit ends it.
        .addColumn('generation', 'bigint', (c) => c.notNull())
        .execute();
      await on(db)
        .createIndex('factorkit_trusted_devices_user_idx')
        .on('factorkit_trusted_devices')
        .column('user_id')
        .execute();
    },
    async down(db) {
      await on(db).dropTable('factorkit_trusted_devices').ifExists().execute();
    },
  };
}

function toDevice(r: Selectable<TrustedDeviceTable>): TrustedDeviceRecord {
  return {
    id: r.id,
    userId: r.user_id,
    tokenHash: r.token_hash,
    label: r.label,
    createdAt: toNumber(r.created_at),
    lastUsedAt: toNullableNumber(r.last_used_at),
    expiresAt: toNumber(r.expires_at),
    generation: toNumber(r.generation),
  };
}

/**
 * Under the user lock that removals and resets take too: the factor check, the generation check,
 * the insert and the trim to `limit` are one decision, so parallel trusts on any number of
 * instances never leave more than `limit`, and none lands after a reset.
 */
export function trustDevice(ctx: SqlContext, input: TrustDeviceInput): Promise<TrustDeviceResult> {
  const d = input.device;
  return ctx.db.transaction().execute(async (trx) => {
    await lockUser(trx, ctx, d.userId);
    const factor = await trx
      .selectFrom('factorkit_enrollments')
      .select('id')
      .where('user_id', '=', d.userId)
      .limit(1)
      .executeTakeFirst();
    if (!factor) return 'no-factor';
    if ((await readGeneration(trx, d.userId)) !== input.generation) return 'generation-changed';
    await trx
      .insertInto('factorkit_trusted_devices')
      .values({
        id: d.id,
        user_id: d.userId,
        token_hash: d.tokenHash,
        label: d.label,
        created_at: d.createdAt,
        last_used_at: d.lastUsedAt,
        expires_at: d.expiresAt,
        generation: input.generation,
      })
      .execute();
    const mine = await trx
      .selectFrom('factorkit_trusted_devices')
      .select('id')
      .where('user_id', '=', d.userId)
      .orderBy(sql`coalesce(last_used_at, created_at)`)
      .orderBy('id')
      .execute();
    const excess = mine.slice(0, Math.max(0, mine.length - input.limit)).map((r) => r.id);
    if (excess.length > 0)
      await trx.deleteFrom('factorkit_trusted_devices').where('id', 'in', excess).execute();
    return 'trusted';
  });
}

/**
 * One conditional UPDATE decides a use: it either runs before a racing revocation's DELETE (the
 * use finished first) or finds no row. An expired row of the user is deleted afterwards.
 */
export async function useTrustedDevice(
  db: Kysely<Database>,
  userId: string,
  tokenHash: string,
  now: number,
): Promise<TrustedDeviceRecord | null> {
  const used = await db
    .updateTable('factorkit_trusted_devices')
    .set({ last_used_at: now })
    .where('user_id', '=', userId)
    .where('token_hash', '=', tokenHash)
    .where('expires_at', '>', now)
    // Still the user's generation: a removal or reset by a store that deletes no device (an
    // earlier version during a rolling upgrade) ends the device all the same.
    .where('generation', '=', (eb) =>
      eb.fn.coalesce(
        eb
          .selectFrom('factorkit_user_generations')
          .select('generation')
          .where('user_id', '=', userId),
        eb.lit(0),
      ),
    )
    .returningAll()
    .executeTakeFirst();
  if (used) return toDevice(used);
  await db
    .deleteFrom('factorkit_trusted_devices')
    .where('user_id', '=', userId)
    .where('token_hash', '=', tokenHash)
    .where('expires_at', '<=', now)
    .execute();
  return null;
}

export async function listTrustedDevices(
  db: Kysely<Database>,
  userId: string,
): Promise<TrustedDeviceRecord[]> {
  const rows = await db
    .selectFrom('factorkit_trusted_devices')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  return rows.map(toDevice);
}

export async function revokeTrustedDevice(
  db: Kysely<Database>,
  userId: string,
  deviceId: string,
): Promise<boolean> {
  const r = await db
    .deleteFrom('factorkit_trusted_devices')
    .where('user_id', '=', userId)
    .where('id', '=', deviceId)
    .executeTakeFirst();
  return Number(r.numDeletedRows) === 1;
}

/**
 * Every device of the user gone and their generation raised, under the user lock: a trust begun
 * before (its generation read earlier) is refused after this.
 */
export function revokeTrustedDevices(ctx: SqlContext, userId: string): Promise<number> {
  return ctx.db.transaction().execute(async (trx) => {
    await lockUser(trx, ctx, userId);
    const n = await deleteTrustedDevices(trx, userId);
    await raiseGeneration(trx, userId);
    return n;
  });
}

/** The step inside `remove`, `removeAllForUser` and `revokeTrustedDevices` (their transaction). */
export async function deleteTrustedDevices(
  db: Kysely<Database> | Transaction<Database>,
  userId: string,
): Promise<number> {
  const r = await db
    .deleteFrom('factorkit_trusted_devices')
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}
