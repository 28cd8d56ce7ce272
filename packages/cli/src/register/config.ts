/** `config check|show|schema` and `health`: the deployment config and the providers it enables. */
import type { Command } from 'commander';
import { configCheck, configSchema, configShow } from '../commands/config.js';
import { healthCommand, service } from '../commands/service.js';
import { action } from './run.js';

export function registerConfig(program: Command): void {
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
}
