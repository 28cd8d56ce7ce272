#!/usr/bin/env node
/** The `factorkit` command: every command prints text, or one JSON object with `--json`. */
import { userInfo } from 'node:os';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { FactorkitError } from '@factorkit/core';
import type { SqlStores } from '@factorkit/store-sql';
import { configCheck, configSchema, configShow } from './commands/config.js';
import { dbMigrate, dbPurge, dbStatus } from './commands/db.js';
import { exportCommand, type ExportOptions } from './commands/export.js';
import { importCommand, type ImportOptions } from './commands/import.js';
import { keysGenerate, keysRotate } from './commands/keys.js';
import {
  cliUser,
  healthCommand,
  service,
  userReset,
  userStatus,
  userUnlock,
} from './commands/service.js';
import { loadCliModule, openStore, storeUnreachable, type LoadedModule } from './load.js';
import { CliError, EXIT, reporter } from './output.js';

interface Outcome {
  result: unknown;
  text: string;
  /** False when the command ran but its check failed (exit 1). */
  passed?: boolean;
}

interface Globals {
  config?: string;
  json?: boolean;
}

const program = new Command('factorkit')
  .description('Operate a factorkit deployment: config, provider health, users and the database.')
  .option(
    '-c, --config <file>',
    'the factorkit.config.mjs to load (default: the one in this folder)',
  )
  .option('--json', 'print one JSON object: { ok, command, result } or { ok, command, error }')
  .exitOverride()
  .configureOutput({ writeErr: (s) => process.stderr.write(s) });

let exitCode: number = EXIT.ok;

/** Runs one command: loads the config module, maybe the store, and reports what happened. */
function action<A extends unknown[]>(
  name: string,
  needsStore: boolean,
  run: (m: LoadedModule, sql: SqlStores | undefined, ...args: A) => Promise<Outcome> | Outcome,
) {
  return async (...args: unknown[]) => {
    const cmd = args[args.length - 1] as Command;
    const globals = cmd.optsWithGlobals<Globals>();
    const out = reporter(globals.json === true);
    let sql: SqlStores | undefined;
    try {
      const m = await loadCliModule(globals.config);
      if (needsStore) sql = await openStore(m);
      const o = await run(m, sql, ...(args.slice(0, -1) as A));
      out.result(name, o.result, o.text);
      exitCode = o.passed === false ? EXIT.checkFailed : EXIT.ok;
    } catch (err) {
      const e = asCliError(err);
      out.error(name, e);
      exitCode = e.exitCode;
    } finally {
      await sql?.close().catch(() => undefined);
    }
  };
}

function asCliError(err: unknown): CliError {
  if (err instanceof CliError) return err;
  if (err instanceof FactorkitError && err.code === 'STORE_UNAVAILABLE')
    return storeUnreachable(err.cause ?? err);
  if (err instanceof FactorkitError) return new CliError(err.code, err.message, EXIT.refused);
  // A driver error from the store (connection refused, missing table): no stack trace.
  return storeUnreachable(err);
}

const config = program.command('config').description('the deployment config');
config
  .command('check [file]')
  .description('validate the deployment config (or FILE); exit 1 with every problem and its path')
  .action(action('config check', false, (m, _s, file?: string) => configCheck(m, file)));
config
  .command('show')
  .description('print the validated config with every secret masked')
  .action(action('config show', false, (m) => configShow(m)));
config
  .command('schema <provider>')
  .description("print the JSON Schema of a provider's settings")
  .action(action('config schema', false, (m, _s, id: string) => configSchema(m, id)));

program
  .command('health')
  .description("each enabled provider's health; exit 1 when one is unhealthy")
  .action(
    action('health', true, async (m, sql) => {
      const h = await healthCommand(service(m, sql!));
      return { ...h, passed: h.healthy };
    }),
  );

const users = program.command('users').description("one user's two-factor state");
const audience = () => new Option('-a, --audience <name>', "the user's audience").default('client');
const reason = () =>
  new Option(
    '-r, --reason <text>',
    'why (3 to 500 characters, kept in the audit trail)',
  ).makeOptionMandatory();
const actor = () =>
  new Option('--actor <id>', 'the administrator acting').default(`cli:${safeUserName()}`);
