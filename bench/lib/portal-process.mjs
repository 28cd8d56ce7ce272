// The demo portal as its README starts it (`node examples/admin-portal/dist/main.js`), as a
// child process with a fresh data folder (SQLite), a free loopback port and settings through
// PORTAL_* variables only, the way the portal's own browser tests start it. `stop()` ends the
// process and removes the folder.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
/** The built portal, found through the bench's workspace dependency on it. */
export const PORTAL_DIST = join(
  dirname(require.resolve('@factorkit/admin-portal/package.json')),
  'dist',
);
const STEP_MS = 30_000;

// Each login (and each browser enrolling a user) comes from its own client address, in 198.18.0.0/15 (RFC 2544's range for
// benchmarks), named in X-Forwarded-For as a proxy would (the portal trusts loopback).
let addresses = 0;
export function nextAddress() {
  const n = addresses++ % 2 ** 17;
  return `198.${18 + (n >> 16)}.${(n >> 8) & 255}.${n & 255}`;
}

/** User + system time of a process from /proc (in clock ticks of 10 ms, Linux's USER_HZ). */
function processCpuMs(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

/**
 * @returns {Promise<{ url: string, dataDir: string, setStep(step: number): void, stop(): Promise<void> }>}
 *   `setStep` moves the portal's clock (PORTAL_CLOCK_OFFSET_FILE) to the middle of a TOTP step.
 */
export async function startPortal() {
  const main = join(PORTAL_DIST, 'main.js');
  if (!existsSync(main)) throw new Error('examples/admin-portal is not built (no dist/main.js)');
  const dataDir = mkdtempSync(join(tmpdir(), 'factorkit-bench-portal-'));
  const clockFile = join(dataDir, 'clock-offset');
  writeFileSync(clockFile, '0');
  // Only the settings named here: a PORTAL_DATABASE_URL or PORTAL_REDIS_URL of the caller's
  // shell must not point the benchmark at someone's database.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('PORTAL_')),
  );
  const child = spawn(process.execPath, [main], {
    env: {
      ...env,
      PORTAL_PORT: '0',
      PORTAL_HOST: '127.0.0.1',
      PORTAL_DATA_DIR: dataDir,
      PORTAL_CLOCK_OFFSET_FILE: clockFile,
      // No Duo emulator or offline YubiCloud: only TOTP and passwords are measured.
      PORTAL_NO_EMULATORS: '1',
      // The load comes from loopback as if through a proxy that names each client in
      // X-Forwarded-For: the per-address limits (the portal's login limit, web's 2FA route
      // limit) then see many clients, as they would in production, instead of one address.
      PORTAL_TRUSTED_PROXIES: 'loopback',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const url = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`portal did not start:\n${out}`)), 60_000);
      const onExit = (code) => {
        clearTimeout(timer);
        reject(new Error(`portal exited with ${code}:\n${out}`));
      };
      child.once('exit', onExit);
      child.stdout.on('data', function look() {
        const m = /factorkit demo portal: (http:\/\/\S+?)\/?\n/.exec(out);
        if (!m || !out.includes('Press Ctrl+C')) return;
        clearTimeout(timer);
        child.off('exit', onExit);
        child.stdout.off('data', look);
        // The portal prints its public origin (localhost); requests go to the loopback address.
        resolve(m[1].replace('//localhost:', '//127.0.0.1:'));
      });
    });
    return {
      url,
      dataDir,
      /** CPU time the portal process has used, in ms (Linux only; undefined elsewhere). */
      cpuMs: () => processCpuMs(child.pid),
      output: () => out,
      setStep(step) {
        writeFileSync(clockFile, String(step * STEP_MS + STEP_MS / 2 - Date.now()));
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
