/**
 * Starts the portal as the README does (`node examples/admin-portal/dist/main.js`, built by the
 * test command first), as a child process with a fresh data folder and a free port, and reads
 * the URL and the demo logins from what it prints.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MAIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'main.js');

export interface DemoLogin {
  role: 'admin' | 'client';
  email: string;
  password: string;
}

export interface PortalProcess {
  readonly url: string;
  readonly dataDir: string;
  readonly logins: DemoLogin[];
  readonly admin: DemoLogin;
  readonly client1: DemoLogin;
  readonly client2: DemoLogin;
  /** Everything the process printed so far (stdout and stderr). */
  output(): string;
  /** Moves the portal's clock forward (PORTAL_CLOCK_OFFSET_FILE): grace periods without waiting. */
  advanceClock(ms: number): void;
  /** The portal's clock now (the system clock plus the offset given so far), in ms. */
  now(): number;
  stop(): Promise<void>;
}

export interface StartOptions {
  env?: Record<string, string>;
  /** Reuse a data folder (a second process of the same deployment); default: a new one. */
  dataDir?: string;
}

export async function startPortalProcess(options: StartOptions = {}): Promise<PortalProcess> {
  const ownDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'portal-test-'));
  const clockFile = join(dataDir, 'clock-offset');
  let offset = 0;
  writeFileSync(clockFile, '0');
  const child: ChildProcess = spawn(process.execPath, [MAIN], {
    env: {
      ...process.env,
      PORTAL_PORT: '0',
      PORTAL_DATA_DIR: dataDir,
      PORTAL_CLOCK_OFFSET_FILE: clockFile,
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`portal did not start:\n${out}`)), 60_000);
    const look = () => {
      const m = /factorkit demo portal: (http:\/\/\S+?)\/?\n/.exec(out);
      if (m && out.includes('Press Ctrl+C')) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', look);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`portal exited with ${code}:\n${out}`));
    });
  });
  const logins: DemoLogin[] = [...out.matchAll(/^\s+(admin|client)\s+(\S+@\S+)\s+(\S+)$/gm)].map(
    (m) => ({ role: m[1] as DemoLogin['role'], email: m[2]!, password: m[3]! }),
  );
  const find = (email: string) => {
    const l = logins.find((x) => x.email === email);
    if (!l) throw new Error(`no demo login ${email} in:\n${out}`);
    return l;
  };
  return {
    url,
    dataDir,
    logins,
    admin: find('admin@example.com'),
    client1: find('client1@example.com'),
    client2: find('client2@example.com'),
    output: () => out,
    advanceClock(ms: number) {
      offset += ms;
      writeFileSync(clockFile, String(offset));
    },
    now: () => Date.now() + offset,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      if (ownDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
