// Cold start: a fresh Node process that imports core and the TOTP provider, registers it,
// loads (and validates, with class-validator) a deployment config and builds the service,
// against a fresh `node -e 0`: both spawned the same way, one after the other, round by round.
// A second row breaks the child's own time into phases (medians, measured inside it).
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from '../lib/paired.mjs';

const child = join(dirname(fileURLToPath(import.meta.url)), '..', 'lib', 'cold-start-child.mjs');
const env = { ...process.env, FACTORKIT_BENCH_KEY: randomBytes(32).toString('base64') };

/** Spawns `node ...args` and resolves its stdout; rejects when it exits non-zero. */
function run(args) {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { env, timeout: 60_000 }, (err, stdout) =>
      err ? reject(err) : resolve(stdout),
    );
  });
}

export default {
  id: 'cold-start',
  async run(b) {
    await run([child]); // fails loudly (a crashed suite) if the child cannot build the service
    // Quick: one spawn per batch. Full: a few spawns per batch (about 0.4 s of each), so one
    // slow spawn on this shared machine moves a round's ratio less.
    await b.compare({
      id: 'cold-start.totp',
      title: 'cold start: import core + TOTP, register, load config, build service',
      baseline: { label: 'node -e 0', fn: () => run(['-e', '0']) },
      subject: { label: 'factorkit start', fn: () => run([child]) },
      goal: { max: 3 },
      rounds: b.quick ? 5 : 25,
      batchMs: b.quick ? 1 : 400,
    });
    const phases = [];
    for (let i = 0; i < (b.quick ? 3 : 9); i++)
      phases.push(JSON.parse(await run([child, '--phases'])));
    const m = (k) => Number(median(phases.map((p) => p[k])).toFixed(1));
    b.record({
      id: 'cold-start.phases',
      title: 'cold start phases in the child: import / register + load config / build (ms)',
      value: m('import'),
      unit: 'ms import',
      note: `register + load ${m('load')} ms, build ${m('build')} ms, node boot ${m('boot')} ms`,
    });
  },
};
