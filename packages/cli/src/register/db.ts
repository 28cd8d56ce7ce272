/** `db migrate|status|purge`: the SQL store's schema and housekeeping. */
import type { Command } from 'commander';
import { dbMigrate, dbPurge, dbStatus } from '../commands/db.js';
import { action, days } from './run.js';

export function registerDb(program: Command): void {
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
    .description(
      'delete expired pending steps and security timeline entries older than --older-than',
    )
    .requiredOption('--older-than <days>', 'age in days of the timeline entries to delete', days)
    .action(
      action('db purge', true, (_m, sql, o: { olderThan: number }) => dbPurge(sql!, o.olderThan)),
    );
}
