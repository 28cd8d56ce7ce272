/**
 * Reads an import file into TOTP rows, each validated by the TOTP provider's own rules
 * (`totpImportInput`: algorithm, digits, period, a Base32 secret of at least 128 bits). A row that
 * fails is reported by line number and reason; the reason never contains the secret.
 */
import { ConfigValidationError, InvalidArgumentError } from '@factorkit/core';
import { parseOtpauthUri, totpImportInput, type TotpAlgorithm } from '@factorkit/provider-totp';
import { parse as parseCsv } from 'csv-parse/sync';

export type ImportFormat = 'otpauth' | 'authelia-csv';

export interface ImportRow {
  readonly line: number;
  readonly userId: string;
  readonly label: string | null;
  readonly secret: string;
  readonly algorithm: TotpAlgorithm;
  readonly digits: number;
  readonly period: number;
}

export interface RefusedRow {
  readonly line: number;
  readonly userId?: string;
  readonly reason: string;
}

export interface ParsedFile {
  readonly rows: ImportRow[];
  readonly refused: RefusedRow[];
}

/** The longest user id accepted; longer is almost surely a wrong column, not a real id. */
const MAX_USER_ID = 255;
const MAX_LABEL = 64;

/** Builds a row from raw fields, or the reason it is refused. */
export function validateRow(
  line: number,
  userId: string,
  label: string | null,
  fields: { secret: unknown; algorithm: unknown; digits: unknown; period: unknown },
): ImportRow | RefusedRow {
  if (userId.length === 0) return { line, reason: 'no user id' };
  if (userId.length > MAX_USER_ID || /[\s\p{Cc}]/u.test(userId))
    return { line, reason: `the user id must be 1 to ${MAX_USER_ID} characters without spaces` };
  const algorithm = typeof fields.algorithm === 'string' ? fields.algorithm.toUpperCase() : '';
  const digits = Number(fields.digits);
  const period = Number(fields.period);
  try {
    const input = totpImportInput(fields.secret, '', {
      algorithm: algorithm as TotpAlgorithm,
      digits,
      period,
    });
    const cleanLabel = label?.trim().slice(0, MAX_LABEL) || null;
    return {
      line,
      userId,
      label: cleanLabel,
      secret: input.secret,
      algorithm: input.algorithm,
      digits: input.digits,
      period: input.period,
    };
  } catch (err) {
    // The provider's issues name the field and the rule, never the secret's value.
    if (err instanceof ConfigValidationError)
      return { line, userId, reason: err.issues.map((i) => `${i.path} ${i.message}`).join('; ') };
    throw err;
  }
}

/**
 * One URI a line: `USER_ID otpauth://totp/...`, or the URI alone, when the account name of its
 * label is the user id. Blank lines and lines starting with `#` are skipped.
 */
export function parseOtpauthFile(text: string): ParsedFile {
  const rows: ImportRow[] = [];
  const refused: RefusedRow[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const parts = trimmed.split(/\s+/);
    if (parts.length > 2) {
      refused.push({ line, reason: 'expected "USER_ID otpauth://totp/..." or the URI alone' });
      return;
    }
    const uri = parts[parts.length - 1]!;
    let fields: ReturnType<typeof parseOtpauthUri>;
    try {
      fields = parseOtpauthUri(uri);
    } catch (err) {
      if (!(err instanceof InvalidArgumentError)) throw err;
      // otpauth's own message may quote the URI (and with it the secret): keep ours only.
      refused.push({ line, reason: err.message });
      return;
    }
    const userId = parts.length === 2 ? parts[0]! : fields.accountName;
    const r = validateRow(line, userId, fields.issuer || null, fields);
    (isRow(r) ? rows : refused).push(r as never);
  });
  return { rows, refused };
}

const AUTHELIA_REQUIRED = ['username', 'algorithm', 'digits', 'period', 'secret'] as const;

/**
 * Authelia's `authelia storage user totp export csv`: a header row naming the columns
 * (created_at, last_used_at, username, issuer, algorithm, digits, period, secret); read by name,
 * so their order does not matter. The username is the user id.
 */
export function parseAutheliaCsv(text: string): ParsedFile {
  type Parsed = { record: Record<string, string>; info: { lines: number } }[];
  let records: Parsed;
  try {
    records = parseCsv<Parsed[number]>(text, {
      columns: (header: string[]) => header.map((h) => h.trim().toLowerCase()),
      skip_empty_lines: true,
      trim: true,
      info: true,
    });
  } catch (err) {
    const where = (err as { lines?: number }).lines;
    return { rows: [], refused: [{ line: where ?? 1, reason: 'not a valid CSV file' }] };
  }
  const header = records[0] ? Object.keys(records[0].record) : [];
  const missing = AUTHELIA_REQUIRED.filter((c) => !header.includes(c));
  if (records.length > 0 && missing.length > 0)
    return { rows: [], refused: [{ line: 1, reason: `missing column(s): ${missing.join(', ')}` }] };
  const rows: ImportRow[] = [];
  const refused: RefusedRow[] = [];
  for (const { record, info } of records) {
    const r = validateRow(info.lines, record['username'] ?? '', record['issuer'] || null, {
      secret: record['secret'],
      algorithm: record['algorithm'],
      digits: record['digits'],
      period: record['period'],
    });
    (isRow(r) ? rows : refused).push(r as never);
  }
  return { rows, refused };
}

export function isRow(r: ImportRow | RefusedRow): r is ImportRow {
  return 'secret' in r;
}

/** The same user twice in one file is refused: which of the two secrets is right is unknowable. */
export function refuseDuplicates(parsed: ParsedFile): ParsedFile {
  const first = new Map<string, number>();
  const rows: ImportRow[] = [];
  const refused = [...parsed.refused];
  for (const r of parsed.rows) {
    const seen = first.get(r.userId);
    if (seen === undefined) {
      first.set(r.userId, r.line);
      rows.push(r);
    } else refused.push({ line: r.line, userId: r.userId, reason: `user also on line ${seen}` });
  }
  refused.sort((a, b) => a.line - b.line);
  return { rows, refused };
}
