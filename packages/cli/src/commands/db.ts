/** `db migrate|status|purge`: store-sql's migrations and the bounded purges. */
import { MIGRATION_NAMES, type SqlStores } from '@factorkit/store-sql';
import type { Kysely } from 'kysely';

export async function dbMigrate(sql: SqlStores) {
  const { applied } = await sql.migrate();
  return {
    result: { applied },
    text: applied.length ? `applied: ${applied.join(', ')}` : 'up to date: nothing to apply',
  };
}

export async function dbStatus(sql: SqlStores) {
  // The migrator's own table, read through the store's (schema-bound) Kysely instance.
  const db = sql.db as unknown as Kysely<{ factorkit_migration: { name: string } }>;
  let applied: string[] = [];
  try {
    applied = (await db.selectFrom('factorkit_migration').select('name').execute()).map(
      (r) => r.name,
    );
  } catch {
    applied = []; // the table does not exist yet: nothing was ever migrated here
  }
  const pending = MIGRATION_NAMES.filter((n) => !applied.includes(n));
  return {
    result: { applied, pending, upToDate: pending.length === 0 },
    text:
      pending.length === 0
        ? `up to date (${applied.length} migrations)`
        : `pending: ${pending.join(', ')}`,
    upToDate: pending.length === 0,
  };
}

/** Expired pending steps, and timeline entries older than `days` (1000 per call, repeated). */
export async function dbPurge(sql: SqlStores, days: number, now = Date.now()) {
  const pending = await sql.stores.pending.purgeExpired(now);
  let timeline = 0;
  const olderThan = now - days * 86_400_000;
  for (;;) {
    const n = await sql.stores.enrollments.purgeSecurityEvents(olderThan);
    timeline += n;
    if (n === 0) break;
  }
  return {
    result: { pendingRemoved: pending, timelineRemoved: timeline, olderThan },
    text: `removed ${pending} expired pending step(s) and ${timeline} timeline entr${timeline === 1 ? 'y' : 'ies'} older than ${days} day(s)`,
  };
}
