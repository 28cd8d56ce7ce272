/**
 * The audit log's filters, read from the query string (a GET form: the filtered view is a link).
 * Each bad value gets its own message by its field, and the others are kept as typed; a filter
 * with an error is never silently dropped (the admin would read an unfiltered log as filtered).
 */
import type { Portal } from '../../portal.js';
import { textField } from '../form.js';

/** What the form shows back: the values as typed. */
export interface AuditFilterInput {
  readonly user: string;
  readonly type: string;
  readonly from: string;
  readonly to: string;
  readonly before: string;
}

/** The checked filters, as the query needs them. */
export interface AuditFilter {
  readonly userId?: string;
  readonly type?: string;
  /** Epoch ms, inclusive. */
  readonly fromMs?: number;
  /** Epoch ms, exclusive (the start of the day after the "to" date). */
  readonly untilMs?: number;
  /** Keyset cursor: rows older than this one. */
  readonly before?: { at: number; id: number };
}

export type FilterErrors = Partial<Record<keyof AuditFilterInput, string>>;

export type CheckedFilters =
  | { ok: true; input: AuditFilterInput; filter: AuditFilter }
  | { ok: false; input: AuditFilterInput; errors: FilterErrors };

const DAY_MS = 86_400_000;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const CURSOR = /^(\d{1,16})-(\d{1,16})$/;

/** A `YYYY-MM-DD` that is a real day, as the UTC midnight starting it; undefined otherwise. */
export function utcDay(value: string): number | undefined {
  const m = DATE.exec(value);
  if (!m) return undefined;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  // Date.UTC rolls 2026-02-31 over to March: a day that does not round-trip does not exist.
  return new Date(ms).toISOString().slice(0, 10) === value ? ms : undefined;
}

export function cursorOf(row: { at: number; id: number }): string {
  return `${row.at}-${row.id}`;
}

export function readFilterInput(query: unknown): AuditFilterInput {
  const get = (name: string, max: number) => textField(query, name).trim().slice(0, max);
  return {
    user: get('user', 254),
    type: get('type', 64),
    from: get('from', 32),
    to: get('to', 32),
    before: get('before', 40),
  };
}

export async function checkFilters(
  portal: Portal,
  input: AuditFilterInput,
  knownTypes: readonly string[],
): Promise<CheckedFilters> {
  const errors: FilterErrors = {};
  const filter: { -readonly [K in keyof AuditFilter]: AuditFilter[K] } = {};
  if (input.user !== '') {
    const user = await portal.users.byEmail(input.user);
    if (user) filter.userId = user.id;
    else errors.user = `No user has the email address “${input.user}”.`;
  }
  if (input.type !== '') {
    if (knownTypes.includes(input.type)) filter.type = input.type;
    else errors.type = 'Choose an event type from the list.';
  }
  if (input.from !== '') {
    const from = utcDay(input.from);
    if (from === undefined) errors.from = 'Enter the start date as YYYY-MM-DD (a UTC day).';
    else filter.fromMs = from;
  }
  if (input.to !== '') {
    const to = utcDay(input.to);
    if (to === undefined) errors.to = 'Enter the end date as YYYY-MM-DD (a UTC day).';
    else if (filter.fromMs !== undefined && to < filter.fromMs)
      errors.to = 'The end date is before the start date.';
    else filter.untilMs = to + DAY_MS;
  }
  if (input.before !== '') {
    const m = CURSOR.exec(input.before);
    if (m) filter.before = { at: Number(m[1]), id: Number(m[2]) };
    else errors.before = 'That page link is not valid: start again from the newest events.';
  }
  return Object.keys(errors).length > 0
    ? { ok: false, input, errors }
    : { ok: true, input, filter };
}

/** The query string of these filters (for the "older" link and the CSV export). */
export function queryString(input: AuditFilterInput, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...input, before: '', ...extra }))
    if (v !== '') params.set(k, v);
  const s = params.toString();
  return s === '' ? '' : `?${s}`;
}
