/**
 * Private PostgreSQL and Redis servers for fault tests: each on its own free loopback port with
 * its data in a temp folder, started as a child process in its own process group, so a test can
 * SIGKILL, SIGSTOP or restart exactly the processes it started (never the shared servers).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { Redis } from 'ioredis';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function until(what: string, probe: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await probe().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`private server: timed out waiting for ${what}`);
}

/** Sends a signal to the whole process group of a child started with `detached: true`. */
function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid !== undefined) process.kill(-child.pid, signal);
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
  });
}

/** Where PostgreSQL's server binaries are, or null when it is not installed. */
export function postgresBinDir(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  for (const v of versions)
    if (existsSync(join(root, v, 'bin', 'initdb'))) return join(root, v, 'bin');
  return null;
}

/** PostgreSQL refuses to run as root: as root, run it as the `postgres` user. */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const uid = Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim());
  const gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim());
  if (!Number.isInteger(uid) || !Number.isInteger(gid))
    throw new Error('no postgres user to run PostgreSQL as');
  return { uid, gid };
}

export class PrivatePostgres {
  private child: ChildProcess | undefined;
  private constructor(
    private readonly bin: string,
    private readonly dir: string,
    readonly port: number,
    private readonly user: { uid: number; gid: number } | undefined,
  ) {}

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  static async start(): Promise<PrivatePostgres> {
    const bin = postgresBinDir();
    if (!bin) throw new Error('PostgreSQL server binaries not found');
    const dir = mkdtempSync(join(tmpdir(), 'factorkit-pg-'));
    const user = runAs();
    if (user) chownSync(dir, user.uid, user.gid);
    const init = spawnSync(
      join(bin, 'initdb'),
      ['-D', join(dir, 'data'), '-U', 'postgres', '--auth=trust', '--no-sync'],
      { encoding: 'utf8', ...(user ?? {}) },
    );
    if (init.status !== 0) throw new Error(`initdb: ${init.stdout}${init.stderr}`);
    const server = new PrivatePostgres(bin, dir, await freePort(), user);
    await server.startServer();
    return server;
  }

  /** Starts (or restarts, after a kill: crash recovery runs) the server on the same data. */
  async startServer(): Promise<void> {
    this.child = spawn(
      join(this.bin, 'postgres'),
      [
        '-D',
        join(this.dir, 'data'),
        '-p',
        String(this.port),
        '-k',
        this.dir,
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        'fsync=off',
      ],
      { stdio: 'ignore', detached: true, ...(this.user ?? {}) },
    );
    await until(`PostgreSQL on ${this.port}`, async () => {
      const c = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: 1000 });
      try {
        await c.connect();
        await c.query('select 1');
        return true;
      } finally {
        await c.end().catch(() => undefined);
      }
    });
  }

  /**
   * The postmaster and its children (backends, checkpointer, ...). Each backend calls setsid(),
   * so signalling the postmaster's process group would miss them: list them by parent.
   */
  private pids(): number[] {
    const pid = this.child?.pid;
    if (pid === undefined) return [];
    const r = spawnSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' });
    return [pid, ...r.stdout.split('\n').filter(Boolean).map(Number)];
  }

  private signal(signal: NodeJS.Signals, pids = this.pids()): void {
    for (const pid of pids) {
      try {
        process.kill(pid, signal);
      } catch {
        // Already gone.
      }
    }
  }

  /** SIGKILL to the postmaster and every backend: no shutdown, no clean-up. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child) return;
    const pids = this.pids();
    this.signal('SIGKILL', pids);
    await exited(child);
    await until('PostgreSQL processes gone', async () =>
      pids.every((pid) => spawnSync('kill', ['-0', String(pid)]).status !== 0),
    );
    this.child = undefined;
  }

  /** SIGSTOP: the postmaster first, so it forks nothing new, then every child. */
  pause(): void {
    this.signal('SIGSTOP');
  }

  resume(): void {
    this.signal('SIGCONT');
  }

  async stop(): Promise<void> {
    if (this.child) {
      this.resume();
      await this.kill();
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export class PrivateRedis {
  private child: ChildProcess | undefined;
  private constructor(
    private readonly dir: string,
    readonly port: number,
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** No persistence (`--save ""`, no AOF): a restart starts empty. */
  static async start(): Promise<PrivateRedis> {
    const server = new PrivateRedis(
      mkdtempSync(join(tmpdir(), 'factorkit-redis-')),
      await freePort(),
    );
    await server.startServer();
    return server;
  }

  async startServer(): Promise<void> {
    this.child = spawn(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--dir',
        this.dir,
        '--save',
        '',
        '--appendonly',
        'no',
        '--daemonize',
        'no',
      ],
      { stdio: 'ignore', detached: true },
    );
    await until(`Redis on ${this.port}`, async () => {
      const c = new Redis(this.url, {
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
      });
      c.on('error', () => undefined);
      try {
        await c.connect();
        return (await c.ping()) === 'PONG';
      } finally {
        c.disconnect();
      }
    });
  }

  /** SIGKILL then start again on the same port: everything in memory is gone. */
  async restart(): Promise<void> {
    await this.kill();
    await this.startServer();
  }

  async kill(): Promise<void> {
    const child = this.child;
    if (!child) return;
    signalGroup(child, 'SIGKILL');
    await exited(child);
    this.child = undefined;
  }

  pause(): void {
    if (this.child) signalGroup(this.child, 'SIGSTOP');
  }

  resume(): void {
    if (this.child) signalGroup(this.child, 'SIGCONT');
  }

  async stop(): Promise<void> {
    if (this.child) {
      this.resume();
      await this.kill();
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
