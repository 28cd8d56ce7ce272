/**
 * Writes imported TOTP enrollments in ONE transaction: every row, or none. Core has no bulk
 * import call (its activation path wants a code from each user, one transaction each), so this
 * writes the store's rows itself, sealed exactly as core seals an enrollment (see `sealing.ts`).
 */
import { CryptoRandomSource, SecretBox, type KeyRingConfig } from '@factorkit/core';
import type { Database, SqlStores } from '@factorkit/store-sql';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { ImportRow, RefusedRow } from './rows.js';
import { enrollmentContext, TOTP_PROVIDER_ID } from './sealing.js';

type Db = Kysely<Database>;
type Trx = Transaction<Database>;

/** store-sql's advisory lock class (context.ts), so an import serialises with live activations. */
const ADVISORY_NAMESPACE = 0x666b7431;

export interface WritePlan {
  /** Rows to insert (their user has no TOTP factor, or `replace` is on). */
  readonly insert: ImportRow[];
  /** Users whose existing TOTP factor the import replaces. */
  readonly replace: string[];
  /** Rows refused because the user already has a TOTP factor and `replace` is off. */
  readonly refused: RefusedRow[];
}

/** Thrown inside the transaction to roll it back when a user gained a factor meanwhile. */
export class ImportConflict extends Error {
  constructor(readonly refused: RefusedRow[]) {
    super('users gained a TOTP factor during the import');
  }
}

/** SQLite: a no-op write takes the write lock first, so the read-then-write cannot fail to upgrade. */
async function lockWriter(trx: Trx, dialect: SqlStores['dialect']) {
  if (dialect === 'sqlite')
    await sql`update factorkit_enrollments set id = id where 0 = 1`.execute(trx);
}

async function lockUser(trx: Trx, dialect: SqlStores['dialect'], userId: string) {
  if (dialect === 'postgres')
    await sql`select pg_advisory_xact_lock(${sql.lit(ADVISORY_NAMESPACE)}, hashtext(${userId}))`.execute(
      trx,
    );
}

async function usersWithTotp(db: Db | Trx, userIds: readonly string[]): Promise<Set<string>> {
  const found = new Set<string>();
  // Chunks keep each statement's parameter list well inside SQLite's and PostgreSQL's limits.
  for (let i = 0; i < userIds.length; i += 500) {
    const rows = await db
      .selectFrom('factorkit_enrollments')
      .select('user_id')
      .where('provider_id', '=', TOTP_PROVIDER_ID)
      .where('user_id', 'in', userIds.slice(i, i + 500))
      .execute();
    for (const r of rows) found.add(r.user_id);
  }
  return found;
}

/** What the import would do, read without writing (the dry run, and the check before writing). */
export async function planImport(
  db: Db | Trx,
  rows: readonly ImportRow[],
  replace: boolean,
): Promise<WritePlan> {
  const existing = await usersWithTotp(
    db,
    rows.map((r) => r.userId),
  );
  const plan: WritePlan = { insert: [], replace: [], refused: [] };
  for (const r of rows) {
    if (!existing.has(r.userId)) plan.insert.push(r);
    else if (replace) {
      plan.insert.push(r);
      plan.replace.push(r.userId);
    } else
      plan.refused.push({
        line: r.line,
        userId: r.userId,
        reason: 'the user already has a TOTP factor (use --replace)',
      });
  }
  return plan;
}

/**
 * Inserts every row in one transaction. With `replace`, the user's old TOTP factor goes, their
 * generation is raised and their remembered devices are revoked, as a removal in core does
 * (SECURITY.md EN-05, FL-09). Under each user's lock the plan is checked again; a user who gained
 * a factor since the plan rolls the whole import back.
 */
export async function writeImport(
  store: SqlStores,
  ring: KeyRingConfig,
  rows: readonly ImportRow[],
  replace: boolean,
  /** Called after each row is inserted (the progress bar); the commit comes after the last. */
  onWritten: () => void = () => undefined,
  now = Date.now(),
): Promise<{ inserted: number; replaced: number }> {
  const box = new SecretBox(ring, new CryptoRandomSource());
  const random = new CryptoRandomSource();
  return store.db.transaction().execute(async (trx) => {
    await lockWriter(trx, store.dialect);
    // One order for every import, so two imports running at once cannot deadlock on the locks.
    const users = [...new Set(rows.map((r) => r.userId))].sort();
    for (const userId of users) await lockUser(trx, store.dialect, userId);
    const plan = await planImport(trx, rows, replace);
    if (plan.refused.length > 0) throw new ImportConflict(plan.refused);
    for (const userId of plan.replace) {
      await trx
        .deleteFrom('factorkit_enrollments')
        .where('user_id', '=', userId)
        .where('provider_id', '=', TOTP_PROVIDER_ID)
        .execute();
      await trx.deleteFrom('factorkit_trusted_devices').where('user_id', '=', userId).execute();
      await trx
        .insertInto('factorkit_user_generations')
        .values({ user_id: userId, generation: 1 })
        .onConflict((oc) =>
          oc
            .column('user_id')
            .doUpdateSet({ generation: sql`factorkit_user_generations.generation + 1` }),
        )
        .execute();
    }
    for (const r of plan.insert) {
      const shell = { id: random.token(16), userId: r.userId, providerId: TOTP_PROVIDER_ID };
      const data = { secret: r.secret, algorithm: r.algorithm, digits: r.digits, period: r.period };
      await trx
        .insertInto('factorkit_enrollments')
        .values({
          id: shell.id,
          user_id: r.userId,
          provider_id: TOTP_PROVIDER_ID,
          label: r.label,
          secret: box.seal(JSON.stringify(data), enrollmentContext(shell)),
          counter: null,
          created_at: now,
          last_used_at: null,
        })
        .execute();
      onWritten();
    }
    return { inserted: plan.insert.length, replaced: plan.replace.length };
  });
}
