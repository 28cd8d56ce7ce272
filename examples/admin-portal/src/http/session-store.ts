/**
 * express-session's store on the portal's database, so sessions survive a restart and two
 * processes on PostgreSQL share them. Hand-written because the maintained stores each cover one
 * engine (connect-pg-simple: PostgreSQL only; the SQLite ones are unmaintained) and the portal
 * runs the same Kysely code on both. Expired rows are ignored on read and swept now and then;
 * a session's expiry is fixed when it is created (an absolute lifetime).
 */
import session from 'express-session';
import type { Kysely } from 'kysely';
import type { PortalTables } from '../db/tables.js';

const DAY_MS = 86_400_000;
const SWEEP_EVERY = 200;

type Callback<T = unknown> = (err?: unknown, value?: T) => void;

export class SqlSessionStore extends session.Store {
  private writes = 0;

  constructor(
    private readonly db: Kysely<PortalTables>,
    private readonly now: () => number = Date.now,
  ) {
    super();
  }

  /**
   * When the row expires, on the portal's clock: express-session dates the cookie by the system
   * clock, which the grace-period tests move away from the portal's (PORTAL_CLOCK_OFFSET_FILE).
   */
  private expiry(sess: session.SessionData): number {
    const expires = sess.cookie?.expires;
    return expires ? this.now() + (new Date(expires).getTime() - Date.now()) : this.now() + DAY_MS;
  }

  override get(sid: string, cb: Callback<session.SessionData | null>): void {
    this.db
      .selectFrom('portal_sessions')
      .select(['data', 'expires_at'])
      .where('sid', '=', sid)
      .executeTakeFirst()
      .then((row) => {
        if (!row || Number(row.expires_at) <= this.now()) return cb(undefined, null);
        cb(undefined, JSON.parse(row.data) as session.SessionData);
      }, cb);
  }

  override set(sid: string, sess: session.SessionData, cb?: Callback): void {
    const row = { sid, data: JSON.stringify(sess), expires_at: this.expiry(sess) };
    this.db
      .insertInto('portal_sessions')
      .values(row)
      .onConflict((oc) =>
        // The expiry is set once, when the row is made: a session lives at most its cookie's
        // lifetime from creation however often it is used (a copied cookie does not live on).
        oc.column('sid').doUpdateSet({ data: row.data }),
      )
      .execute()
      .then(() => this.sweepSometimes())
      .then(
        () => cb?.(),
        (err) => cb?.(err),
      );
  }

  override destroy(sid: string, cb?: Callback): void {
    this.db
      .deleteFrom('portal_sessions')
      .where('sid', '=', sid)
      .execute()
      .then(
        () => cb?.(),
        (err) => cb?.(err),
      );
  }

  /** Use does not extend a session (see `set`): there is nothing to touch. */
  override touch(_sid: string, _sess: session.SessionData, cb?: Callback): void {
    cb?.();
  }

  private async sweepSometimes(): Promise<void> {
    if (++this.writes % SWEEP_EVERY !== 0) return;
    await this.db.deleteFrom('portal_sessions').where('expires_at', '<=', this.now()).execute();
  }
}
