/** `keys generate|rotate`: the encryption keys of stored secrets. */
import type { Command } from 'commander';
import { keysGenerate, keysRotate } from '../commands/keys.js';
import { action, count, standalone, wantsProgress } from './run.js';

export function registerKeys(program: Command): void {
  const keys = program.command('keys').description('the encryption keys of stored secrets');
  keys
    .command('generate')
    .description('print a new key for encryption.keys (to standard output only; keep it secret)')
    .option('--id <keyId>', 'the id the key will have in encryption.keys', 'k1')
    .action(standalone('keys generate', (o: { id: string }) => keysGenerate(o.id)));
  keys
    .command('rotate')
    .description(
      'move every stored secret to encryption.activeKeyId; safe to kill and run again; exit 1 when a row failed',
    )
    .option('--batch <n>', 'rows per page', count(1, 10_000), 100)
    .option('--pause-ms <ms>', 'wait between pages, to spare a busy database', count(0, 60_000), 0)
    .option(
      '--report <file>',
      'rewrite FILE (JSON, mode 0600) after every page: how far the run got',
    )
    .action(
      action(
        'keys rotate',
        true,
        (m, sql, o: { batch: number; pauseMs: number; report?: string }, cmd: Command) =>
          keysRotate(m, sql!, { ...o, progress: wantsProgress(cmd) }),
      ),
    );
}
