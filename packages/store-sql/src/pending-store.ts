import type { EnrollmentRecord, PendingKind, PendingRecord, PendingStore } from '@factorkit/core';
import type { Selectable } from 'kysely';
import type { SqlContext } from './context.js';
import type { SqlEnrollmentStore } from './enrollment-store.js';
import {
  CREATE_SWEEPING,
  RESTORE,
  TAKE,
  pendingColumns,
  sweepExpired,
} from './pending-statements.js';
import { takeWithEnrollment } from './sign-in-reads.js';
import { toNumber, type PendingTable } from './schema.js';

function toRecord(r: Selectable<PendingTable>): PendingRecord {
  return {
    id: r.id,
    kind: r.kind as PendingKind,
    userId: r.user_id,
    providerId: r.provider_id,
    ...(r.enrollment_id === null ? {} : { enrollmentId: r.enrollment_id }),
    payload: r.payload,
    attempts: Number(r.attempts),
    createdAt: toNumber(r.created_at),
    expiresAt: toNumber(r.expires_at),
  };
}

/**
 * Pending activations and challenges in SQL. A host running several instances may keep these in
 * Redis instead (@factorkit/store-redis); this store is the single-node and embedded default.
 */
export class SqlPendingStore implements PendingStore {
  /**
   * @param joinedEnrollments the enrollment store of the same database, which
   *   `takeWithEnrollment` reads from (core uses it only when it was given that very store).
   */
  constructor(
    private readonly ctx: SqlContext,
    readonly joinedEnrollments: SqlEnrollmentStore,
  ) {}

  private get db() {
    return this.ctx.db;
  }

  /**
   * Sweeps expired records, then inserts. The sweep removes every expired record of this user
   * and at most `SWEEP_BATCH` of other users', all expired at least the grace period before
   * `record.createdAt`. Bounded, so a create never pays for a large backlog at once (say, right
   * after an upgrade); yet each create removes up to that many while adding one, so a backlog
   * only shrinks and the table holds about the steps still live. No host job is needed.
   */
  async create(record: PendingRecord): Promise<void> {
    const cutoff = record.createdAt - this.ctx.pendingGraceMs;
    if (this.ctx.dialect === 'postgres') {
      // One round trip: the sweep as a data-modifying CTE of the insert. It cannot meet the new
      // row (a CTE and its statement see the same snapshot, and the row is not in it yet).
      await CREATE_SWEEPING.rows(this.db, record.userId, cutoff, ...pendingColumns(record));
      return;
    }
    // SQLite runs no data-modifying CTE; its statements cost no round trip either.
    await sweepExpired(this.db, record.userId, cutoff, false).execute();
    await this.db.insertInto('factorkit_pending').values(toRow(record)).execute();
  }

  /**
   * `DELETE ... WHERE id AND user_id AND kind RETURNING *`: the delete is the decision, so of many
   * racing takes exactly one gets the row (DU-09), and a foreign id deletes nothing.
   */
  async take(id: string, userId: string, kind: PendingKind): Promise<PendingRecord | null> {
    const r = await TAKE.first(this.db, id, userId, kind);
    return r ? toRecord(r) : null;
  }

  /** `take` and the record's enrollment in one statement on PostgreSQL (see sign-in-reads.ts). */
  takeWithEnrollment(
    id: string,
    userId: string,
    kind: PendingKind,
  ): Promise<{ record: PendingRecord; enrollment: EnrollmentRecord | null } | null> {
    return takeWithEnrollment(
      this.ctx,
      id,
      userId,
      kind,
      () => this.take(id, userId, kind),
      (e) => this.joinedEnrollments.get(e),
      toRecord,
    );
  }

  async restore(record: PendingRecord): Promise<void> {
    await RESTORE.rows(this.db, ...pendingColumns(record));
  }

  async peek(id: string): Promise<Pick<PendingRecord, 'userId' | 'kind' | 'expiresAt'> | null> {
    const r = await this.db
      .selectFrom('factorkit_pending')
      .select(['user_id', 'kind', 'expires_at'])
      .where('id', '=', id)
      .executeTakeFirst();
    return r
      ? { userId: r.user_id, kind: r.kind as PendingKind, expiresAt: toNumber(r.expires_at) }
      : null;
  }

  async deleteForUser(userId: string): Promise<number> {
    const r = await this.db
      .deleteFrom('factorkit_pending')
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  /**
   * Deletes every record that expired at or before `now` (core refuses them anyway) and returns
   * how many went. Optional: `create` already sweeps as it goes, so the table stays near the
   * number of live steps without it; a host may call it to empty the table in one go (e.g.
   * after a long quiet period, when no create has run to sweep).
   */
  async purgeExpired(now: number): Promise<number> {
    const r = await this.db
      .deleteFrom('factorkit_pending')
      .where('expires_at', '<=', now)
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}

function toRow(record: PendingRecord) {
  return {
    id: record.id,
    kind: record.kind,
    user_id: record.userId,
    provider_id: record.providerId,
    enrollment_id: record.enrollmentId ?? null,
    payload: record.payload,
    attempts: record.attempts,
    created_at: record.createdAt,
    expires_at: record.expiresAt,
  };
}
