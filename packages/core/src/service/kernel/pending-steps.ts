import { PendingStateError, ProviderError, SecretDecryptError } from '../../errors.js';
import type { SecretBox } from '../../crypto/secret-box.js';
import type { JsonValue, TwoFactorUser } from '../../provider/contract.js';
import type { Clock, RandomSource } from '../../services.js';
import type {
  EnrollmentRecord,
  PendingKind,
  PendingRecord,
  PendingStore,
} from '../../store/types.js';
import type { AuditTrail } from './audit-trail.js';

/** The public part of a pending record, which the sealed payload is bound to. */
export type PendingShell = Pick<PendingRecord, 'id' | 'userId' | 'providerId' | 'kind'>;

/** What a sealed payload holds besides the provider's own state. */
export interface PendingState {
  /** The provider's state for the second half of the step. */
  readonly data: JsonValue;
  /** The step met PROVIDER_UNAVAILABLE; all it can still be used for is `failOpen`. */
  readonly outage: boolean;
  /** The user's generation when the step began (EN-05); absent on steps sealed without one. */
  readonly generation?: number;
  /** The step sent a push (a `push-wait` prompt or a push provider): BF-05 watches its end. */
  readonly push?: boolean;
}

/** 256-bit ids from `RandomSource.token(32)`: anything else is refused before a store lookup. */
const TOKEN_RE = /^[A-Za-z0-9_-]{43}$/;

/**
 * How a challenge of a `statelessChallenge` provider is stored when its state holds nothing but
 * the generation: `fk0.<keyId>.<generation>.<mac>`, an HMAC-SHA256 under a subkey of the key
 * ring over the generation and the step's id, user, provider and kind (`SecretBox.tag`), and no
 * AES-GCM envelope: nothing in it is secret, but the generation must not be altered (EN-05) nor
 * a row minted without the key ring. Such a provider never has challenge state (`seal` refuses
 * any), so the plain form can only ever stand for "no data, no outage, no push"; an outage or a
 * push is still sealed, and a plain row read as an outage marker is refused by `failOpen`. A
 * plain payload on any other step is refused as tampering. One HMAC instead of an AES-GCM seal
 * and open and a random IV is cheaper on every sign-in.
 */
const PLAIN = 'fk0';
const GENERATION_RE = /^(0|[1-9][0-9]{0,14})$/;

/**
 * Pending activations and challenges: server-side, sealed, bound to one user and kind, single
 * use and short-lived (SECURITY.md FL-05, FL-08). The provider's state is sealed with AES-GCM
 * bound to the step's id, user, provider and kind, so a payload copied into another step fails to
 * open.
 */
export class PendingSteps {
  constructor(
    private readonly store: PendingStore,
    private readonly box: SecretBox,
    private readonly random: RandomSource,
    private readonly clock: Clock,
    private readonly ttlMs: number,
    private readonly audit: AuditTrail,
    /** Whether the provider declares `statelessChallenge` (see `PLAIN`). */
    private readonly stateless: (providerId: string) => boolean = () => false,
  ) {}

  newId(): string {
    return this.random.token(32);
  }

  private context(r: PendingShell): string[] {
    return ['pending', r.id, r.userId, r.providerId, r.kind];
  }

  seal(shell: PendingShell, state: PendingState): string {
    if (shell.kind === 'challenge' && this.stateless(shell.providerId)) {
      if (state.data !== null) {
        throw new ProviderError(
          'The two-factor provider declares statelessChallenge but returned challenge state.',
        );
      }
      if (!state.outage && !state.push && state.generation !== undefined)
        return this.box.tag(String(state.generation), this.context(shell));
    }
    return this.box.seal(
      JSON.stringify({
        d: state.data,
        ...(state.outage ? { o: 1 } : {}),
        ...(state.generation === undefined ? {} : { g: state.generation }),
        ...(state.push ? { p: 1 } : {}),
      }),
      this.context(shell),
    );
  }

