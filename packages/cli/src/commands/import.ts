/**
 * `import FILE`: existing TOTP factors from otpauth:// URIs, Authelia's CSV export, or a
 * factorkit encrypted export. Every row is validated first; refused rows are reported by line
 * and nothing is written (unless `--skip-bad`); the rest go in one transaction.
 */
import { readFileSync } from 'node:fs';
import type { SqlStores } from '@factorkit/store-sql';
import { loadDeployment, type LoadedModule } from '../load.js';
import { CliError, EXIT } from '../output.js';
import type { Progress } from '../progress.js';
import { open, passphraseFrom } from '../import/envelope.js';
import {
  isRow,
  parseAutheliaCsv,
  parseOtpauthFile,
  refuseDuplicates,
  validateRow,
  type ImportFormat,
  type ImportRow,
  type ParsedFile,
  type RefusedRow,
} from '../import/rows.js';
import { TOTP_PROVIDER_ID } from '../import/sealing.js';
import { ImportConflict, planImport, writeImport } from '../import/write.js';

export interface ImportOptions {
  format: ImportFormat;
  dryRun?: boolean;
  replace?: boolean;
  skipBad?: boolean;
  encrypted?: boolean;
  passphraseEnv?: string;
}

function readInput(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new CliError('IMPORT_FILE_UNREADABLE', `cannot read ${file} (${code})`, EXIT.usage);
  }
}

/** The lines of a decrypted `export --include-secrets`: TOTP rows only (other data is not portable). */
function parseDecryptedExport(text: string): ParsedFile {
  const rows: ImportRow[] = [];
  const refused: RefusedRow[] = [];
  text.split('\n').forEach((raw, i) => {
    if (raw.trim() === '') return;
    const line = i + 1;
    let o: Record<string, unknown>;
    try {
      o = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      refused.push({ line, reason: 'not a JSON line' });
      return;
    }
    const userId = typeof o['userId'] === 'string' ? o['userId'] : '';
    if (o['providerId'] !== TOTP_PROVIDER_ID) {
      refused.push({ line, userId, reason: 'only TOTP factors can be imported' });
      return;
    }
    const data = (o['data'] ?? {}) as Record<string, unknown>;
    const label = typeof o['label'] === 'string' ? o['label'] : null;
    const r = validateRow(line, userId, label, {
      secret: data['secret'],
      algorithm: data['algorithm'],
      digits: data['digits'],
      period: data['period'],
    });
    (isRow(r) ? rows : refused).push(r as never);
  });
  return { rows, refused };
}

function parseInput(file: string, o: ImportOptions): ParsedFile {
  const bytes = readInput(file);
  if (o.encrypted)
    return parseDecryptedExport(open(bytes, passphraseFrom(o.passphraseEnv, '--encrypted')));
  const text = bytes.toString('utf8');
  return o.format === 'authelia-csv' ? parseAutheliaCsv(text) : parseOtpauthFile(text);
}

function refusedError(refused: readonly RefusedRow[], wrote: boolean): CliError {
  return new CliError(
    'IMPORT_REFUSED',
    `${refused.length} row(s) refused; ${wrote ? '' : 'nothing was written'}`.replace(/; $/, ''),
    EXIT.refused,
    refused.map((r) => ({
      path: `line ${r.line}`,
      message: r.userId ? `${r.userId}: ${r.reason}` : r.reason,
    })),
  );
}

export async function importCommand(
  m: LoadedModule,
  sql: SqlStores,
  file: string,
  o: ImportOptions,
  /** A bar over the rows written (a real import only: a dry run writes nothing). */
  startProgress: (total: number) => Progress,
) {
  const ring = loadDeployment(m).encryption;
  const parsed = refuseDuplicates(parseInput(file, o));
  const plan = await planImport(sql.db, parsed.rows, o.replace === true);
  const refused = [...parsed.refused, ...plan.refused].sort((a, b) => a.line - b.line);
  if (refused.length > 0 && !o.skipBad) throw refusedError(refused, false);
  const report = {
    dryRun: o.dryRun === true,
    users: plan.insert.map((r) => r.userId),
    replaced: plan.replace,
    refused: refused.map((r) => ({
      line: r.line,
      ...(r.userId ? { userId: r.userId } : {}),
      reason: r.reason,
    })),
  };
  // The refused rows first, the summary last: the line an operator reads at the prompt.
  const summary = (verb: string) =>
    [
      ...(refused.length > 0 ? ['refused:'] : []),
      ...refused.map((r) => `  line ${r.line}: ${r.userId ? `${r.userId}: ` : ''}${r.reason}`),
      `${verb} ${plan.insert.length} TOTP factor(s)${plan.replace.length ? ` (${plan.replace.length} replacing an existing one)` : ''}; ${refused.length} row(s) refused`,
    ].join('\n');
  if (o.dryRun) return { result: { ...report, imported: 0 }, text: summary('would import') };
  const bar = startProgress(plan.insert.length);
  try {
    const w = await writeImport(sql, ring, plan.insert, o.replace === true, () => bar.increment());
    bar.stop();
    return { result: { ...report, imported: w.inserted }, text: summary('imported') };
  } catch (err) {
    bar.stop();
    if (err instanceof ImportConflict) throw refusedError(err.refused, false);
    throw err;
  }
}
