/**
 * Starts app instances as separate Node processes (worker.mjs) and talks to them over IPC.
 * Helpers for server probing, unique schemas and key prefixes, and TOTP codes.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import pg from 'pg';
import * as OTPAuth from 'otpauth';

const here = dirname(fileURLToPath(import.meta.url));
export const PG_URL =
  process.env['FACTORKIT_TEST_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env['FACTORKIT_TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const IN_CI = process.env['CI'] === 'true';
/** A URL without its user and password, for messages. */
const redact = (url: string): string => url.replace(/\/\/[^@/]*@/, '//');

export interface WorkerConfig {
  sql:
    | { dialect: 'postgres'; connectionString: string; schema: string; poolSize?: number }
    | { dialect: 'sqlite'; filename: string };
  /** `clusterNodes`: a Redis Cluster's seed nodes, used instead of `url`. */
  redis?: { url: string; prefix: string; clusterNodes?: { host: string; port: number }[] };
  encryptionKey: string;
  /** `policy.audiences` of every service (absent: the default policy). */
  audiences?: Record<string, Record<string, unknown>>;
  /** Throttle policy per service name; the worker builds one TwoFactorService for each. */
  throttles?: Record<string, Record<string, number>>;
  startAt?: number;
  hangInsideActivation?: boolean;
  /** Widens the SQL quota take's read-to-write gap by this many ms (a race-test seam). */
  quotaTakeDelayMs?: number;
}

export type Reply<T = unknown> =
  | { ok: true; value: T }
  | { ok: false; error: { name: string; code: string | null; message: string } };

export class Instance {
  private seq = 0;
  private readonly waiting = new Map<number, (r: Reply) => void>();
  private readonly listeners = new Set<(m: { type: string }) => void>();

  private constructor(readonly child: ChildProcess) {
    child.on('message', (m: { id?: number; type?: string } & Reply) => {
      if (typeof m.id === 'number') {
        this.waiting.get(m.id)?.(m);
        this.waiting.delete(m.id);
      } else if (m.type) {
        for (const l of this.listeners) l(m as { type: string });
      }
    });
  }

  /** Forks a worker and resolves when it is ready (the only wait on a real process start). */
  static async start(config: WorkerConfig): Promise<Instance> {
    const child = fork(join(here, 'worker.mjs'), [], {
      env: { ...process.env, FACTORKIT_WORKER_CONFIG: JSON.stringify(config) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const inst = new Instance(child);
    await new Promise<void>((resolve, reject) => {
      const onExit = (code: number | null) =>
        reject(new Error(`worker exited before ready (code ${code})`));
      child.once('exit', onExit);
      inst.once('ready').then(() => {
        child.off('exit', onExit);
        resolve();
      }, reject);
    });
    return inst;
  }

  /** Resolves on the next message of this type from the worker. */
  once(type: string): Promise<{ type: string; [k: string]: unknown }> {
    return new Promise((resolve) => {
      const l = (m: { type: string }) => {
        if (m.type === type) {
          this.listeners.delete(l);
          resolve(m);
        }
      };
      this.listeners.add(l);
    });
  }

  call<T = unknown>(
    target: string,
    method: string,
    args: unknown[],
    now?: number,
  ): Promise<Reply<T>> {
    const id = ++this.seq;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, resolve as (r: Reply) => void);
      this.child.send({ id, target, method, args, now }, (err) => {
        if (err) {
          this.waiting.delete(id);
          reject(err);
        }
      });
    });
  }

  /** The instance's TwoFactorService configured with the named throttle policy. */
  policy(name: string): Service {
    return new Service(this, `service:${name}`);
  }

  kill(signal: NodeJS.Signals): Promise<void> {
    return new Promise((resolve) => {
      if (this.child.exitCode !== null || this.child.signalCode !== null) return resolve();
      this.child.once('exit', () => resolve());
      this.child.kill(signal);
    });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null || !this.child.connected)
      return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.send({ type: 'stop' });
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
}

/** One TwoFactorService inside an instance process. */
export class Service {
  constructor(
    readonly instance: Instance,
    private readonly target: string,
  ) {}

  service<T = unknown>(method: string, args: unknown[], now: number): Promise<Reply<T>> {
    return this.instance.call<T>(this.target, method, args, now);
  }

  /** Like `service`, but throws on an error reply. */
  async ok<T = unknown>(method: string, args: unknown[], now: number): Promise<T> {
    const r = await this.service<T>(method, args, now);
    if (!r.ok)
      throw new Error(
        `${method} failed on pid ${this.instance.child.pid}: ${r.error.code} ${r.error.message}`,
      );
    return r.value;
  }

  call<T = unknown>(target: string, method: string, args: unknown[]): Promise<Reply<T>> {
    return this.instance.call<T>(target, method, args);
  }
}

export interface Probe {
  ok: boolean;
  reason: string;
}

/** Outside CI an unreachable server skips with the reason printed; under CI=true it fails. */
export async function probeServers(needRedis: boolean): Promise<Probe> {
  const problems: string[] = [];
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
  } catch (err) {
    problems.push(`PostgreSQL not reachable at ${redact(PG_URL)}: ${(err as Error).message}`);
  } finally {
    await client.end().catch(() => undefined);
  }
  if (needRedis) {
    const r = new Redis(REDIS_URL, {
      lazyConnect: true,
      connectTimeout: 3000,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    r.on('error', () => undefined);
    try {
      await r.connect();
      await r.ping();
    } catch (err) {
      problems.push(`Redis not reachable at ${redact(REDIS_URL)}: ${(err as Error).message}`);
    } finally {
      r.disconnect();
    }
  }
  if (problems.length === 0) return { ok: true, reason: '' };
  const reason = problems.join('; ');
  if (IN_CI) throw new Error(`CI=true requires the servers: ${reason}`);
  console.warn(`SKIPPED (not CI): ${reason}`);
  return { ok: false, reason };
}

export function uniqueName(tag: string): string {
  return `fk_${tag}_${process.pid}_${randomBytes(5).toString('hex')}`;
}

export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await client.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await client.end();
  }
}

export async function deleteRedisPrefix(prefix: string): Promise<void> {
  const r = new Redis(REDIS_URL);
  try {
    for await (const batch of r.scanStream({ match: `${prefix}*`, count: 500 }) as AsyncIterable<
      string[]
    >) {
      if (batch.length > 0) await r.del(...batch);
    }
  } finally {
    await r.quit();
  }
}

export function encryptionKey(): string {
  return randomBytes(32).toString('base64');
}

/** The code an authenticator app holding the otpauth URI's secret shows at `now`. */
export function totpCode(otpauthUri: string, now: number): string {
  const totp = OTPAuth.URI.parse(otpauthUri);
  if (!(totp instanceof OTPAuth.TOTP)) throw new Error('not a TOTP URI');
  return totp.generate({ timestamp: now });
}

export function totpStep(otpauthUri: string, now: number): number {
  const totp = OTPAuth.URI.parse(otpauthUri) as OTPAuth.TOTP;
  return totp.counter({ timestamp: now });
}

/** Counts replies by outcome: 'ok' or the error code. */
export function tally(replies: Reply[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of replies) {
    const k = r.ok ? 'ok' : (r.error.code ?? r.error.name);
    out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}
