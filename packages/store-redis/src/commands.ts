import { createHash } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import {
  CREATE,
  CREATE_WITH_OWNER,
  DELETE_FOR_USER,
  LEGACY_DELETE_FOR_USER,
  RESERVE,
  REFUND,
  RESTORE,
  RESTORE_WITH_OWNER,
  TAKE,
  TAKE_QUOTA,
} from './scripts.js';

type Script = (...args: (string | number)[]) => Promise<unknown>;

/** A single Redis (standalone, a Sentinel-managed primary) or a Redis Cluster. */
export type RedisClient = Redis | Cluster;

/** The scripts, defined on a client under factorkit-specific names (ioredis `defineCommand`). */
export class Scripts {
  readonly create: Script;
  readonly restore: Script;
  /** Standalone Redis only: CREATE and RESTORE with the owner key, one round trip each. */
  readonly createWithOwner: Script;
  readonly restoreWithOwner: Script;
  readonly take: Script;
  /** Variable key count: pass the number of keys first. */
  readonly deleteForUser: Script;
  readonly legacyDeleteForUser: Script;
  readonly reserve: Script;
  readonly refund: Script;
  readonly takeQuota: Script;

  constructor(client: RedisClient) {
    const define = (name: string, keys: number | undefined, lua: string): Script => {
      client.defineCommand(name, keys === undefined ? { lua } : { numberOfKeys: keys, lua });
      const fn = (client as unknown as Record<string, Script>)[name]!;
      return (...args) => fn.apply(client, args);
    };
    this.create = define('factorkitPendingCreate', 2, CREATE);
    this.restore = define('factorkitPendingRestore', 2, RESTORE);
    this.createWithOwner = define('factorkitPendingCreateWithOwner', 3, CREATE_WITH_OWNER);
    this.restoreWithOwner = define('factorkitPendingRestoreWithOwner', 3, RESTORE_WITH_OWNER);
    this.take = define('factorkitPendingTake', 2, TAKE);
    this.deleteForUser = define('factorkitPendingDeleteForUserTagged', undefined, DELETE_FOR_USER);
    this.legacyDeleteForUser = define('factorkitPendingDeleteForUser', 2, LEGACY_DELETE_FOR_USER);
    this.reserve = define('factorkitThrottleReserve', 1, RESERVE);
    this.refund = define('factorkitThrottleRefund', 1, REFUND);
    this.takeQuota = define('factorkitQuotaTake', 1, TAKE_QUOTA);
  }
}

/**
 * The Redis Cluster hash tag of one user: every pending key of the user carries it, so Cluster
 * puts them in one slot and each script touches one slot. A digest rather than the user id
 * itself, because an id holding `{` or `}` would change which part of the key Redis hashes.
 */
export function userHashTag(userId: string): string {
  return `{${createHash('sha256').update(userId, 'utf8').digest('base64url').slice(0, 22)}}`;
}

/**
 * Every key factorkit writes, under the deployment's prefix. Pending keys of one user share
 * the user's hash tag (Redis Cluster); throttle and quota keys are one key per script already.
 */
export class Keys {
  constructor(private readonly prefix: string) {}
  /** One pending record, in its user's slot. */
  pending(userId: string, id: string): string {
    return `${this.prefix}pending-step:${userHashTag(userId)}:${id}`;
  }
  /** The user's index: a sorted set of record keys scored by when each is due to go. */
  pendingIndex(userId: string): string {
    return `${this.prefix}pending-by-user:${userHashTag(userId)}`;
  }
  /** Which user an id belongs to: lets `peek` (diagnostics) and `create` (id collisions) find a record by id alone. */
  pendingOwner(id: string): string {
    return `${this.prefix}pending-owner:${id}`;
  }
  throttle(key: string): string {
    return `${this.prefix}throttle:${key}`;
  }
  /** Apart from `throttle:`, so a quota key never reads or resets a failure counter. */
  quota(key: string): string {
    return `${this.prefix}quota:${key}`;
  }
}

/**
 * Where versions before the Cluster layout kept pending records (standalone Redis only). Read
 * by take, peek and deleteForUser on a standalone client, so steps begun by an older instance
 * during a rolling upgrade still complete or get deleted; they all expire within one pending
 * lifetime plus grace, after which these reads find nothing.
 */
export class LegacyKeys {
  constructor(private readonly prefix: string) {}
  pending(id: string): string {
    return `${this.prefix}pending:${id}`;
  }
  pendingIndex(userId: string): string {
    return `${this.prefix}pending-index:${userId}`;
  }
  /** The plain-set index even older versions wrote. */
  pendingUser(userId: string): string {
    return `${this.prefix}pending-user:${userId}`;
  }
}