  open(record: PendingRecord): PendingState {
    if (typeof record.payload === 'string' && record.payload.startsWith(`${PLAIN}.`)) {
      if (record.kind !== 'challenge' || !this.stateless(record.providerId)) {
        throw new SecretDecryptError(
          'A stored step is not sealed, and its provider keeps challenge state: it was altered.',
        );
      }
      const generation = this.box.untag(record.payload, this.context(record));
      if (!GENERATION_RE.test(generation))
        throw new SecretDecryptError('A stored step has no valid generation: it was altered.');
      return { data: null, outage: false, generation: Number(generation) };
    }
    const v = JSON.parse(this.box.open(record.payload, this.context(record))) as {
      d: JsonValue;
      o?: number;
      g?: number;
      p?: number;
    };
    return {
      data: v.d,
      outage: v.o === 1,
      ...(v.g === undefined ? {} : { generation: v.g }),
      ...(v.p === 1 ? { push: true } : {}),
    };
  }

  /** Seals `state` into a new step that lives for the configured TTL, and stores it. */
  async create(
    shell: PendingShell & { enrollmentId?: string },
    state: PendingState,
  ): Promise<PendingRecord> {
    const now = this.clock.now();
    // Field by field rather than `{ ...shell, payload, ... }` (see AuditTrail.emitFor).
    const record: PendingRecord = {
      id: shell.id,
      userId: shell.userId,
      providerId: shell.providerId,
      kind: shell.kind,
      ...(shell.enrollmentId === undefined ? {} : { enrollmentId: shell.enrollmentId }),
      payload: this.seal(shell, state),
      attempts: 0,
      createdAt: now,
      expiresAt: now + this.ttlMs,
    };
    await this.store.create(record);
    return record;
  }

  /**
   * Takes the step for this user and kind, or throws CHALLENGE_NOT_FOUND / CHALLENGE_EXPIRED.
   * A foreign or mistyped id never destroys the real user's step (the store matches all three).
   */
  async take(id: unknown, user: TwoFactorUser, kind: PendingKind): Promise<PendingRecord> {
    return (await this.takeWith(id, user, kind, false)).record;
  }

  /**
   * `take`, and the enrollment the step names, in one store round trip when the pending store
   * can read it (`PendingStore.takeWithEnrollment`); otherwise through `get`, one after the other.
   */
  async takeWithEnrollment(
    id: unknown,
    user: TwoFactorUser,
    kind: PendingKind,
    get: (enrollmentId: string) => Promise<EnrollmentRecord | null>,
  ): Promise<{ record: PendingRecord; enrollment: EnrollmentRecord | null }> {
    const taken = await this.takeWith(id, user, kind, true);
    if (taken.enrollment !== undefined)
      return { record: taken.record, enrollment: taken.enrollment };
    const enrollmentId = taken.record.enrollmentId;
    return { record: taken.record, enrollment: enrollmentId ? await get(enrollmentId) : null };
  }

  private async takeWith(
    id: unknown,
    user: TwoFactorUser,
    kind: PendingKind,
    join: boolean,
  ): Promise<{ record: PendingRecord; enrollment?: EnrollmentRecord | null }> {
    const reject = async (why: 'unknown' | 'foreign' | 'expired' | 'wrong-kind') => {
      await this.audit.emitFor(user, { type: 'pending.rejected', kind, why });
    };
    if (typeof id !== 'string' || !TOKEN_RE.test(id)) {
      await reject('unknown');
      throw new PendingStateError('CHALLENGE_NOT_FOUND');
    }
    const joined =
      join && this.store.takeWithEnrollment
        ? await this.store.takeWithEnrollment(id, user.id, kind)
        : undefined;
    const record = joined === undefined ? await this.store.take(id, user.id, kind) : joined?.record;
    if (!record) {
      const seen = await this.store.peek(id);
      await reject(!seen ? 'unknown' : seen.userId !== user.id ? 'foreign' : 'wrong-kind');
      throw new PendingStateError('CHALLENGE_NOT_FOUND');
    }
    if (this.clock.now() >= record.expiresAt) {
      await reject('expired');
      throw new PendingStateError('CHALLENGE_EXPIRED');
    }
    return joined ? { record, enrollment: joined.enrollment } : { record };
  }

  /** Puts a taken step back, optionally with new provider state or a new attempt count. */
  restore(record: PendingRecord, change: { state?: PendingState; attempts?: number } = {}) {
    return this.store.restore({
      ...record,
      ...(change.state ? { payload: this.seal(record, change.state) } : {}),
      ...(change.attempts === undefined ? {} : { attempts: change.attempts }),
    });
  }

  deleteForUser(userId: string): Promise<number> {
    return this.store.deleteForUser(userId);
  }
}
