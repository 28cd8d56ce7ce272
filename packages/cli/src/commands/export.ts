/**
 * `export`: the enrollment inventory (no secrets) as JSON lines or CSV; with `--include-secrets`
 * the providers' enrollment data too, and then only encrypted to a passphrase (envelope.ts).
 */
import { writeFileSync } from 'node:fs';
import { CryptoRandomSource, SecretBox } from '@factorkit/core';
import type { SqlStores } from '@factorkit/store-sql';
import { loadDeployment, type LoadedModule } from '../load.js';
import { CliError, EXIT } from '../output.js';
import type { Progress } from '../progress.js';
import { passphraseFrom, seal } from '../import/envelope.js';
import { enrollmentContext } from '../import/sealing.js';

export interface ExportOptions {
  format: 'jsonl' | 'csv';
  includeSecrets?: boolean;
  passphraseEnv?: string;
  out?: string;
}

interface InventoryRow {
  userId: string;
  providerId: string;
  enrollmentId: string;
  label: string | null;
  createdAt: string;
  lastUsedAt: string | null;
  data?: unknown;
}

const PAGE = 500;
const CSV_COLUMNS = [
  'userId',
  'providerId',
  'enrollmentId',
  'label',
  'createdAt',
  'lastUsedAt',
] as const;

async function* inventory(sql: SqlStores) {
  // Keyset pages by id: a bounded memory use however many enrollments there are.
  let after = '';
  for (;;) {
    const page = await sql.db
      .selectFrom('factorkit_enrollments')
      .selectAll()
      .where('id', '>', after)
      .orderBy('id')
      .limit(PAGE)
      .execute();
    yield* page;
    if (page.length < PAGE) return;
    after = page[page.length - 1]!.id;
  }
}

function csvCell(value: string | null): string {
  if (value === null) return '';
  // A leading = + - @ would be a formula in a spreadsheet (CSV injection): quote and prefix it.
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

async function countEnrollments(sql: SqlStores): Promise<number> {
  const row = await sql.db
    .selectFrom('factorkit_enrollments')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function exportCommand(
  m: LoadedModule,
  sql: SqlStores,
  o: ExportOptions,
  /** A bar over the rows read; only asked for on a terminal (the count costs a query). */
  startProgress: ((total: number) => Progress) | undefined,
) {
  let passphrase: string | undefined;
  if (o.includeSecrets) {
    passphrase = passphraseFrom(o.passphraseEnv, '--include-secrets');
    if (!o.out)
      throw new CliError(
        'OUT_REQUIRED',
        '--include-secrets needs --out FILE (the output is binary)',
        EXIT.usage,
      );
    if (o.format !== 'jsonl')
      throw new CliError(
        'FORMAT_UNSUPPORTED',
        '--include-secrets writes JSON lines only',
        EXIT.usage,
      );
  }
  const box = o.includeSecrets
    ? new SecretBox(loadDeployment(m).encryption, new CryptoRandomSource())
    : undefined;
  const rows: InventoryRow[] = [];
  const bar = startProgress ? startProgress(await countEnrollments(sql)) : undefined;
  try {
    for await (const r of inventory(sql)) {
      const row: InventoryRow = {
        userId: r.user_id,
        providerId: r.provider_id,
        enrollmentId: r.id,
        label: r.label,
        createdAt: new Date(Number(r.created_at)).toISOString(),
        lastUsedAt: r.last_used_at === null ? null : new Date(Number(r.last_used_at)).toISOString(),
      };
      if (box) {
        const shell = { id: r.id, userId: r.user_id, providerId: r.provider_id };
        row.data = JSON.parse(box.open(r.secret, enrollmentContext(shell))) as unknown;
      }
      rows.push(row);
      bar?.increment();
    }
  } finally {
    bar?.stop();
  }
  const body =
    o.format === 'csv'
      ? [
          CSV_COLUMNS.join(','),
          ...rows.map((r) => CSV_COLUMNS.map((c) => csvCell(r[c])).join(',')),
        ].join('\n')
      : rows.map((r) => JSON.stringify(r)).join('\n');
  const text = body.length > 0 ? `${body}\n` : '';
  if (o.out) {
    writeFileSync(o.out, passphrase ? seal(text, passphrase) : text, { mode: 0o600 });
    return {
      result: { file: o.out, enrollments: rows.length, encrypted: passphrase !== undefined },
      text: `wrote ${rows.length} enrollment(s) of ${new Set(rows.map((r) => r.userId)).size} user(s) to ${o.out}${passphrase ? ' (encrypted, with secrets)' : ', no secrets'}`,
    };
  }
  const users = new Set(rows.map((r) => r.userId)).size;
  return {
    result: { enrollments: rows },
    text: text.replace(/\n$/, ''),
    note: `exported ${rows.length} enrollment(s) of ${users} user(s), no secrets`,
  };
}
