import type { ConsumeResult } from '@factorkit/core';
import type { Kysely } from 'kysely';
import { lockUser, type SqlContext } from './context.js';
import type { Database } from './schema.js';

/** Recovery codes (hashes only): replaced as a set, consumed one at a time (EN-03, CC-02, CC-05). */
export function replaceRecoveryCodes(
  ctx: SqlContext,
  userId: string,
  hashes: readonly string[],
  now: number,
): Promise<boolean> {
  return ctx.db.transaction().execute(async (trx) => {
    await lockUser(trx, ctx, userId);
    // Only while the user still has a factor (EN-03, CC-05).
    const { n } = await trx
      .selectFrom('factorkit_enrollments')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('user_id', '=', userId)
      .executeTakeFirstOrThrow();
    if (Number(n) === 0) return false;
    await trx.deleteFrom('factorkit_recovery_codes').where('user_id', '=', userId).execute();
    if (hashes.length > 0) {
      await trx
        .insertInto('factorkit_recovery_codes')
        .values(
          hashes.map((code_hash) => ({
            user_id: userId,
            code_hash,
            created_at: now,
            used_at: null,
          })),
        )
        .execute();
    }
    return true;
  });
}

/** `UPDATE ... WHERE used_at IS NULL`: of several racing uses exactly one changes the row (CC-02). */
export async function consumeRecoveryCode(
  db: Kysely<Database>,
  userId: string,
  hash: string,
  now: number,
): Promise<ConsumeResult> {
  const r = await db
    .updateTable('factorkit_recovery_codes')
    .set({ used_at: now })
    .where('user_id', '=', userId)
    .where('code_hash', '=', hash)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  if (Number(r.numUpdatedRows) === 1) return 'consumed';
  // Only tells the two refusals apart (for audit); the decision was made by the UPDATE.
  const row = await db
    .selectFrom('factorkit_recovery_codes')
    .select('used_at')
    .where('user_id', '=', userId)
    .where('code_hash', '=', hash)
    .executeTakeFirst();
  return row ? 'already_used' : 'not_found';
}

export async function countRecoveryCodes(db: Kysely<Database>, userId: string): Promise<number> {
  const { n } = await db
    .selectFrom('factorkit_recovery_codes')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('user_id', '=', userId)
    .where('used_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(n);
}
