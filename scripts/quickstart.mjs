#!/usr/bin/env node
// The README's quick-start commands (`npm start`, `npm test`, `npm run emulator`) land here. On a machine with
// only Node >= 20.19 and npm, it fetches the pinned pnpm through npx, installs the workspace
// from the committed lockfile, builds it, then starts the demo portal or runs every test.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PNPM = 'pnpm@12.4.2';
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const task = process.argv[2];
const extra = process.argv.slice(3);
const TASKS = { start: 'demo', test: 'test:run', emulator: 'emulator:run', bench: 'bench:run' };
if (!Object.hasOwn(TASKS, task)) {
  console.error('usage: node scripts/quickstart.mjs start|test|emulator|bench');
  process.exit(2);
}
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  console.error(`factorkit needs Node.js >= 20.19 (this is ${process.versions.node}).`);
  process.exit(1);
}
const env = { ...process.env };
// pnpm ignores `nodedir` from .npmrc; native modules must build against the local headers,
// since nothing may be downloaded besides registry packages.
if (!env.npm_config_nodedir && existsSync('/usr/include/node/node.h'))
  env.npm_config_nodedir = '/usr';
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';

function pnpm(args) {
  const r = spawnSync(npx, ['-y', PNPM, ...args], { cwd: root, stdio: 'inherit', env });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

// The tests use two system tools: OATH Toolkit's oathtool (an independent TOTP implementation)
// and Debian's Chromium (a browser clicks the Duo prompt page). Install them from the system's
// packages when they are missing and we may (root on Debian).
function has(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}
if (task === 'test') {
  const missing = [];
  if (!has('oathtool')) missing.push('oathtool');
  if (!existsSync('/usr/bin/chromium')) missing.push('chromium');
  if (missing.length > 0) {
    if (process.getuid?.() === 0 && has('apt-get')) {
      console.log(`quickstart: installing ${missing.join(', ')} (Debian packages) for the tests`);
      spawnSync(
        'sh',
        [
          '-c',
          `apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${missing.join(' ')}`,
        ],
        { stdio: 'inherit' },
      );
    } else {
      console.warn(
        `quickstart: not installed: ${missing.join(', ')}. Without oathtool the TOTP cross-check fails; without chromium the browser test is skipped.`,
      );
    }
  }
}

pnpm(['install', '--frozen-lockfile']);
pnpm(['run', 'build']);
pnpm(['run', TASKS[task], ...extra]);
