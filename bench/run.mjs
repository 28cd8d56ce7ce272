#!/usr/bin/env node
// `pnpm bench`: every suite in bench/suites, each in its own process, one table at the end and
// the same rows as JSON. Ratios are medians of paired rounds against a baseline measured in the
// same process (see lib/paired.mjs); nothing here is a pass/fail test.
//   node bench/run.mjs [--quick] [--only=suite,suite] [--json=file] [--markdown]
// --quick runs few short rounds (CI runs it so the benchmarks cannot rot); the exit code is
// non-zero only when a suite crashed, never for a missed goal.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { printTable } from './lib/table.mjs';
import { printMarkdown } from './lib/markdown.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const flag = (name) => args.find((a) => a === `--${name}` || a.startsWith(`--${name}=`));
const value = (name) => flag(name)?.split('=').slice(1).join('=');
const quick = Boolean(flag('quick'));
const only = value('only')?.split(',');
const jsonFile = value('json') ?? join(here, 'results', quick ? 'quick.json' : 'latest.json');

// Suites run in file-name order; the number prefixes keep the table in the order.
const suites = readdirSync(join(here, 'suites'))
  .filter((f) => f.endsWith('.mjs'))
  .sort()
  .filter((f) => !only || only.some((o) => f.includes(o)));

const cpus = os.cpus();
const machine = {
  cores: cpus.length,
  cpu: cpus[0]?.model ?? 'unknown',
  memoryGiB: Math.round(os.totalmem() / 2 ** 30),
  node: process.version,
  platform: `${os.platform()} ${os.release()}`,
  loadAverage: os.loadavg().map((x) => Number(x.toFixed(2))),
  date: new Date().toISOString(),
  mode: quick ? 'quick' : 'full',
};
console.log(
  `factorkit bench (${machine.mode}): ${machine.cores} cores (${machine.cpu}), ` +
    `Node ${machine.node}, ${machine.platform}, load ${machine.loadAverage.join(' ')}`,
);

const tmp = mkdtempSync(join(os.tmpdir(), 'factorkit-bench-'));
const rows = [];
let crashed = 0;
for (const file of suites) {
  const out = join(tmp, `${file}.json`);
  const started = Date.now();
  process.stdout.write(`  ${file} ... `);
  const r = spawnSync(
    process.execPath,
    [
      '--expose-gc',
      join(here, 'lib', 'child.mjs'),
      join(here, 'suites', file),
      out,
      quick ? 'quick' : 'full',
    ],
    {
      stdio: ['ignore', 'inherit', 'pipe'],
      encoding: 'utf8',
      timeout: quick ? 300_000 : 1_800_000,
    },
  );
  let got = [];
  try {
    got = JSON.parse(readFileSync(out, 'utf8'));
  } catch {
    // no rows written: the suite died before its `finally`
  }
  rows.push(...got);
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  if (r.status !== 0) {
    crashed++;
    const lines = (r.stderr || r.error?.message || `exit ${r.status}`).trim().split('\n');
    const reason = lines.find((l) => /\w*Error\b/.test(l)) ?? lines.at(-1);
    rows.push({
      suite: file,
      id: `${file}:crash`,
      title: `${file} crashed`,
      kind: 'error',
      reason,
    });
    console.log(`crashed after ${secs} s\n${r.stderr ?? ''}`);
  } else {
    console.log(`${got.length} rows, ${secs} s`);
  }
}
rmSync(tmp, { recursive: true, force: true });

console.log('');
printTable(rows);
if (flag('markdown')) {
  console.log('');
  printMarkdown(rows, machine);
}
mkdirSync(dirname(jsonFile), { recursive: true });
writeFileSync(jsonFile, `${JSON.stringify({ machine, rows }, null, 2)}\n`);
const met = rows.filter((r) => r.met === true).length;
const missed = rows.filter((r) => r.met === false).length;
console.log(
  `\n${rows.length} rows: ${met} goals met, ${missed} missed, ${crashed} suites crashed; JSON in ${jsonFile}`,
);
process.exit(crashed > 0 ? 1 : 0);
