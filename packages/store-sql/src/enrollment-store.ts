import {
  EnrollmentConflictError,
  LookupKeyTakenError,
  type ActivateInput,
  type ConsumeResult,
  type EnrollmentRecord,
  type EnrollmentStore,
  type GraceDeadline,
  type SecurityEventQuery,
  type SecurityEventRecord,
  type SignInState,
  type TrustDeviceInput,
  type TrustDeviceResult,
  type TrustedDeviceRecord,
} from '@factorkit/core';
import { lockUser, type SqlContext } from './context.js';
import { toRecord } from './enrollment-rows.js';
import { graceDeadline, peekGraceDeadline } from './grace-deadlines.js';
import { findByLookupKey, isLookupKeyConflict } from './lookup-keys.js';
import { appendSecurityEvent, listSecurityEvents, purgeSecurityEvents } from './security-events.js';
import { isUserProviderConflict, refuseAtLimit, renameEnrollment } from './several-enrollments.js';

import { consumeRecoveryCode, countRecoveryCodes, replaceRecoveryCodes } from './recovery-codes.js';
import {
  listTrustedDevices,
  revokeTrustedDevice,
  revokeTrustedDevices,
  deleteTrustedDevices,
  trustDevice,
  useTrustedDevice,
} from './trusted-devices.js';
import { advanceCounterReadingGeneration, signInState } from './sign-in-reads.js';
import { ADVANCE_COUNTER, GET_ENROLLMENT } from './sign-in-statements.js';
import { expectGeneration, raiseGeneration, readGeneration } from './user-generations.js';

/** Enrollments and recovery codes: the durable half of factorkit's state. */
export class SqlEnrollmentStore implements EnrollmentStore {
  constructor(private readonly ctx: SqlContext) {}

  private get db() {
    return this.ctx.db;
  }

  async activate(input: ActivateInput): Promise<{ recoveryCodesIssued: boolean }> {
    const e = input.enrollment;
    const hashes = input.recoveryCodeHashes ?? [];
    try {
      return await this.db.transaction().execute(async (trx) => {
        await lockUser(trx, this.ctx, e.userId);
        await expectGeneration(trx, e.userId, input.generation);
        await refuseAtLimit(trx, e.userId, e.providerId, input.maxPerProvider ?? 1);
        await trx
          .insertInto('factorkit_enrollments')
          .values({
            id: e.id,
            user_id: e.userId,
            provider_id: e.providerId,
            label: e.label,
            secret: e.secret,
            counter: e.counter,
            created_at: e.createdAt,
            last_used_at: e.lastUsedAt,
            // The engine's unique index refuses a key another enrollment holds (WA-12). Only
            // named when given, so writes without one need no column a later migration adds.
            ...(input.lookupKey === undefined ? {} : { lookup_key: input.lookupKey }),
          })
          .execute();
        let issued = false;
        if (hashes.length > 0) {
          // A first factor (no other enrollment) always starts with a fresh set.
          const { n } = await trx
            .selectFrom('factorkit_enrollments')
            .select((eb) => eb.fn.countAll<number | string>().as('n'))
            .where('user_id', '=', e.userId)
            .where('id', '!=', e.id)
            .executeTakeFirstOrThrow();
          if (Number(n) === 0) {
            await trx
              .deleteFrom('factorkit_recovery_codes')
              .where('user_id', '=', e.userId)
              .execute();
            await trx
              .insertInto('factorkit_recovery_codes')
              .values(
                hashes.map((code_hash) => ({
                  user_id: e.userId,
                  code_hash,
                  created_at: e.createdAt,
                  used_at: null,
                })),
              )
              .execute();
            issued = true;
          }
        }
        await this.ctx.hooks?.insideActivation?.(e);
        return { recoveryCodesIssued: issued };
      });
    } catch (err) {
      if (isUserProviderConflict(err)) throw new EnrollmentConflictError();
      if (isLookupKeyConflict(err)) throw new LookupKeyTakenError();
      throw err;
    }
  }

  async get(enrollmentId: string): Promise<EnrollmentRecord | null> {
    const r = await GET_ENROLLMENT.first(this.db, enrollmentId);
    return r ? toRecord(r) : null;
  }

  generation(userId: string): Promise<number> {
    return readGeneration(this.db, userId);
  }

  async listByUser(userId: string): Promise<EnrollmentRecord[]> {
    const rows = await this.db
      .selectFrom('factorkit_enrollments')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(toRecord);
  }

  findByLookupKey(providerId: string, lookupKey: string): Promise<EnrollmentRecord | null> {
    return findByLookupKey(this.db, providerId, lookupKey);
  }

  /** One conditional UPDATE: the engine decides which of several racing writers wins (CC-01). */
  async advanceCounter(enrollmentId: string, counter: number, now: number): Promise<boolean> {
    return (await ADVANCE_COUNTER.affected(this.db, enrollmentId, counter, now)) === 1;
  }

  /** `advanceCounter` and `generation` in one statement on PostgreSQL (see sign-in-reads.ts). */
  advanceCounterReadingGeneration(
    enrollmentId: string,
    userId: string,
    counter: number,
    now: number,
  ): Promise<{ advanced: boolean; generation: number }> {
    return advanceCounterReadingGeneration(this.ctx, enrollmentId, userId, counter, now, () =>
      this.advanceCounter(enrollmentId, counter, now),
    );
  }

