/**
 * The progress bars and closing summaries of `import` and `export`, which walk every row: a bar
 * on a terminal only, never with --json, and one summary line at the end that says what was
 * done (on stderr for `export`, whose stdout is the inventory itself).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { targets } from './targets.js';
import { runOnTerminal } from './terminal.js';
import { newSecret } from './totp-signin.js';
import { workspace } from './workspace.js';

const pair = targets('fk_cli_xfer');
afterAll(() => pair.dropSchema());

const ROWS = 60;

describe.each(pair.targets)('import and export progress against $name (built binary)', (target) => {
  const ws = workspace(target.store);
  beforeAll(() => {
    expect(ws.run('db', 'migrate').code).toBe(0);
    const lines = Array.from(
      { length: ROWS },
      (_, i) => `u_${i} otpauth://totp/Old:u_${i}?secret=${newSecret()}&issuer=Old`,
    );
    // Two bad rows: with --skip-bad they are listed before the summary.
    ws.write(
      'factors.txt',
      [...lines, 'u_bad otpauth://totp/Old:x?secret=AAAA', 'garbage'].join('\n'),
    );
  });
  afterAll(() => ws.cleanup());

  it('import: a bar over the rows written on a terminal, the refused rows, then one summary line', () => {
    const dry = ws.run('import', 'factors.txt', '--skip-bad', '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stderr).toBe(''); // no terminal: no bar
    const lines = dry.stdout.trim().split('\n');
    expect(lines[0]).toBe('refused:');
    expect(lines.at(-1)).toBe(`would import ${ROWS} TOTP factor(s); 2 row(s) refused`);

    const onTerminal = runOnTerminal(ws, 'import', 'factors.txt', '--skip-bad');
    expect(onTerminal.code).toBe(0);
    expect(onTerminal.screen).toMatch(new RegExp(`100% \\| ${ROWS}/${ROWS} rows`));
    expect(onTerminal.screen.trim().split(/\r?\n/).at(-1)).toBe(
      `imported ${ROWS} TOTP factor(s); 2 row(s) refused`,
    );
  });

  it('export: a bar over the enrollments on a terminal; the summary on stderr, never in the data or with --json', () => {
    const plain = ws.run('export');
    expect(plain.code).toBe(0);
    expect(plain.stdout.trim().split('\n')).toHaveLength(ROWS);
    expect(plain.stderr).toBe(`exported ${ROWS} enrollment(s) of ${ROWS} user(s), no secrets\n`);

    const onTerminal = runOnTerminal(ws, 'export', '-f', 'csv');
    expect(onTerminal.code).toBe(0);
    expect(onTerminal.screen).toMatch(new RegExp(`100% \\| ${ROWS}/${ROWS} enrollments`));
    expect(onTerminal.screen).toContain(`exported ${ROWS} enrollment(s) of ${ROWS} user(s)`);

    const json = runOnTerminal(ws, '--json', 'export');
    expect(json.screen).not.toContain('enrollments |');
    expect(json.screen).not.toContain('exported');
    const body = JSON.parse(json.screen) as { result: { enrollments: unknown[] } };
    expect(body.result.enrollments).toHaveLength(ROWS);
    const quiet = ws.run('--json', 'export');
    expect(quiet.stderr).toBe('');

    const file = ws.run('export', '-o', 'inventory.jsonl');
    expect(file.stdout).toBe(
      `wrote ${ROWS} enrollment(s) of ${ROWS} user(s) to inventory.jsonl, no secrets\n`,
    );
  });
});
