import { DEFAULT_PENDING_GRACE_MS, InvalidArgumentError } from '@factorkit/core';
import { Cluster, Redis, type ClusterNode, type ClusterOptions, type RedisOptions } from 'ioredis';
import { Keys, Scripts, type RedisClient } from './commands.js';
import { RedisPendingStore } from './pending-store.js';
import { RedisThrottleStore } from './throttle-store.js';

export { RedisPendingStore, RedisThrottleStore };

export interface RedisStoreOptions {
  /** `redis://host:6379/0` (or `rediss://` for TLS); or pass your own `client`. */
  url?: string;
  /**
   * A Redis Cluster: its seed nodes (`[{ host, port }]`); ioredis discovers the rest and
   * follows MOVED / ASK redirections. Or pass your own `Cluster` as `client`.
   */
  cluster?: { nodes: ClusterNode[]; options?: ClusterOptions };
  /**
   * An existing ioredis client (`Redis`, or `Cluster`); it stays open after `close()` (the
   * caller owns it).
   */
  client?: RedisClient;
  /**
   * Options for the client this package creates from `url` (or for each node of `cluster`).
   * Defaults here: `maxRetriesPerRequest: 2`, `commandTimeout: 5000` ms.
   */
  redisOptions?: RedisOptions;
  /**
   * Prefix of every key, so several apps (or test runs) share one Redis without colliding.
   * Use this rather than ioredis `keyPrefix`. No `{` or `}`: they would change which part of a
   * key Redis Cluster hashes, and a user's keys could land in different slots.
   * @default "factorkit:"
   */
  prefix?: string;
  /**
   * How long Redis keeps a pending record after it expired (core refuses it, but still reports
   * it as expired rather than unknown); after that its TTL or the next create of the same user
   * removes it. @default 60000
   */
  pendingGraceMs?: number;
}

export interface RedisStores {
  /** The ephemeral stores; compose with durable enrollments: `{ enrollments: sql, ...stores }`. */
  readonly stores: { readonly pending: RedisPendingStore; readonly throttle: RedisThrottleStore };
  readonly client: RedisClient;
  readonly prefix: string;
  /** Closes the client if this package created it. */
  close(): Promise<void>;
}

export function createRedisStores(options: RedisStoreOptions): RedisStores {
  if (typeof options !== 'object' || options === null)
    throw new InvalidArgumentError('store-redis: options are required.');
  const prefix = options.prefix ?? 'factorkit:';
  if (typeof prefix !== 'string' || prefix.length === 0 || prefix.length > 200) {
    throw new InvalidArgumentError(
      'store-redis: prefix must be a non-empty string of at most 200 characters.',
    );
  }
  if (/[{}]/.test(prefix)) {
    throw new InvalidArgumentError(
      'store-redis: prefix must not contain "{" or "}" (Redis Cluster hash-tag characters).',
    );
  }
  const graceMs = options.pendingGraceMs ?? DEFAULT_PENDING_GRACE_MS;
  if (!Number.isInteger(graceMs) || graceMs < 0)
    throw new InvalidArgumentError('store-redis: pendingGraceMs must be a non-negative integer.');
  let client = options.client;
  let own = false;
  if (!client) {
    client = ownClient(options);
    // Connection errors surface on the commands; an 'error' listener keeps them from crashing the host.
    client.on('error', () => undefined);
    own = true;
  }
  const scripts = new Scripts(client);
  const keys = new Keys(prefix);
  const c = client;
  return {
    stores: {
      pending: new RedisPendingStore(c, scripts, keys, graceMs, prefix),
      throttle: new RedisThrottleStore(c, scripts, keys),
    },
    client: c,
    prefix,
    async close() {
      if (own) await c.quit();
    },
  };
}

const DEFAULT_COMMAND_TIMEOUT_MS = 5000;

function ownClient(options: RedisStoreOptions): RedisClient {
  // Fail a command after a few reconnection attempts instead of queueing it for long: a
  // caller waiting on a security decision gets STORE_UNAVAILABLE, never a silent hang.
  // A command Redis does not answer within `commandTimeout` fails the same way (a paused or
  // overloaded server), rather than holding the sign-in until it answers.
  const failFast = {
    maxRetriesPerRequest: 2,
    commandTimeout: DEFAULT_COMMAND_TIMEOUT_MS,
    ...options.redisOptions,
  };
  if (options.cluster !== undefined) {
    const { nodes, options: clusterOptions } = options.cluster;
    if (!Array.isArray(nodes) || nodes.length === 0) {
      throw new InvalidArgumentError('store-redis: cluster.nodes must list at least one node.');
    }
    return new Cluster(nodes, {
      ...clusterOptions,
      redisOptions: { ...failFast, ...clusterOptions?.redisOptions },
    });
  }
  if (typeof options.url !== 'string' || options.url.length === 0) {
    throw new InvalidArgumentError('store-redis: pass a `url`, a `cluster` or a `client`.');
  }
  return new Redis(options.url, failFast);
}