  /** `listByUser`, `countRecoveryCodes` and `generation` in one SELECT (see sign-in-reads.ts). */
  signInState(userId: string, withRecoveryCodes: boolean): Promise<SignInState> {
    return signInState(this.ctx, userId, withRecoveryCodes);
  }

  rename(userId: string, enrollmentId: string, label: string): Promise<boolean> {
    return renameEnrollment(this.db, userId, enrollmentId, label);
  }

  async touch(enrollmentId: string, now: number): Promise<boolean> {
    const r = await this.db
      .updateTable('factorkit_enrollments')
      .set({ last_used_at: now })
      .where('id', '=', enrollmentId)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async remove(
    userId: string,
    enrollmentId: string,
    keepOneOf?: readonly string[],
  ): Promise<{ removed: boolean; remaining: number }> {
    return this.db.transaction().execute(async (trx) => {
      await lockUser(trx, this.ctx, userId);
      if (keepOneOf) {
        // While 2FA is forced: remove only if another kept factor remains (same transaction,
        // under the user lock, so two parallel removals cannot both pass).
        const { n } = await trx
          .selectFrom('factorkit_enrollments')
          .select((eb) => eb.fn.countAll<number | string>().as('n'))
          .where('user_id', '=', userId)
          .where('id', '!=', enrollmentId)
          .where('provider_id', 'in', keepOneOf.length > 0 ? [...keepOneOf] : [''])
          .executeTakeFirstOrThrow();
        if (Number(n) === 0) {
          const { total } = await trx
            .selectFrom('factorkit_enrollments')
            .select((eb) => eb.fn.countAll<number | string>().as('total'))
            .where('user_id', '=', userId)
            .executeTakeFirstOrThrow();
          return { removed: false, remaining: Number(total) };
        }
      }
      const del = await trx
        .deleteFrom('factorkit_enrollments')
        .where('id', '=', enrollmentId)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      const { n } = await trx
        .selectFrom('factorkit_enrollments')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .where('user_id', '=', userId)
        .executeTakeFirstOrThrow();
      const remaining = Number(n);
      const removed = Number(del.numDeletedRows) === 1;
      // A factor change revokes remembered devices, in the same transaction (FL-09, FL-11).
      if (removed) {
        await raiseGeneration(trx, userId);
        await deleteTrustedDevices(trx, userId);
      }
      // No recovery codes without a factor (EN-03), in the same transaction.
      if (remaining === 0)
        await trx.deleteFrom('factorkit_recovery_codes').where('user_id', '=', userId).execute();
      return { removed, remaining };
    });
  }

  async removeAllForUser(userId: string): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      await lockUser(trx, this.ctx, userId);
      const del = await trx
        .deleteFrom('factorkit_enrollments')
        .where('user_id', '=', userId)
        .executeTakeFirst();
      await trx.deleteFrom('factorkit_recovery_codes').where('user_id', '=', userId).execute();
      await deleteTrustedDevices(trx, userId);
      await raiseGeneration(trx, userId);
      return Number(del.numDeletedRows);
    });
  }

  async replaceSecret(enrollmentId: string, expected: string, next: string): Promise<boolean> {
    const r = await this.db
      .updateTable('factorkit_enrollments')
      .set({ secret: next })
      .where('id', '=', enrollmentId)
      .where('secret', '=', expected)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async listAll(afterId: string | null, limit: number): Promise<EnrollmentRecord[]> {
    let q = this.db.selectFrom('factorkit_enrollments').selectAll();
    if (afterId !== null) q = q.where('id', '>', afterId);
    const rows = await q.orderBy('id').limit(limit).execute();
    return rows.map(toRecord);
  }

  replaceRecoveryCodes(userId: string, hashes: readonly string[], now: number) {
    return replaceRecoveryCodes(this.ctx, userId, hashes, now);
  }

  consumeRecoveryCode(userId: string, hash: string, now: number): Promise<ConsumeResult> {
    return consumeRecoveryCode(this.db, userId, hash, now);
  }

  countRecoveryCodes(userId: string): Promise<number> {
    return countRecoveryCodes(this.db, userId);
  }

  graceDeadline(userId: string, now: number, graceMs: number): Promise<GraceDeadline> {
    return graceDeadline(this.db, userId, now, graceMs);
  }

  peekGraceDeadline(userId: string): Promise<number | null> {
    return peekGraceDeadline(this.db, userId);
  }

  appendSecurityEvent(entry: SecurityEventRecord, keepPerUser: number): Promise<void> {
    return appendSecurityEvent(this.ctx, entry, keepPerUser);
  }

  listSecurityEvents(userId: string, query: SecurityEventQuery) {
    return listSecurityEvents(this.db, userId, query);
  }

  purgeSecurityEvents(olderThan: number): Promise<number> {
    return purgeSecurityEvents(this.db, olderThan);
  }

  trustDevice(input: TrustDeviceInput): Promise<TrustDeviceResult> {
    return trustDevice(this.ctx, input);
  }

  useTrustedDevice(userId: string, tokenHash: string, now: number) {
    return useTrustedDevice(this.db, userId, tokenHash, now);
  }

  listTrustedDevices(userId: string): Promise<TrustedDeviceRecord[]> {
    return listTrustedDevices(this.db, userId);
  }

  revokeTrustedDevice(userId: string, deviceId: string): Promise<boolean> {
    return revokeTrustedDevice(this.db, userId, deviceId);
  }

  revokeTrustedDevices(userId: string): Promise<number> {
    return revokeTrustedDevices(this.ctx, userId);
  }
}
