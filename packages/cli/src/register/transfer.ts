/** `import` and `export`: TOTP factors in, the enrollment inventory out. */
import { Option, type Command } from 'commander';
import { exportCommand, type ExportOptions } from '../commands/export.js';
import { importCommand, type ImportOptions } from '../commands/import.js';
import { progressBar } from '../progress.js';
import { action, wantsProgress } from './run.js';

export function registerTransfer(program: Command): void {
  program
    .command('import <file>')
    .description(
      'import existing TOTP factors (otpauth:// URIs, Authelia CSV, or an encrypted export) in one transaction',
    )
    .addOption(
      new Option('-f, --format <format>', 'the file format')
        .choices(['otpauth', 'authelia-csv'])
        .default('otpauth'),
    )
    .option('--dry-run', 'validate and print what would happen; write nothing')
    .option('--replace', "replace a user's existing TOTP factor instead of refusing the row")
    .option(
      '--skip-bad',
      'import the valid rows and report the refused ones (default: import none)',
    )
    .option('--encrypted', 'FILE is a factorkit export --include-secrets (needs --passphrase-env)')
    .option('--passphrase-env <var>', 'the environment variable holding the passphrase')
    .action(
      action('import', true, (m, sql, file: string, o: ImportOptions, cmd: Command) =>
        importCommand(m, sql!, file, o, (total) => progressBar(wantsProgress(cmd), total, 'rows')),
      ),
    );

  program
    .command('export')
    .description('the enrollment inventory (no secrets unless --include-secrets, then encrypted)')
    .addOption(
      new Option('-f, --format <format>', 'the output format')
        .choices(['jsonl', 'csv'])
        .default('jsonl'),
    )
    .option('--include-secrets', 'include enrollment data, encrypted to a passphrase (needs --out)')
    .option('--passphrase-env <var>', 'the environment variable holding the passphrase')
    .option('-o, --out <file>', 'write to FILE (mode 0600) instead of standard output')
    .action(
      action('export', true, (m, sql, o: ExportOptions, cmd: Command) =>
        exportCommand(
          m,
          sql!,
          o,
          wantsProgress(cmd) ? (total) => progressBar(true, total, 'enrollments') : undefined,
        ),
      ),
    );
}
