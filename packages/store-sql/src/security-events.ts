import {
  TIMELINE_PURGE_BATCH,
  assertTimelineKeep,
  assertTimelinePurge,
  assertTimelineQuery,
  type SecurityEventDetail,
  type SecurityEventPage,
  type SecurityEventQuery,
  type SecurityEventRecord,
} from '@factorkit/core';
import { sql, type Kysely, type Selectable } from 'kysely';
import type { Migration } from 'kysely/migration';
import { lockUser, type SqlContext } from './context.js';
import type { SqlDialectName } from './migrations.js';
import { toNumber, type Database, type SecurityEventTable } from './schema.js';

const TABLE = 'factorkit_security_events';

/**
 * Migration 0008: the per-user security timeline (`SecurityTimelineStore`). Only a table and its
 * indexes are added: rows written by earlier versions are untouched. (user_id, at, id) serves a
 * page and the trim; (at) serves the operator's purge.
 */
export function securityTimelineMigration(
  dialect: SqlDialectName,
  schema: string | undefined,
): Migration {
  const on = (db: Kysely<unknown>) => (schema ? db.withSchema(schema) : db).schema;
  // Byte order for ids on every engine, so ties on `at` page the same everywhere.
  const idType = dialect === 'postgres' ? sql`text collate "C"` : sql`text`;
  return {
    async up(db) {
      const s = on(db);
      await s
        .createTable(TABLE)
        .addColumn('id', idType, (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('detail', 'text', (c) => c.notNull())
        .execute();
      await s
        .createIndex('factorkit_security_events_user_at_idx')
        .on(TABLE)
        .columns(['user_id', 'at', 'id'])
        .execute();
      await s.createIndex('factorkit_security_events_at_idx').on(TABLE).column('at').execute();
    },
    async down(db) {
      await on(db).dropTable(TABLE).ifExists().execute();
    },
  };
}

const DETAIL_KEYS = ['providerId', 'enrollmentId', 'deviceId', 'ip', 'userAgent', 'actor'] as const;

/** Only the known string fields come back, whatever the column holds. */
function readDetail(text: string): SecurityEventDetail {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return {};
  }
  if (typeof v !== 'object' || v === null) return {};
  const out: Record<string, string> = {};
  for (const key of DETAIL_KEYS) {
    const x = (v as Record<string, unknown>)[key];
    if (typeof x === 'string') out[key] = x;
  }
  return out;
}

function toEntry(r: Selectable<SecurityEventTable>): SecurityEventRecord {
  return {
    id: r.id,
    userId: r.user_id,
    type: r.type,
    at: toNumber(r.at),
    detail: readDetail(r.detail),
  };
}

/**
 * Insert, then delete the user's entries from the `keepPerUser + 1`-th newest on, in one
 * transaction under the user's lock: parallel appends on any number of instances never leave
 * more than `keepPerUser` entries.
 */
export async function appendSecurityEvent(
  ctx: SqlContext,
  entry: SecurityEventRecord,
  keepPerUser: number,
): Promise<void> {
  assertTimelineKeep(keepPerUser);
  await ctx.db.transaction().execute(async (trx) => {
    await lockUser(trx, ctx, entry.userId);
    await trx
      .insertInto(TABLE)
      .values({
        id: entry.id,
        user_id: entry.userId,
        type: entry.type,
        at: entry.at,
        detail: JSON.stringify(entry.detail),
      })
      .execute();
    const edge = await trx
      .selectFrom(TABLE)
      .select(['at', 'id'])
      .where('user_id', '=', entry.userId)
      .orderBy('at', 'desc')
      .orderBy('id', 'desc')
      .limit(1)
      .offset(keepPerUser)
      .executeTakeFirst();
    if (!edge) return;
    const at = toNumber(edge.at);
    await trx
      .deleteFrom(TABLE)
      .where('user_id', '=', entry.userId)
      .where((eb) =>
        eb.or([eb('at', '<', at), eb.and([eb('at', '=', at), eb('id', '<=', edge.id)])]),
      )
      .execute();
  });
}

export async function listSecurityEvents(
  db: Kysely<Database>,
  userId: string,
  query: SecurityEventQuery,
): Promise<SecurityEventPage> {
  assertTimelineQuery(query);
  const { before, limit } = query;
  let q = db.selectFrom(TABLE).selectAll().where('user_id', '=', userId);
  if (before) {
    q = q.where((eb) =>
      eb.or([
        eb('at', '<', before.at),
        eb.and([eb('at', '=', before.at), eb('id', '<', before.id)]),
      ]),
    );
  }
  // One more than asked tells whether a next page exists.
  const rows = await q
    .orderBy('at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit + 1)
    .execute();
  const events = rows.slice(0, limit).map(toEntry);
  const last = events[events.length - 1];
  return { events, next: rows.length > limit && last ? { at: last.at, id: last.id } : null };
}

/** A bounded batch: at most `TIMELINE_PURGE_BATCH` rows per call. */
export async function purgeSecurityEvents(
  db: Kysely<Database>,
  olderThan: number,
): Promise<number> {
  assertTimelinePurge(olderThan);
  const r = await db
    .deleteFrom(TABLE)
    .where('id', 'in', (eb) =>
      eb.selectFrom(TABLE).select('id').where('at', '<', olderThan).limit(TIMELINE_PURGE_BATCH),
    )
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}
