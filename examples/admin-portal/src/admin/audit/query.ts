/**
 * Reads portal_audit, newest first, one page at a time by keyset (time, then id) so paging
 * stays exact while new events arrive, and each row with the people it names.
 */
import type { Kysely } from 'kysely';
import type { PortalTables } from '../../db/tables.js';
import { emailsOf } from '../users/emails.js';
import type { AuditFilter } from './filters.js';

export interface AuditRow {
  readonly id: number;
  readonly at: number;
  readonly type: string;
  readonly userEmail: string;
  readonly userName: string;
  readonly actorEmail: string;
  readonly providerId: string;
  readonly ip: string;
  /** The stored event, parsed (core's events hold no secret). */
  readonly event: Record<string, unknown>;
}

/** The event types present in the log, for the filter's select. */
export async function eventTypes(db: Kysely<PortalTables>): Promise<string[]> {
  const rows = await db.selectFrom('portal_audit').select('type').distinct().execute();
  return rows.map((r) => r.type).sort();
}

function parse(detail: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(detail);
    return v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** Up to `limit` rows matching `filter`, newest first. */
export async function auditRows(
  db: Kysely<PortalTables>,
  filter: AuditFilter,
  limit: number,
): Promise<AuditRow[]> {
  let q = db.selectFrom('portal_audit').selectAll();
  if (filter.userId !== undefined) q = q.where('user_id', '=', filter.userId);
  if (filter.type !== undefined) q = q.where('type', '=', filter.type);
  if (filter.fromMs !== undefined) q = q.where('at', '>=', filter.fromMs);
  if (filter.untilMs !== undefined) q = q.where('at', '<', filter.untilMs);
  const before = filter.before;
  if (before !== undefined)
    q = q.where((eb) =>
      eb.or([
        eb('at', '<', before.at),
        eb.and([eb('at', '=', before.at), eb('id', '<', before.id)]),
      ]),
    );
  const rows = await q.orderBy('at', 'desc').orderBy('id', 'desc').limit(limit).execute();
  const people = await emailsOf(
    db,
    rows.flatMap((r) => [r.user_id, r.actor_id]),
  );
  // PostgreSQL's bigint comes back as a string: every number is made one here.
  return rows.map((r) => ({
    id: Number(r.id),
    at: Number(r.at),
    type: r.type,
    userEmail: r.user_id ? (people.get(r.user_id)?.email ?? r.user_id) : '',
    userName: r.user_id ? (people.get(r.user_id)?.name ?? '') : '',
    actorEmail: r.actor_id ? (people.get(r.actor_id)?.email ?? r.actor_id) : '',
    providerId: r.provider_id ?? '',
    ip: r.ip ?? '',
    event: parse(r.detail),
  }));
}
