import type { Redis } from 'ioredis';
import { CREATE, DELETE_FOR_USER, RESERVE, REFUND, RESTORE, TAKE, TAKE_QUOTA } from './scripts.js';

type Script = (...args: (string | number)[]) => Promise<unknown>;

/** The scripts, defined on a client under factorkit-specific names (ioredis `defineCommand`). */
export class Scripts {
  readonly create: Script;
  readonly restore: Script;
  readonly take: Script;
  readonly deleteForUser: Script;
  readonly reserve: Script;
  readonly refund: Script;
  readonly takeQuota: Script;

  constructor(client: Redis) {
    const define = (name: string, keys: number, lua: string): Script => {
      client.defineCommand(name, { numberOfKeys: keys, lua });
      const fn = (client as unknown as Record<string, Script>)[name]!;
      return (...args) => fn.apply(client, args);
    };
    this.create = define('factorkitPendingCreate', 2, CREATE);
    this.restore = define('factorkitPendingRestore', 2, RESTORE);
    this.take = define('factorkitPendingTake', 2, TAKE);
    this.deleteForUser = define('factorkitPendingDeleteForUser', 2, DELETE_FOR_USER);
    this.reserve = define('factorkitThrottleReserve', 1, RESERVE);
    this.refund = define('factorkitThrottleRefund', 1, REFUND);
    this.takeQuota = define('factorkitQuotaTake', 1, TAKE_QUOTA);
  }
}

/** Every key factorkit writes, under the deployment's prefix. */
export class Keys {
  constructor(private readonly prefix: string) {}
  pending(id: string): string {
    return `${this.prefix}pending:${id}`;
  }
  /** The user's index: a sorted set of record keys scored by when each is due to go. */
  pendingIndex(userId: string): string {
    return `${this.prefix}pending-index:${userId}`;
  }
  /** The plain-set index earlier versions wrote; read by deleteForUser until it expires. */
  legacyPendingUser(userId: string): string {
    return `${this.prefix}pending-user:${userId}`;
  }
  throttle(key: string): string {
    return `${this.prefix}throttle:${key}`;
  }
  /** Apart from `throttle:`, so a quota key never reads or resets a failure counter. */
  quota(key: string): string {
    return `${this.prefix}quota:${key}`;
  }
}
