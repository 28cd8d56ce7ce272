/**
 * Keeps core's audit events in the portal's database (`portal_audit`) for the admin area's
 * audit log. Events never carry a secret or a code (core's rule), so the whole event is kept
 * as JSON beside the columns the log filters on. A write that fails is reported to `onError`
 * and does not fail the user's sign-in: the audit trail is evidence, not a gate.
 */
import type { AuditEvent, AuditSink } from '@factorkit/core';
import type { Kysely } from 'kysely';
import type { PortalTables } from '../db/tables.js';

export class SqlAuditSink implements AuditSink {
  constructor(
    private readonly db: Kysely<PortalTables>,
    private readonly onError: (error: unknown) => void,
  ) {}

  async emit(event: AuditEvent): Promise<void> {
    // Not every event is about a user (provider.unhealthy) or a request.
    const e = event as AuditEvent & {
      userId?: string;
      providerId?: string;
      actorId?: string;
      request?: { ip?: string };
    };
    try {
      await this.db
        .insertInto('portal_audit')
        .values({
          at: Date.parse(event.at),
          type: event.type,
          user_id: e.userId ?? null,
          actor_id: e.actorId ?? null,
          provider_id: e.providerId ?? null,
          ip: e.request?.ip ?? null,
          detail: JSON.stringify(event),
        })
        .execute();
    } catch (err) {
      this.onError(err);
    }
  }
}
