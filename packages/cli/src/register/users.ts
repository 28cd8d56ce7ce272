/** `users list|status|reset|unlock`: the host's users, one user's two-factor state, and the admin actions on it. */
import { Option, type Command } from 'commander';
import { cliUser, service, userReset, userStatus, userUnlock } from '../commands/service.js';
import { usersList, type ListOptions } from '../commands/users-list.js';
import { progressBar } from '../progress.js';
import { action, safeUserName, wantsProgress } from './run.js';

const audience = () => new Option('-a, --audience <name>', "the user's audience").default('client');
const reason = () =>
  new Option(
    '-r, --reason <text>',
    'why (3 to 500 characters, kept in the audit trail)',
  ).makeOptionMandatory();
const actor = () =>
  new Option('--actor <id>', 'the administrator acting').default(`cli:${safeUserName()}`);

interface AdminOptions {
  audience: string;
  reason: string;
  actor: string;
}

export function registerUsers(program: Command): Command {
  const users = program.command('users').description("users' two-factor state");
  users
    .command('list')
    .description(
      "the host's users (its listUsers hook) and what each would get if 2FA were forced (changes nothing)",
    )
    .option(
      '--no-factor',
      'only the users forcing 2FA would block: no factor usable in their audience',
    )
    .option('-a, --audience <name>', 'only the users of this audience')
    .action(
      action('users list', true, (m, sql, o: ListOptions, cmd: Command) =>
        usersList(m, service(m, sql!), o, (total) =>
          progressBar(wantsProgress(cmd), total, 'users'),
        ),
      ),
    );
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
      action('users reset', true, (m, sql, id: string, o: AdminOptions) =>
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
      action('users unlock', true, (m, sql, id: string, o: AdminOptions) =>
        userUnlock(service(m, sql!), cliUser(m, id, o.audience), o.actor, o.reason),
      ),
    );
  return users;
}
