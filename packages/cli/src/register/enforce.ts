/** `enforce dry-run`: what a policy change would do to a list of users, before making it. */
import { Option, type Command } from 'commander';
import { enforceDryRun, type DryRunOptions } from '../commands/enforce.js';
import { service } from '../commands/service.js';
import { progressBar } from '../progress.js';
import { action, wantsProgress } from './run.js';

const collect = (value: string, previous: string[]) => [...previous, value];

export function registerEnforce(program: Command): void {
  const enforce = program.command('enforce').description('previewing a policy change');
  enforce
    .command('dry-run')
    .description(
      "core's dryRunEnforcement over the users of a file: per audience, who would be challenged, made to enroll, given grace or refused (changes nothing)",
    )
    .requiredOption(
      '-u, --users <file>',
      'CSV with id and audience columns, or JSON lines of { id, audience }',
    )
    .addOption(
      new Option(
        '-f, --format <format>',
        'the users file format (default: csv for a .csv file, else jsonl)',
      ).choices(['csv', 'jsonl']),
    )
    .option('--force <audience>', 'preview forcing 2FA on this audience (repeatable)', collect, [])
    .option(
      '--next-config <file>',
      "a deployment config (e.g. the next release's) whose audience policies are the change to preview",
    )
    .option('--skip-bad', 'report on the valid rows and list the invalid ones (default: no report)')
    .action(
      action('enforce dry-run', true, (m, sql, o: DryRunOptions, cmd: Command) =>
        enforceDryRun(m, service(m, sql!), o, (total) =>
          progressBar(wantsProgress(cmd), total, 'users'),
        ),
      ),
    );
}
