import { AsyncLocalStorage } from 'node:async_hooks';
import type { AuditEvent, AuditSink } from '../../events.js';
import type { RequestInfo, TwoFactorUser } from '../../provider/contract.js';
import type { Clock, Logger } from '../../services.js';
import { sanitizeRequest } from './request-info.js';

export interface EventBase {
  at: string;
  userId: string;
  audience: string;
  request?: RequestInfo;
}

/** An event's own fields, without the base every event of a user shares. */
export type EventFields = AuditEvent extends infer E
  ? E extends AuditEvent
    ? Omit<E, keyof EventBase>
    : never
  : never;

/**
 * Audit emission and the request scope. A public call runs `within` its request info, so every
 * event and provider hook of that call sees the same sanitised request (SECURITY.md LG-01). A
 * failing sink is logged, never allowed to change an outcome.
 */
export class AuditTrail {
  private readonly scope = new AsyncLocalStorage<RequestInfo>();

  constructor(
    private readonly sink: AuditSink | undefined,
    private readonly logger: Logger,
    private readonly clock: Clock,
    /** Runs after the sink: the security timeline and notifier (`security-timeline.ts`). */
    private readonly after?: (event: AuditEvent) => Promise<void>,
  ) {}

  within<T>(request: RequestInfo | undefined, fn: () => Promise<T>): Promise<T> {
    const clean = sanitizeRequest(request);
    return clean ? this.scope.run(clean, fn) : fn();
  }

  get request(): RequestInfo | undefined {
    return this.scope.getStore();
  }

  /** The last time formatted, reused within the same millisecond: every event formats one. */
  private lastAt = { ms: Number.NaN, iso: '' };

  at(): string {
    const ms = this.clock.now();
    if (ms !== this.lastAt.ms) this.lastAt = { ms, iso: new Date(ms).toISOString() };
    return this.lastAt.iso;
  }

  base(user: TwoFactorUser): EventBase {
    const request = this.request;
    return {
      at: this.at(),
      userId: user.id,
      audience: user.audience,
      ...(request ? { request } : {}),
    };
  }

  /**
   * Emits `base(user)` with the event's own fields, in that order, as `{ ...base, ...fields }`
   * would. Built with Object.assign because the V8 of Node 20 takes a slow path for an object
   * spread followed by new keys (about 1.5 µs each, several per sign-in).
   */
  emitFor(user: TwoFactorUser, fields: EventFields): Promise<void> {
    return this.emit(Object.assign(this.base(user), fields));
  }

  async emit(event: AuditEvent): Promise<void> {
    try {
      await this.sink?.emit(event);
    } catch (err) {
      this.logger.error('factorkit: audit sink failed', { type: event.type, error: String(err) });
    }
    await this.after?.(event).catch((err: unknown) => {
      this.logger.error('factorkit: security timeline failed', {
        type: event.type,
        error: String(err),
      });
    });
  }
}