users
  .command('status <id>')
  .description('next step, enrollments, lock state and recovery codes (changes nothing)')
  .addOption(audience())
  .action(
    action('users status', true, (m, sql, id: string, o: { audience: string }) =>
      userStatus(service(m, sql!), cliUser(m, id, o.audience)),
    ),
  );
users
  .command('reset <id>')
  .description("remove all of a user's factors, codes, devices and failures (lost device)")
  .addOption(audience())
  .addOption(reason())
  .addOption(actor())
  .action(
    action(
      'users reset',
      true,
      (m, sql, id: string, o: { audience: string; reason: string; actor: string }) =>
        userReset(service(m, sql!), cliUser(m, id, o.audience), o.actor, o.reason),
    ),
  );
users
  .command('unlock <id>')
  .description('lift a lock without removing any factor')
  .addOption(audience())
  .addOption(reason())
  .addOption(actor())
  .action(
    action(
      'users unlock',
      true,
      (m, sql, id: string, o: { audience: string; reason: string; actor: string }) =>
        userUnlock(service(m, sql!), cliUser(m, id, o.audience), o.actor, o.reason),
    ),
  );

const db = program.command('db').description('the SQL store');
db.command('migrate')
  .description('apply pending migrations (idempotent)')
  .action(action('db migrate', true, (_m, sql) => dbMigrate(sql!)));
db.command('status')
  .description('applied and pending migrations; exit 1 when some are pending')
  .action(
    action('db status', true, async (_m, sql) => {
      const s = await dbStatus(sql!);
      return { ...s, passed: s.upToDate };
    }),
  );
db.command('purge')
  .description('delete expired pending steps and security timeline entries older than --older-than')
  .requiredOption('--older-than <days>', 'age in days of the timeline entries to delete', days)
  .action(
    action('db purge', true, (_m, sql, o: { olderThan: number }) => dbPurge(sql!, o.olderThan)),
  );

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
  .option('--skip-bad', 'import the valid rows and report the refused ones (default: import none)')
  .option('--encrypted', 'FILE is a factorkit export --include-secrets (needs --passphrase-env)')
  .option('--passphrase-env <var>', 'the environment variable holding the passphrase')
  .action(
    action('import', true, (m, sql, file: string, o: ImportOptions) =>
      importCommand(m, sql!, file, o),
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
  .action(action('export', true, (m, sql, o: ExportOptions) => exportCommand(m, sql!, o)));

const keys = program.command('keys').description('the encryption keys of stored secrets');
keys
  .command('generate')
  .description('print a new key for encryption.keys (to standard output only; keep it secret)')
  .option('--id <keyId>', 'the id the key will have in encryption.keys', 'k1')
  .action((o: { id: string }, cmd: Command) => {
    const out = reporter(cmd.optsWithGlobals<Globals>().json === true);
    try {
      const g = keysGenerate(o.id);
      out.result('keys generate', g.result, g.text);
    } catch (err) {
      const e = asCliError(err);
      out.error('keys generate', e);
      exitCode = e.exitCode;
    }
  });
keys
  .command('rotate')
  .description(
    'move every stored secret to encryption.activeKeyId; safe to kill and run again; exit 1 when a row failed',
  )
  .option('--batch <n>', 'rows per page', count(1, 10_000), 100)
  .option('--pause-ms <ms>', 'wait between pages, to spare a busy database', count(0, 60_000), 0)
  .option('--report <file>', 'rewrite FILE (JSON, mode 0600) after every page: how far the run got')
  .action(
    action('keys rotate', true, (m, sql, o: { batch: number; pauseMs: number; report?: string }) =>
      keysRotate(m, sql!, {
        ...o,
        progress: process.stderr.isTTY === true && program.opts<Globals>().json !== true,
      }),
    ),
  );

function count(min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(`must be a whole number from ${min} to ${max}`);
    return n;
  };
}

function days(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 36500)
    throw new InvalidArgumentError('must be a whole number of days, 1 to 36500');
  return n;
}

function safeUserName(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

try {
  await program.parseAsync(process.argv);
} catch (err) {
  // Commander has printed the usage problem (or the help / version) itself.
  if (err instanceof CommanderError) exitCode = err.exitCode === 0 ? EXIT.ok : EXIT.usage;
  else throw err;
}
process.exitCode = exitCode;
