/** `duo plan-upgrade`: moving a Duo deployment from the legacy Auth API to the Universal Prompt. */
import type { Command } from 'commander';
import { duoPlanUpgrade, type PlanUpgradeOptions } from '../commands/duo.js';
import { action } from './run.js';

export function registerDuo(program: Command): void {
  const duo = program.command('duo').description('the Duo provider');
  duo
    .command('plan-upgrade')
    .description(
      'plan the move from the legacy Auth API to the Universal Prompt: explanation, validated settings, a live check of the new credentials; exit 1 when not ready (never prints a secret)',
    )
    .requiredOption('--client-id <id>', "the Web SDK application's Client ID")
    .requiredOption(
      '--client-secret-env <var>',
      'the environment variable holding its Client Secret (never the secret itself)',
    )
    .requiredOption('--redirect-url <url>', 'the https URL Duo sends users back to')
    .option('--api-host <host>', 'the API hostname (default: the legacy one)')
    .option('--no-check', 'validate only; do not call Duo')
    .action(
      action('duo plan-upgrade', false, (m, _s, o: PlanUpgradeOptions) => duoPlanUpgrade(m, o)),
    );
}
