/**
 * Reads the users of `enforce dry-run --users FILE`: CSV with a header naming `id` and `audience`
 * columns, or JSON lines of `{ "id": ..., "audience": ... }`. Every bad row is reported with its
 * line number, so the operator fixes the file rather than trusting a report that silently
 * counted fewer users.
 */
import { extname } from 'node:path';
import type { TwoFactorUser } from '@factorkit/core';
import { parse as parseCsv } from 'csv-parse/sync';

export type UsersFormat = 'csv' | 'jsonl';

export interface FileUser extends TwoFactorUser {
  readonly line: number;
}

export interface BadRow {
  readonly line: number;
  readonly reason: string;
}

export interface UsersFile {
  readonly users: FileUser[];
  readonly bad: BadRow[];
}

const MAX_USER_ID = 255;

/** `.csv` is CSV; anything else (`.jsonl`, `.ndjson`, no extension) is JSON lines. */
export function formatOf(file: string, given?: UsersFormat): UsersFormat {
  return given ?? (extname(file).toLowerCase() === '.csv' ? 'csv' : 'jsonl');
}

/** One row checked: an id core accepts, an audience the policy defines, not seen before. */
function checkRow(
  line: number,
  id: unknown,
  audience: unknown,
  audiences: readonly string[],
  seen: Map<string, number>,
): FileUser | BadRow {
  if (typeof id !== 'string' || id.length === 0) return { line, reason: 'no user id' };
  if (id.length > MAX_USER_ID || /[\s\p{Cc}]/u.test(id))
    return { line, reason: `the user id must be 1 to ${MAX_USER_ID} characters without spaces` };
  if (typeof audience !== 'string' || audience.length === 0)
    return { line, reason: `${id}: no audience` };
  if (!audiences.includes(audience))
    return {
      line,
      reason: `${id}: audience "${audience.slice(0, 32)}" is not in policy.audiences (${audiences.join(', ')})`,
    };
  // The same user twice would be counted twice.
  const key = JSON.stringify([id, audience]);
  const first = seen.get(key);
  if (first !== undefined) return { line, reason: `${id}: also on line ${first}` };
  seen.set(key, line);
  return { line, id, audience, username: id };
}

function parseJsonLines(text: string, audiences: readonly string[]): UsersFile {
  const users: FileUser[] = [];
  const bad: BadRow[] = [];
  const seen = new Map<string, number>();
  text
    .replace(/^\uFEFF/, '')
    .split('\n')
    .forEach((raw, i) => {
      const line = i + 1;
      if (raw.trim() === '') return;
      let o: unknown;
      try {
        o = JSON.parse(raw);
      } catch {
        bad.push({ line, reason: 'not a JSON line' });
        return;
      }
      if (typeof o !== 'object' || o === null || Array.isArray(o)) {
        bad.push({ line, reason: 'not a JSON object { "id": ..., "audience": ... }' });
        return;
      }
      const r = checkRow(
        line,
        (o as { id?: unknown }).id,
        (o as { audience?: unknown }).audience,
        audiences,
        seen,
      );
      if ('id' in r) users.push(r);
      else bad.push(r);
    });
  return { users, bad };
}

function parseCsvUsers(text: string, audiences: readonly string[]): UsersFile {
  type Parsed = { record: Record<string, string>; info: { lines: number } };
  let records: Parsed[];
  try {
    records = parseCsv<Parsed>(text, {
      columns: (header: string[]) => header.map((h) => h.trim().toLowerCase()),
      bom: true,
      skip_empty_lines: true,
      trim: true,
      info: true,
    });
  } catch (err) {
    const line = (err as { lines?: number }).lines ?? 1;
    return { users: [], bad: [{ line, reason: 'not a valid CSV file' }] };
  }
  const header = records[0] ? Object.keys(records[0].record) : [];
  const missing = ['id', 'audience'].filter((c) => !header.includes(c));
  if (records.length > 0 && missing.length > 0)
    return { users: [], bad: [{ line: 1, reason: `missing column(s): ${missing.join(', ')}` }] };
  const users: FileUser[] = [];
  const bad: BadRow[] = [];
  const seen = new Map<string, number>();
  for (const { record, info } of records) {
    const r = checkRow(info.lines, record['id'], record['audience'], audiences, seen);
    if ('id' in r) users.push(r);
    else bad.push(r);
  }
  return { users, bad };
}

export function parseUsersFile(
  text: string,
  format: UsersFormat,
  audiences: readonly string[],
): UsersFile {
  return format === 'csv' ? parseCsvUsers(text, audiences) : parseJsonLines(text, audiences);
}
