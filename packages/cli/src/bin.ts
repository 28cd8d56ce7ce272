#!/usr/bin/env node
/** The `factorkit` command: every command prints text, or one JSON object with `--json`. */
import { Command, CommanderError } from 'commander';
import { EXIT } from './output.js';
import { registerConfig } from './register/config.js';
import { registerDb } from './register/db.js';
import { registerDuo } from './register/duo.js';
import { registerEnforce } from './register/enforce.js';
import { registerKeys } from './register/keys.js';
import { exit } from './register/run.js';
import { registerTransfer } from './register/transfer.js';
import { registerUsers } from './register/users.js';

const program = new Command('factorkit')
  .description('Operate a factorkit deployment: config, provider health, users and the database.')
  .option(
    '-c, --config <file>',
    'the factorkit.config.mjs to load (default: the one in this folder)',
  )
  .option('--json', 'print one JSON object: { ok, command, result } or { ok, command, error }')
  .exitOverride()
  .configureOutput({ writeErr: (s) => process.stderr.write(s) });

registerConfig(program);
registerUsers(program);
registerEnforce(program);
registerDb(program);
registerTransfer(program);
registerKeys(program);
registerDuo(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  // Commander has printed the usage problem (or the help / version) itself.
  if (err instanceof CommanderError) exit.code = err.exitCode === 0 ? EXIT.ok : EXIT.usage;
  else throw err;
}
process.exitCode = exit.code;
