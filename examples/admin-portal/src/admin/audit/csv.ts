/**
 * The audit log as CSV (csv-stringify does the quoting), streamed page by page so a large log
 * never sits in memory whole.
 */
import { stringify } from 'csv-stringify';
import type { Response } from 'express';
import type { Kysely } from 'kysely';
import type { PortalTables } from '../../db/tables.js';
import { shortDetail } from './detail.js';
import type { AuditFilter } from './filters.js';
import { auditRows, type AuditRow } from './query.js';

const BATCH = 500;

const COLUMNS = [
  { key: 'time', header: 'Time (UTC)' },
  { key: 'event', header: 'Event' },
  { key: 'userEmail', header: 'User email' },
  { key: 'userName', header: 'User name' },
  { key: 'actorEmail', header: 'Actor email' },
  { key: 'provider', header: 'Provider' },
  { key: 'ip', header: 'IP address' },
  { key: 'detail', header: 'Detail' },
];

/**
 * CSV injection (OWASP "CSV Injection"): a spreadsheet runs a cell starting with = + - @ (or a
 * tab or carriage return hiding one) as a formula, so a user named `=HYPERLINK(...)` could act
 * in the admin's spreadsheet. Such a cell gets a leading single quote, which spreadsheets show
 * as text. csv-stringify quotes cells but does not do this: it is the file's meaning, not syntax.
 */
export function neutralise(cell: string): string {
  return /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
}

function record(r: AuditRow): Record<string, string> {
  const cells: Record<string, string> = {
    time: new Date(r.at).toISOString(),
    event: r.type,
    userEmail: r.userEmail,
    userName: r.userName,
    actorEmail: r.actorEmail,
    provider: r.providerId,
    ip: r.ip,
    detail: shortDetail(r.event),
  };
  for (const k of Object.keys(cells)) cells[k] = neutralise(cells[k]!);
  return cells;
}

export async function sendAuditCsv(
  db: Kysely<PortalTables>,
  filter: AuditFilter,
  res: Response,
  now: number,
): Promise<void> {
  const day = new Date(now).toISOString().slice(0, 10);
  res.status(200);
  res.setHeader('Content-Type', 'text/csv; charset=utf-8');
  res.setHeader('Content-Disposition', `attachment; filename="audit-log-${day}.csv"`);
  const csv = stringify({ header: true, columns: COLUMNS });
  csv.pipe(res);
  let before = filter.before;
  for (;;) {
    const rows = await auditRows(db, { ...filter, ...(before ? { before } : {}) }, BATCH);
    for (const r of rows) {
      // Waits when the browser reads slower than the database answers.
      if (!csv.write(record(r))) await new Promise((resolve) => csv.once('drain', resolve));
    }
    if (rows.length < BATCH) break;
    const last = rows[rows.length - 1]!;
    before = { at: last.at, id: last.id };
  }
  csv.end();
}
