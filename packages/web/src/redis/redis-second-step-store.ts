import { Redis, type RedisOptions } from 'ioredis';
import { InvalidArgumentError, StoreUnavailableError } from '@factorkit/core';
import {
  withoutRevision,
  type SecondStepState,
  type SecondStepStore,
} from '../second-step-store.js';

/** The layout of a stored value; a reader refuses any other (a newer writer's, a stray key's). */
const FORMAT_VERSION = 1;

/**
 * Writes `ARGV[1]` (the state's JSON) under a new revision, expiring after `ARGV[2]` ms.
 * The revision counter is its own key and outlives the entry by `ARGV[3]` ms, so a state
 * removed and written again never reuses a revision an old read still holds (FL-15).
 */
const WRITE = `
local revision = redis.call('INCR', KEYS[2])
redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[2]) + tonumber(ARGV[3]))
redis.call('SET', KEYS[1],
  '{"v":${FORMAT_VERSION},"revision":' .. revision .. ',"state":' .. ARGV[1] .. '}',
  'PX', ARGV[2])
return revision
`;

/**
 * Compare-and-set in one script, so no other command runs between the check and the write:
 * of any number of clients naming the same revision, exactly one gets 1 (FL-15).
 * `ARGV[1]`: the expected revision; `ARGV[2]`: the next state's JSON, or '' to remove it.
 */
const REPLACE = `
local current = redis.call('GET', KEYS[1])
if not current then return 0 end
local ok, entry = pcall(cjson.decode, current)
if not ok or entry.v ~= ${FORMAT_VERSION} or tostring(entry.revision) ~= ARGV[1] then return 0 end
if ARGV[2] == '' then
  redis.call('DEL', KEYS[1])
  return 1
end
local revision = redis.call('INCR', KEYS[2])
redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[3]) + tonumber(ARGV[4]))
redis.call('SET', KEYS[1],
  '{"v":${FORMAT_VERSION},"revision":' .. revision .. ',"state":' .. ARGV[2] .. '}',
  'PX', ARGV[3])
return 1
`;

/** How much longer than its entry a revision counter lives. */
const COUNTER_MARGIN_MS = 24 * 3600 * 1000;

export interface RedisSecondStepStoreOptions {
  /** The host's ioredis client (it stays the host's to close), or pass `url`. */
  readonly client?: Redis;
  /** A Redis URL; the store then owns its client (`close()` ends it). */
  readonly url?: string;
  /** Put before every key. @default 'factorkit:second-step:' */
  readonly prefix?: string;
  /**
   * Longest wait for one Redis call (1..60000 ms) before `STORE_UNAVAILABLE`: a request waiting on
   * a security decision fails instead of hanging while the client reconnects. @default 2000
   */
  readonly timeoutMs?: number;
}

type Call = (...args: (string | number)[]) => Promise<unknown>;

/**
 * Second-step states in Redis, shared by every instance of the host. Each value is JSON with a
 * format version and its revision; the compare-and-set replace is one Lua script. Keys of one
 * session share a hash tag, so the scripts also run on a Redis Cluster.
 */
export class RedisSecondStepStore implements SecondStepStore {
  readonly client: Redis;
  readonly prefix: string;
  private readonly own: boolean;
  private readonly timeoutMs: number;
  private readonly write: Call;
  private readonly compareAndSet: Call;

