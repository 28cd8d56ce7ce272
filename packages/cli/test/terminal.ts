/**
 * Runs the built binary on a pseudo-terminal (util-linux `script`), as an operator at a shell
 * does, so the progress bars that only a terminal gets can be seen. stdout and stderr arrive
 * mixed, as on a screen.
 */
import { spawnSync } from 'node:child_process';
import { BIN, type Workspace } from './workspace.js';

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export function runOnTerminal(
  ws: Workspace,
  ...args: string[]
): { code: number | null; screen: string } {
  const command = [process.execPath, BIN, ...args].map(quote).join(' ');
  const r = spawnSync('script', ['-qefc', command, '/dev/null'], {
    cwd: ws.dir,
    encoding: 'utf8',
    env: { ...process.env, FACTORKIT_CLI_TEST_KEY: ws.key, NO_COLOR: '1', COLUMNS: '120' },
    timeout: 30_000,
  });
  return { code: r.status, screen: r.stdout };
}