  constructor(options: RedisSecondStepStoreOptions) {
    const prefix = options.prefix ?? 'factorkit:second-step:';
    if (typeof prefix !== 'string' || prefix.length === 0 || prefix.length > 200)
      throw new InvalidArgumentError(
        'RedisSecondStepStore: prefix must be a non-empty string of at most 200 characters.',
      );
    const timeoutMs = options.timeoutMs ?? 2000;
    if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > 60_000)
      throw new InvalidArgumentError(
        `RedisSecondStepStore: timeoutMs must be a whole number from 1 to 60000; got ${String(timeoutMs)}.`,
      );
    if (options.client === undefined && (options.url ?? '') === '')
      throw new InvalidArgumentError('RedisSecondStepStore: pass a `client` or a `url`.');
    this.prefix = prefix;
    this.timeoutMs = timeoutMs;
    this.own = options.client === undefined;
    this.client = options.client ?? ownClient(options.url!);
    this.write = this.script('factorkitSecondStepWrite', WRITE);
    this.compareAndSet = this.script('factorkitSecondStepReplace', REPLACE);
  }

  async get(sessionId: string): Promise<SecondStepState | undefined> {
    const raw = await this.call(() => this.client.get(this.entryKey(sessionId)));
    if (raw === null) return undefined;
    return parseEntry(raw);
  }

  async put(sessionId: string, state: SecondStepState, ttlMs: number): Promise<void> {
    checkTtl(ttlMs);
    const keys = [this.entryKey(sessionId), this.counterKey(sessionId)];
    await this.call(() => this.write(...keys, json(state), ttlMs, COUNTER_MARGIN_MS));
  }

  async replace(
    sessionId: string,
    expected: number,
    next: SecondStepState | null,
    ttlMs: number,
  ): Promise<boolean> {
    if (next !== null) checkTtl(ttlMs);
    const keys = [this.entryKey(sessionId), this.counterKey(sessionId)];
    const body = next === null ? '' : json(next);
    const ttl = next === null ? 1 : ttlMs;
    const done = await this.call(() =>
      this.compareAndSet(...keys, String(expected), body, ttl, COUNTER_MARGIN_MS),
    );
    return done === 1;
  }

  async delete(sessionId: string): Promise<void> {
    // The counter stays: a state written again later gets a revision no old read holds.
    await this.call(() => this.client.del(this.entryKey(sessionId)));
  }

  /** Ends the client if this store created it (from `url`). */
  async close(): Promise<void> {
    if (this.own) await this.client.quit();
  }

  private entryKey(sessionId: string): string {
    return `${this.prefix}{${sessionId}}`;
  }

  private counterKey(sessionId: string): string {
    return `${this.prefix}{${sessionId}}:revision`;
  }

  private script(name: string, lua: string): Call {
    this.client.defineCommand(name, { numberOfKeys: 2, lua });
    const fn = (this.client as unknown as Record<string, Call>)[name]!;
    return (...args) => fn.apply(this.client, args);
  }

  /** Every Redis failure, or a wait past `timeoutMs`, becomes STORE_UNAVAILABLE: never a pass. */
  private async call<T>(run: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer from Redis within ${this.timeoutMs} ms`)),
        this.timeoutMs,
      );
    });
    try {
      return await Promise.race([run(), timeout]);
    } catch (err) {
      throw new StoreUnavailableError('The second-step store (Redis) is unavailable.', {
        cause: err,
      });
    } finally {
      clearTimeout(timer);
    }
  }
}

function ownClient(url: string): Redis {
  const options: RedisOptions = { maxRetriesPerRequest: 2 };
  const client = new Redis(url, options);
  // Failures reach the callers through their commands; without a listener they would crash the host.
  client.on('error', () => undefined);
  return client;
}

function checkTtl(ttlMs: number): void {
  if (!Number.isInteger(ttlMs) || ttlMs < 1)
    throw new InvalidArgumentError(`ttlMs must be a positive whole number; got ${String(ttlMs)}.`);
}

function json(state: SecondStepState): string {
  return JSON.stringify(withoutRevision(state));
}

function parseEntry(raw: string): SecondStepState {
  let entry: { v?: unknown; revision?: unknown; state?: unknown };
  try {
    entry = JSON.parse(raw) as typeof entry;
  } catch (err) {
    throw new StoreUnavailableError('A second-step state in Redis is not valid JSON.', {
      cause: err,
    });
  }
  if (entry.v !== FORMAT_VERSION || typeof entry.revision !== 'number' || !isState(entry.state))
    throw new StoreUnavailableError(
      `A second-step state in Redis is not in format ${FORMAT_VERSION}: upgrade every instance to one version.`,
    );
  return { ...entry.state, revision: entry.revision };
}

function isState(value: unknown): value is SecondStepState {
  if (typeof value !== 'object' || value === null) return false;
  const phase = (value as { phase?: unknown }).phase;
  return phase === 'pending' || phase === 'authenticated';
}
