import { AsyncLocalStorage } from 'node:async_hooks';
import type { AudiencePolicy, DeploymentConfig } from '../config/deployment.js';
import { SecretBox } from '../crypto/secret-box.js';
import {
  canonicalRecoveryCode,
  formatRecoveryCode,
  generateRecoveryCode,
  hashRecoveryCode,
} from '../crypto/recovery-codes.js';
import {
  CodeAlreadyUsedError,
  FactorkitError,
  InvalidArgumentError,
  InvalidCodeError,
  InvalidFormatError,
  LockedError,
  PendingStateError,
  PolicyError,
  ProviderDeniedError,
  ProviderError,
  ProviderNotFoundError,
  ProviderUnavailableError,
  RateLimitedError,
  StoreUnavailableError,
} from '../errors.js';
import type { AuditEvent, AuditSink } from '../events.js';
import {
  allowedProviders,
  decideRequirement,
  type AudienceDryRun,
  type PolicyOverride,
  type Requirement,
} from '../policy/policy.js';
import {
  PROMPT_KINDS,
  VERIFY_FAILURE_REASONS,
  type ActivationPrompt,
  type ChallengePrompt,
  type JsonValue,
  type ProviderContext,
  type ProviderQuota,
  type RequestInfo,
  type TwoFactorProvider,
  type TwoFactorUser,
  type VerifyFailureReason,
} from '../provider/contract.js';
import type { ProviderRegistry } from '../provider/registry.js';
import {
  EnrollmentConflictError,
  type EnrollmentRecord,
  type FactorkitStores,
  type PendingKind,
  type PendingRecord,
  type ThrottleSchedule,
  type ThrottleTicket,
} from '../store/types.js';

export interface TwoFactorServiceOptions {
  registry: ProviderRegistry;
  config: DeploymentConfig;
  stores: FactorkitStores;
  audit?: AuditSink;
}

export interface ActivationStarted {
  readonly activationId: string;
  readonly providerId: string;
  readonly prompt: ActivationPrompt;
  readonly expiresAt: number;
}

export interface ActivationCompleted {
  readonly ok: true;
  readonly enrollmentId: string;
  readonly providerId: string;
  readonly label: string | null;
  /** Shown once, in display form; present only when this activation issued them. */
  readonly recoveryCodes?: readonly string[];
}

export interface StillWaiting {
  readonly ok: false;
  readonly waiting: true;
  /** The same id: poll again after `pollIntervalMs`. */
  readonly id: string;
}

export interface ChallengeStarted {
  readonly challengeId: string;
  readonly providerId: string;
  readonly prompt: ChallengePrompt;
  readonly expiresAt: number;
}

/** The only value that means "second factor passed". Hosts must check `ok === true`. */
export interface SecondFactorSuccess {
  readonly ok: true;
  readonly userId: string;
  readonly providerId: string;
  /** The method used, for the session's `amr` (e.g. `totp`, `push`, `recovery-code`). */
  readonly method: string;
  /** True when granted because the provider was down and policy allowed failing open (AAL1). */
  readonly failOpen: boolean;
  readonly recoveryCodesRemaining?: number;
  readonly lowRecoveryCodes?: boolean;
}

export interface EnrollmentSummary {
  readonly id: string;
  readonly providerId: string;
  readonly label: string | null;
  readonly createdAt: number;
  readonly lastUsedAt: number | null;
}

export interface AdminAction {
  /** Who acts (the admin's own user id). */
  readonly actorId: string;
  /** Why: required, kept in the audit event. */
  readonly reason: string;
}

export interface KeyRotationReport {
  readonly rotated: number;
  readonly unchanged: number;
  readonly failed: readonly { readonly enrollmentId: string; readonly code: string }[];
}

const TOKEN_RE = /^[A-Za-z0-9_-]{43}$/;
const COUNTED: ReadonlySet<VerifyFailureReason> = new Set([
  'INVALID_FORMAT',
  'INVALID_CODE',
  'DENIED',
  'STATE_MISMATCH',
  'USERNAME_MISMATCH',
  'ERROR',
]);

type Outcome =
  | { ok: true; counter?: number; method?: string; enrollment?: JsonValue; label?: string }
  | {
      ok: false;
      reason: VerifyFailureReason | 'WAITING';
      detail?: string;
      pending?: JsonValue;
      retry?: boolean;
    };

/**
 * Runs enrollment and login for a host. Everything that decides a security outcome happens
 * here or atomically in the stores: providers only speak their protocol.
 */
export class TwoFactorService {
  private readonly registry: ProviderRegistry;
  private readonly config: DeploymentConfig;
  private readonly stores: FactorkitStores;
  private readonly audit: AuditSink | undefined;
  private readonly box: SecretBox;
  private readonly schedule: ThrottleSchedule;
  private readonly requestScope = new AsyncLocalStorage<RequestInfo>();

  constructor(options: TwoFactorServiceOptions) {
    const stores = options?.stores as unknown as Record<
      string,
      Record<string, unknown> | undefined
    >;
    const need: [string, string[]][] = [
      ['enrollments', ['activate', 'listByUser', 'advanceCounter', 'consumeRecoveryCode']],
      ['pending', ['create', 'take', 'restore']],
      ['throttle', ['reserve', 'refund', 'reset', 'inspect']],
    ];
    for (const [name, methods] of need) {
      const s = stores?.[name];
      if (!s || methods.some((m) => typeof s[m] !== 'function')) {
        throw new InvalidArgumentError(
          `stores.${name} is missing or incomplete: pass { enrollments, pending, throttle } (e.g. new MemoryStore(), or the .stores of openSqlStores()).`,
        );
      }
    }
    this.registry = options.registry;
    this.config = options.config;
    this.stores = options.stores;
    this.audit = options.audit;
    this.box = new SecretBox(options.config.encryption, options.registry.random);
    const t = options.config.policy.throttle;
    this.schedule = {
      freeFailures: t.freeFailures,
      baseDelayMs: t.baseDelaySeconds * 1000,
      maxDelayMs: t.maxDelaySeconds * 1000,
      lockAfter: t.maxFailures,
      lockMs: t.lockSeconds * 1000,
      permanentAfter: t.permanentLockAfter,
    };
  }

  // ------------------------------------------------------------------ helpers

  private now(): number {
    return this.registry.clock.now();
  }

  private async emit(event: AuditEvent): Promise<void> {
    if (!this.audit) return;
    try {
      await this.audit.emit(event);
    } catch (err) {
      this.registry.logger.error('factorkit: audit sink failed', {
        type: event.type,
        error: String(err),
      });
    }
  }

  private base(user: TwoFactorUser): {
    at: string;
    userId: string;
    audience: string;
    request?: RequestInfo;
  } {
    const request = this.requestScope.getStore();
    return {
      at: new Date(this.now()).toISOString(),
      userId: user.id,
      audience: user.audience,
      ...(request ? { request } : {}),
    };
  }

  /** Runs a public call with its request info available to audit events and provider hooks. */
  private within<T>(request: RequestInfo | undefined, fn: () => Promise<T>): Promise<T> {
    const clean = sanitizeRequest(request);
    return clean ? this.requestScope.run(clean, fn) : fn();
  }

  private checkUser(user: TwoFactorUser): void {
    if (
      typeof user !== 'object' ||
      user === null ||
      typeof user.id !== 'string' ||
      user.id.length === 0 ||
      user.id.length > 255 ||
      typeof user.audience !== 'string' ||
      !/^[a-z][a-z0-9_-]{0,31}$/.test(user.audience) ||
      typeof user.username !== 'string'
    ) {
      throw new InvalidArgumentError(
        'user must have a non-empty string id (at most 255 characters), an audience name (lower-case letters, digits, - or _) and a username.',
      );
    }
  }

  /** Wraps a store call: a store failure is never mistaken for a wrong code (catalog OUT-05). */
  private async store<T>(op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (err) {
      if (err instanceof FactorkitError || err instanceof EnrollmentConflictError) throw err;
      throw new StoreUnavailableError(undefined, { cause: err });
    }
  }

  private ctx(
    providerId: string,
    user: TwoFactorUser,
    lastCounter?: number | null,
    pendingId?: string,
  ): ProviderContext {
    const deployment = Object.hasOwn(this.config.providers, providerId)
      ? this.config.providers[providerId]
      : undefined;
    if (!deployment || !deployment.enabled || !this.registry.has(providerId))
      throw new ProviderNotFoundError(providerId);
    return {
      providerId,
      config: deployment.settings,
      audience: user.audience,
      constants: this.config.constants,
      ...(lastCounter === undefined ? {} : { lastCounter }),
      ...(pendingId === undefined ? {} : { pendingId }),
      quota: this.quota(providerId, user.id),
      ...(this.requestScope.getStore() ? { request: this.requestScope.getStore() } : {}),
    };
  }

  private quota(providerId: string, userId: string): ProviderQuota {
    const scoped = (key: string) =>
      `quota:${[providerId, userId, key].map((x) => encodeURIComponent(x)).join(':')}`;
    return {
      take: async (key, limit, windowMs) => {
        if (!Number.isInteger(limit) || limit < 1 || limit > 100 || !(windowMs > 0)) {
          throw new InvalidArgumentError('quota limit must be 1..100 and the window positive');
        }
        const now = this.now();
        const window = Math.ceil(windowMs);
        // A used-up window that has ended starts afresh (the reservation count only grows
        // otherwise, and would then allow one take per window). Two instances may both reset
        // here; that can only give back a window that had already ended.
        const state = await this.store(() => this.stores.throttle.inspect(scoped(key)));
        if (state.failures >= limit && now >= state.blockedUntil) {
          await this.store(() => this.stores.throttle.reset(scoped(key)));
        }
        const r = await this.store(() =>
          this.stores.throttle.reserve(scoped(key), now, {
            freeFailures: limit,
            baseDelayMs: 0,
            maxDelayMs: 0,
            lockAfter: limit,
            lockMs: window,
            permanentAfter: Number.MAX_SAFE_INTEGER,
          }),
        );
        return r.ok
          ? { ok: true }
          : { ok: false, retryAfterMs: Math.max(0, (r.retryAt ?? now) - now) };
      },
      release: async (key) => {
        await this.store(() => this.stores.throttle.reset(scoped(key)));
      },
    };
  }

  /** Own-property lookup: an audience named `constructor` or `__proto__` has no policy. */
  private audiencePolicy(audience: string): AudiencePolicy | undefined {
    const all = this.config.policy.audiences;
    return Object.hasOwn(all, audience) ? all[audience] : undefined;
  }

  private allowed(user: TwoFactorUser): string[] {
    return allowedProviders(this.config, user.audience).filter((id) => this.registry.has(id));
  }

  private provider(id: string): TwoFactorProvider {
    return this.registry.get(id);
  }

  private newToken(): string {
    return this.registry.random.token(32);
  }

  private pendingContext(
    r: Pick<PendingRecord, 'id' | 'userId' | 'providerId' | 'kind'>,
  ): string[] {
    return ['pending', r.id, r.userId, r.providerId, r.kind];
  }

  /** Seals a provider's pending state; `outage` marks a step that met PROVIDER_UNAVAILABLE. */
  private sealPending(
    r: Pick<PendingRecord, 'id' | 'userId' | 'providerId' | 'kind'>,
    data: JsonValue,
    outage: boolean,
  ): string {
    return this.box.seal(
      JSON.stringify({ d: data, ...(outage ? { o: 1 } : {}) }),
      this.pendingContext(r),
    );
  }

  private openPending(r: PendingRecord): { data: JsonValue; outage: boolean } {
    const v = JSON.parse(this.box.open(r.payload, this.pendingContext(r))) as {
      d: JsonValue;
      o?: number;
    };
    return { data: v.d, outage: v.o === 1 };
  }

  private enrollmentContext(r: Pick<EnrollmentRecord, 'id' | 'userId' | 'providerId'>): string[] {
    return ['enrollment', r.userId, r.providerId, r.id];
  }

  private openEnrollment(r: EnrollmentRecord): JsonValue {
    return JSON.parse(this.box.open(r.secret, this.enrollmentContext(r))) as JsonValue;
  }

  /** Only a plain object with exactly `ok: true` is a success (catalog FL-03, invariant 1). */
  private normalise(raw: unknown, kind: 'verify' | 'activation'): Outcome {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      return { ok: false, reason: 'ERROR', detail: `provider ${kind} returned a non-object` };
    }
    const o = raw as Record<string, unknown>;
    if (o['ok'] === true) {
      const counter = o['counter'];
      if (
        counter !== undefined &&
        (typeof counter !== 'number' || !Number.isSafeInteger(counter) || counter < 0)
      ) {
        return { ok: false, reason: 'ERROR', detail: 'provider returned an invalid counter' };
      }
      const method = typeof o['method'] === 'string' ? o['method'] : undefined;
      if (kind === 'activation') {
        if (!('enrollment' in o) || o['enrollment'] === undefined) {
          return {
            ok: false,
            reason: 'ERROR',
            detail: 'provider activation returned no enrollment',
          };
        }
        const label = typeof o['label'] === 'string' ? o['label'].slice(0, 100) : undefined;
        return {
          ok: true,
          counter: counter,
          method,
          enrollment: o['enrollment'] as JsonValue,
          label,
        };
      }
      return { ok: true, counter: counter, method };
    }
    if (o['ok'] === false) {
      const reason = o['reason'];
      if (reason === 'WAITING')
        return { ok: false, reason, pending: o['pending'] as JsonValue | undefined };
      if (VERIFY_FAILURE_REASONS.includes(reason as VerifyFailureReason)) {
        return {
          ok: false,
          reason: reason as VerifyFailureReason,
          detail: typeof o['detail'] === 'string' ? o['detail'] : undefined,
          ...(typeof o['retry'] === 'boolean' ? { retry: o['retry'] } : {}),
        };
      }
    }
    return {
      ok: false,
      reason: 'ERROR',
      detail: `provider ${kind} returned an unrecognised outcome`,
    };
  }

  /** Runs a provider hook; anything thrown becomes a failure outcome, never a success. */
  private async runHook(
    kind: 'verify' | 'activation',
    fn: () => Promise<unknown>,
  ): Promise<Outcome> {
    try {
      return this.normalise(await fn(), kind);
    } catch (err) {
      if (err instanceof FactorkitError) {
        const map: Partial<Record<string, VerifyFailureReason>> = {
          PROVIDER_UNAVAILABLE: 'UNAVAILABLE',
          INVALID_FORMAT: 'INVALID_FORMAT',
          INVALID_CODE: 'INVALID_CODE',
          PROVIDER_DENIED: 'DENIED',
          STATE_MISMATCH: 'STATE_MISMATCH',
          USERNAME_MISMATCH: 'USERNAME_MISMATCH',
          CHALLENGE_EXPIRED: 'EXPIRED',
          PUSH_RATE_LIMITED: 'PUSH_RATE_LIMITED',
        };
        return { ok: false, reason: map[err.code] ?? 'ERROR', detail: err.message };
      }
      this.registry.logger.error('factorkit: provider hook threw', {
        kind,
        error: err instanceof Error ? err.name : typeof err,
      });
      return { ok: false, reason: 'ERROR', detail: 'provider hook threw' };
    }
  }

  private async begin<P>(
    fn: () => Promise<unknown>,
    kinds: readonly string[],
  ): Promise<{ prompt: P; pending: JsonValue }> {
    let r: unknown;
    try {
      r = await fn();
    } catch (err) {
      if (err instanceof FactorkitError) throw err;
      throw new ProviderError('The two-factor provider failed to start this step.', { cause: err });
    }
    const o = r as { prompt?: { kind?: unknown }; pending?: unknown } | null;
    if (
      !o ||
      typeof o !== 'object' ||
      !o.prompt ||
      typeof o.prompt !== 'object' ||
      !kinds.includes(o.prompt.kind as string)
    ) {
      throw new ProviderError('The two-factor provider returned an invalid prompt.');
    }
    return { prompt: o.prompt as P, pending: (o.pending ?? null) as JsonValue };
  }

  private failureError(reason: VerifyFailureReason, retryable: boolean): FactorkitError {
    const details = { retryable };
    switch (reason) {
      case 'INVALID_FORMAT':
        return new InvalidFormatError(undefined, { details });
      case 'INVALID_CODE':
        return new InvalidCodeError(undefined, { details });
      case 'DENIED':
        return new ProviderDeniedError(undefined, { details });
      case 'EXPIRED':
        return new PendingStateError('CHALLENGE_EXPIRED');
      case 'STATE_MISMATCH':
        return new FactorkitError(
          'STATE_MISMATCH',
          'The answer does not belong to this sign-in. Start again.',
          { details },
        );
      case 'USERNAME_MISMATCH':
        return new FactorkitError(
          'USERNAME_MISMATCH',
          'The second factor was completed for another account.',
          { details },
        );
      case 'UNAVAILABLE':
        return new ProviderUnavailableError(undefined, { details });
      case 'PUSH_RATE_LIMITED':
        return new FactorkitError(
          'PUSH_RATE_LIMITED',
          'Too many push requests. Wait before asking for another.',
          { details },
        );
      case 'ERROR':
        return new ProviderError(undefined, { details });
    }
  }

  /** The throttle key of a user: their internal id, namespaced so no other key can collide. */
  private userKey(user: TwoFactorUser): string {
    return `user:${encodeURIComponent(user.id)}`;
  }

  private async reserveAttempt(user: TwoFactorUser): Promise<ThrottleTicket> {
    const now = this.now();
    const r = await this.store(() =>
      this.stores.throttle.reserve(this.userKey(user), now, this.schedule),
    );
    if (r.ok) return { failures: r.failures, previousBlockedUntil: r.previousBlockedUntil };
    const after = r.retryAt === null ? null : Math.max(1, Math.ceil((r.retryAt - now) / 1000));
    if (r.locked) throw new LockedError(after);
    throw new RateLimitedError(after ?? 1);
  }

  private async afterCountedFailure(user: TwoFactorUser, failures: number): Promise<void> {
    if (failures >= this.schedule.lockAfter) {
      await this.emit({
        ...this.base(user),
        type: 'locked',
        failures,
        permanent: failures >= this.schedule.permanentAfter,
      });
    }
  }

  private async takePending(
    id: unknown,
    user: TwoFactorUser,
    kind: PendingKind,
  ): Promise<PendingRecord> {
    if (typeof id !== 'string' || !TOKEN_RE.test(id)) {
      await this.emit({ ...this.base(user), type: 'pending.rejected', kind, why: 'unknown' });
      throw new PendingStateError('CHALLENGE_NOT_FOUND');
    }
    const record = await this.store(() => this.stores.pending.take(id, user.id, kind));
    if (!record) {
      const seen = await this.store(() => this.stores.pending.peek(id));
      const why = !seen ? 'unknown' : seen.userId !== user.id ? 'foreign' : 'wrong-kind';
      await this.emit({ ...this.base(user), type: 'pending.rejected', kind, why });
      throw new PendingStateError('CHALLENGE_NOT_FOUND');
    }
    if (this.now() >= record.expiresAt) {
      await this.emit({ ...this.base(user), type: 'pending.rejected', kind, why: 'expired' });
      throw new PendingStateError('CHALLENGE_EXPIRED');
    }
    return record;
  }

  private async listUsable(user: TwoFactorUser): Promise<EnrollmentRecord[]> {
    const allowed = this.allowed(user);
    const all = await this.store(() => this.stores.enrollments.listByUser(user.id));
    return all.filter((e) => allowed.includes(e.providerId));
  }

  // ------------------------------------------------------------------ policy

  /** After the password: what the host must do next. Recomputed on every call (catalog EN-04). */
  async requirement(user: TwoFactorUser): Promise<Requirement> {
    this.checkUser(user);
    const policy = this.audiencePolicy(user.audience);
    const allowed = this.allowed(user);
    const enrollments = await this.store(() => this.stores.enrollments.listByUser(user.id));
    const codes =
      enrollments.length > 0
        ? await this.store(() => this.stores.enrollments.countRecoveryCodes(user.id))
        : 0;
    return decideRequirement(
      policy,
      allowed,
      enrollments.map((e) => e.providerId),
      codes,
    );
  }

  /** Providers this user may enroll in or use. */
  availableProviders(user: TwoFactorUser): { id: string; displayName: string }[] {
    this.checkUser(user);
    return this.allowed(user).map((id) => ({ id, displayName: this.provider(id).displayName }));
  }

  async listEnrollments(user: TwoFactorUser): Promise<EnrollmentSummary[]> {
    this.checkUser(user);
    const all = await this.store(() => this.stores.enrollments.listByUser(user.id));
    return all.map((e) => ({
      id: e.id,
      providerId: e.providerId,
      label: e.label,
      createdAt: e.createdAt,
      lastUsedAt: e.lastUsedAt,
    }));
  }

  /**
   * How many users of each audience a policy change would challenge, force to enroll, refuse or
   * let through, before the change is made ("Enable 2FA globally" without locking anyone out).
   */
  async dryRunEnforcement(
    users: Iterable<TwoFactorUser> | AsyncIterable<TwoFactorUser>,
    overrides: Readonly<Record<string, PolicyOverride>> = {},
  ): Promise<Record<string, AudienceDryRun>> {
    const report: Record<string, AudienceDryRun> = {};
    for await (const user of users) {
      this.checkUser(user);
      const current = this.audiencePolicy(user.audience);
      const override = Object.hasOwn(overrides, user.audience)
        ? overrides[user.audience]
        : undefined;
      const policy = current ? { ...current, ...override } : undefined;
      const allowed = policy
        ? allowedProviders(this.config, user.audience, policy).filter((id) => this.registry.has(id))
        : [];
      const enrollments = await this.store(() => this.stores.enrollments.listByUser(user.id));
      const codes =
        enrollments.length > 0
          ? await this.store(() => this.stores.enrollments.countRecoveryCodes(user.id))
          : 0;
      const decision = decideRequirement(
        policy,
        allowed,
        enrollments.map((e) => e.providerId),
        codes,
      );
      const row = (report[user.audience] ??= {
        users: 0,
        enrolled: 0,
        challenge: 0,
        enroll: 0,
        deny: 0,
        skip: 0,
      });
      row.users++;
      if (enrollments.length > 0) row.enrolled++;
      row[decision.action]++;
    }
    return report;
  }

  // ------------------------------------------------------------------ activation

  async beginActivation(
    user: TwoFactorUser,
    providerId: string,
    request?: RequestInfo,
  ): Promise<ActivationStarted> {
    return this.within(request, () => this.beginActivationIn(user, providerId));
  }

  private async beginActivationIn(
    user: TwoFactorUser,
    providerId: string,
  ): Promise<ActivationStarted> {
    this.checkUser(user);
    if (!this.audiencePolicy(user.audience)) {
      throw new PolicyError(
        'POLICY_DENIED',
        `Audience "${user.audience}" has no two-factor policy.`,
      );
    }
    if (!this.allowed(user).includes(providerId)) {
      throw new PolicyError(
        'PROVIDER_NOT_ALLOWED',
        `Provider "${providerId}" is not offered to ${user.audience} users.`,
        {
          details: { providerId },
        },
      );
    }
    const existing = await this.store(() => this.stores.enrollments.listByUser(user.id));
    if (existing.some((e) => e.providerId === providerId)) {
      throw new PolicyError(
        'ALREADY_ENROLLED',
        `This account already uses ${providerId}. Remove it before setting it up again.`,
      );
    }
    const provider = this.provider(providerId);
    const id = this.newToken();
    const ctx = this.ctx(providerId, user, undefined, id);
    const begun = await this.begin<ActivationPrompt>(
      () => provider.beginActivation(ctx, user),
      PROMPT_KINDS,
    );
    const now = this.now();
    const shell = { id, userId: user.id, providerId, kind: 'activation' as const };
    const record: PendingRecord = {
      ...shell,
      payload: this.sealPending(shell, begun.pending, false),
      attempts: 0,
      createdAt: now,
      expiresAt: now + this.config.policy.pending.ttlSeconds * 1000,
    };
    await this.store(() => this.stores.pending.create(record));
    await this.emit({ ...this.base(user), type: 'activation.started', providerId });
    return { activationId: id, providerId, prompt: begun.prompt, expiresAt: record.expiresAt };
  }

  async completeActivation(
    activationId: string,
    user: TwoFactorUser,
    input: unknown,
    request?: RequestInfo,
  ): Promise<ActivationCompleted | StillWaiting> {
    return this.within(request, () => this.completeActivationIn(activationId, user, input));
  }

  private async completeActivationIn(
    activationId: string,
    user: TwoFactorUser,
    input: unknown,
  ): Promise<ActivationCompleted | StillWaiting> {
    this.checkUser(user);
    // Activation answers count against the same per-user budget: a provider whose activation
    // checks a remote secret (a Duo passcode) must not become a free guessing oracle (catalog
    // DA-07, BF-04). What is not a guess is refunded exactly, as in completeChallenge.
    const ticket = await this.reserveAttempt(user);
    const refund = () => this.store(() => this.stores.throttle.refund(this.userKey(user), ticket));
    let record: PendingRecord;
    let pending: JsonValue;
    let provider: TwoFactorProvider;
    let ctx: ProviderContext;
    try {
      record = await this.takePending(activationId, user, 'activation');
      if (!this.allowed(user).includes(record.providerId)) {
        // Disabled, or no longer offered to this audience, since the activation began.
        throw new PolicyError(
          'PROVIDER_NOT_ALLOWED',
          `Provider "${record.providerId}" is not offered to ${user.audience} users.`,
        );
      }
      provider = this.provider(record.providerId);
      pending = this.openPending(record).data;
      ctx = this.ctx(record.providerId, user, undefined, record.id);
    } catch (err) {
      await refund().catch(() => undefined);
      throw err;
    }
    const outcome = await this.runHook('activation', () =>
      provider.completeActivation(ctx, user, pending, input),
    );
    if (!outcome.ok) {
      // Restore first, then refund: if the refund fails, the user's step is not lost.
      const notCounted = !COUNTED.has(outcome.reason as VerifyFailureReason);
      if (outcome.reason === 'WAITING') {
        const payload =
          outcome.pending === undefined
            ? record.payload
            : this.sealPending(record, outcome.pending, false);
        await this.store(() => this.stores.pending.restore({ ...record, payload }));
        await refund();
        return { ok: false, waiting: true, id: record.id };
      }
      const attempts = record.attempts + 1;
      const retryable =
        (outcome.reason === 'INVALID_CODE' ||
          outcome.reason === 'INVALID_FORMAT' ||
          outcome.reason === 'UNAVAILABLE') &&
        attempts < this.config.policy.pending.maxAttempts;
      if (retryable) await this.store(() => this.stores.pending.restore({ ...record, attempts }));
      if (notCounted) await refund();
      await this.emit({
        ...this.base(user),
        type: 'activation.failed',
        providerId: record.providerId,
        reason: outcome.reason,
      });
      if (COUNTED.has(outcome.reason)) await this.afterCountedFailure(user, ticket.failures);
      throw this.failureError(outcome.reason, retryable);
    }
    if (provider.capabilities.replayCounter && outcome.counter === undefined) {
      await this.emit({
        ...this.base(user),
        type: 'activation.failed',
        providerId: record.providerId,
        reason: 'ERROR',
      });
      throw new ProviderError(
        'The provider confirmed activation without reporting the counter used.',
      );
    }

    // A right activation answer is not a failure, but neither is it a sign-in: give the attempt
    // back without resetting earlier failures (only a full second-factor success does that).
    await refund();
    const now = this.now();
    const enrollmentId = this.registry.random.token(16);
    const shell = { id: enrollmentId, userId: user.id, providerId: record.providerId };
    const enrollment: EnrollmentRecord = {
      ...shell,
      label: outcome.label ?? provider.displayName,
      secret: this.box.seal(JSON.stringify(outcome.enrollment), this.enrollmentContext(shell)),
      // The code that confirmed activation seeds replay protection (catalog RP-02).
      counter: outcome.counter ?? null,
      createdAt: now,
      lastUsedAt: null,
    };
    // Always offer a set: the store issues it only if this is the user's first factor, decided
    // inside its transaction (a removal racing this activation cannot leave a lone factor
    // without codes). The set is shown only when issued.
    const codes = this.makeRecoveryCodes();
    let issued: boolean;
    try {
      ({ recoveryCodesIssued: issued } = await this.store(() =>
        this.stores.enrollments.activate({
          enrollment,
          recoveryCodeHashes: codes.map((c) => hashRecoveryCode(user.id, c)),
        }),
      ));
    } catch (err) {
      if (err instanceof EnrollmentConflictError) {
        throw new PolicyError(
          'ALREADY_ENROLLED',
          `This account already uses ${record.providerId}.`,
        );
      }
      throw err;
    }
    await this.emit({
      ...this.base(user),
      type: 'activated',
      providerId: record.providerId,
      enrollmentId,
      recoveryCodesIssued: issued,
    });
    return {
      ok: true,
      enrollmentId,
      providerId: record.providerId,
      label: enrollment.label,
      ...(issued ? { recoveryCodes: codes.map(formatRecoveryCode) } : {}),
    };
  }

  // ------------------------------------------------------------------ login

  async beginChallenge(
    user: TwoFactorUser,
    providerId?: string,
    request?: RequestInfo,
  ): Promise<ChallengeStarted> {
    return this.within(request, () => this.beginChallengeIn(user, providerId));
  }

  private async beginChallengeIn(
    user: TwoFactorUser,
    providerId?: string,
  ): Promise<ChallengeStarted> {
    this.checkUser(user);
    const req = await this.requirement(user);
    if (req.action !== 'challenge' || req.providers.length === 0) {
      throw new PolicyError('NOT_ENROLLED', 'This account has no usable second factor.', {
        details: {
          requirement: req.action,
          recoveryCodes: req.action === 'challenge' && req.recoveryCodes > 0,
        },
      });
    }
    const chosen = providerId ?? req.providers[0]!;
    if (!req.providers.includes(chosen)) {
      throw new PolicyError('NOT_ENROLLED', `This account does not use ${chosen}.`, {
        details: { providerId: chosen },
      });
    }
    // A locked user cannot start a challenge either: no push, no outbound call (catalog DA-07).
    await this.refuseIfLocked(user);
    const enrollment = (await this.listUsable(user)).find((e) => e.providerId === chosen);
    if (!enrollment) throw new PolicyError('NOT_ENROLLED', `This account does not use ${chosen}.`);
    const provider = this.provider(chosen);
    const id = this.newToken();
    const ctx = this.ctx(chosen, user, enrollment.counter, id);
    const data = this.openEnrollment(enrollment);
    const now = this.now();
    const shell = { id, userId: user.id, providerId: chosen, kind: 'challenge' as const };
    const create = (pending: JsonValue, outage: boolean): PendingRecord => ({
      ...shell,
      enrollmentId: enrollment.id,
      payload: this.sealPending(shell, pending, outage),
      attempts: 0,
      createdAt: now,
      expiresAt: now + this.config.policy.pending.ttlSeconds * 1000,
    });
    let begun: { prompt: ChallengePrompt; pending: JsonValue };
    try {
      begun = await this.begin<ChallengePrompt>(
        () => provider.beginChallenge(ctx, user, data),
        ['code-entry', 'redirect', 'push-wait'],
      );
    } catch (err) {
      if (!(err instanceof ProviderUnavailableError)) throw err;
      // Keep an outage marker: the only thing it can be used for is `failOpen(id, user)`.
      await this.store(() => this.stores.pending.create(create(null, true)));
      throw await this.unavailable(user, chosen, id, err);
    }
    const record = create(begun.pending, false);
    await this.store(() => this.stores.pending.create(record));
    await this.emit({ ...this.base(user), type: 'challenge.started', providerId: chosen });
    return {
      challengeId: id,
      providerId: chosen,
      prompt: begun.prompt,
      expiresAt: record.expiresAt,
    };
  }

  private async refuseIfLocked(user: TwoFactorUser): Promise<void> {
    const state = await this.store(() => this.stores.throttle.inspect(this.userKey(user)));
    const now = this.now();
    if (state.failures >= this.schedule.permanentAfter) throw new LockedError(null);
    if (state.failures >= this.schedule.lockAfter && now < state.blockedUntil) {
      throw new LockedError(Math.max(1, Math.ceil((state.blockedUntil - now) / 1000)));
    }
  }

  /**
   * Describes an outage with the user's other factors, so the host offers them first, and the
   * challenge id that `failOpen` needs if policy allows it.
   */
  private async unavailable(
    user: TwoFactorUser,
    providerId: string,
    challengeId: string,
    cause?: unknown,
  ): Promise<ProviderUnavailableError> {
    const others = (await this.listUsable(user))
      .map((e) => e.providerId)
      .filter((id) => id !== providerId);
    const codes = await this.store(() => this.stores.enrollments.countRecoveryCodes(user.id));
    const provider = this.provider(providerId);
    const failOpenPossible =
      others.length === 0 && provider.failOpenAllowed?.(this.ctx(providerId, user)) === true;
    return new ProviderUnavailableError(undefined, {
      cause,
      details: {
        providerId,
        challengeId,
        alternatives: others,
        recoveryCodes: codes > 0,
        failOpenPossible,
      },
    });
  }

  async completeChallenge(
    challengeId: string,
    user: TwoFactorUser,
    input: unknown,
    request?: RequestInfo,
  ): Promise<SecondFactorSuccess | StillWaiting> {
    return this.within(request, () => this.completeChallengeIn(challengeId, user, input));
  }

  private async completeChallengeIn(
    challengeId: string,
    user: TwoFactorUser,
    input: unknown,
  ): Promise<SecondFactorSuccess | StillWaiting> {
    this.checkUser(user);
    // Count the attempt before evaluating it, so parallel guesses cannot exceed the budget
    // (catalog CC-03) and a locked user never reaches the provider (DA-07). What turns out not
    // to be a guess (an unknown id, an outage, a push poll) is refunded exactly.
    const ticket = await this.reserveAttempt(user);
    const failures = ticket.failures;
    const refund = () => this.store(() => this.stores.throttle.refund(this.userKey(user), ticket));
    let record: PendingRecord;
    let enrollment: EnrollmentRecord | null;
    let provider: TwoFactorProvider;
    let sealed: { data: JsonValue; outage: boolean };
    let data: JsonValue;
    try {
      record = await this.takePending(challengeId, user, 'challenge');
      enrollment = record.enrollmentId
        ? await this.store(() => this.stores.enrollments.get(record.enrollmentId!))
        : null;
      if (
        !enrollment ||
        enrollment.userId !== user.id ||
        enrollment.providerId !== record.providerId ||
        !this.allowed(user).includes(record.providerId)
      ) {
        throw new PendingStateError('CHALLENGE_NOT_FOUND');
      }
      provider = this.provider(record.providerId);
      sealed = this.openPending(record);
      if (sealed.outage && !provider.capabilities.retryableChallenge) {
        // A one-shot step that already hit an outage: keep it for failOpen, answer nothing.
        await this.store(() => this.stores.pending.restore(record));
        throw new PendingStateError('CHALLENGE_NOT_FOUND');
      }
      data = this.openEnrollment(enrollment);
    } catch (err) {
      // Not a guess: an unknown/expired id, a removed enrollment, a key-ring fault.
      await refund().catch(() => undefined);
      throw err;
    }
    const ctx = this.ctx(record.providerId, user, enrollment.counter, record.id);
    const outcome = await this.runHook('verify', () =>
      provider.verify(ctx, user, data, sealed.data, input),
    );

    if (outcome.ok) {
      const now = this.now();
      if (provider.capabilities.replayCounter) {
        if (outcome.counter === undefined) {
          await this.emit({
            ...this.base(user),
            type: 'failed',
            providerId: record.providerId,
            reason: 'ERROR',
            failures,
          });
          throw new ProviderError('The provider accepted a code without reporting its counter.');
        }
        const counter = outcome.counter;
        const advanced = await this.store(() =>
          this.stores.enrollments.advanceCounter(enrollment.id, counter, now),
        );
        if (!advanced) {
          const still = await this.store(() => this.stores.enrollments.get(enrollment.id));
          if (!still) {
            // The factor was removed meanwhile: not a guess.
            await refund().catch(() => undefined);
            throw new PendingStateError('CHALLENGE_NOT_FOUND');
          }
          // RFC 6238 §5.2: a code (or an older step's code) is accepted once only.
          await this.emit({
            ...this.base(user),
            type: 'replay.rejected',
            providerId: record.providerId,
            counter,
          });
          await this.emit({
            ...this.base(user),
            type: 'failed',
            providerId: record.providerId,
            reason: 'CODE_ALREADY_USED',
            failures,
          });
          await this.afterCountedFailure(user, failures);
          throw new CodeAlreadyUsedError();
        }
      } else if (!(await this.store(() => this.stores.enrollments.touch(enrollment.id, now)))) {
        // The factor was removed (admin reset, disable) while this answer was in flight.
        await refund().catch(() => undefined);
        throw new PendingStateError('CHALLENGE_NOT_FOUND');
      }
      // Only a full second-factor success resets the failure count (NIST SP 800-63B-4 §3.2.2).
      await this.store(() => this.stores.throttle.reset(this.userKey(user)));
      const method = outcome.method ?? record.providerId;
      await this.emit({
        ...this.base(user),
        type: 'verified',
        providerId: record.providerId,
        method,
      });
      return { ok: true, userId: user.id, providerId: record.providerId, method, failOpen: false };
    }

    // Restore first, then refund: if the refund fails, the user's step is not lost.
    if (outcome.reason === 'WAITING') {
      const payload =
        outcome.pending === undefined
          ? record.payload
          : this.sealPending(record, outcome.pending, false);
      await this.store(() => this.stores.pending.restore({ ...record, payload }));
      await refund();
      return { ok: false, waiting: true, id: record.id };
    }
    if (!COUNTED.has(outcome.reason)) {
      if (outcome.reason === 'UNAVAILABLE') {
        const marked = { ...record, payload: this.sealPending(record, sealed.data, true) };
        await this.store(() => this.stores.pending.restore(marked));
        await refund();
        throw await this.unavailable(user, record.providerId, record.id);
      }
      await refund();
      throw this.failureError(outcome.reason, false);
    }
    const attempts = record.attempts + 1;
    const retryable =
      (outcome.retry ?? provider.capabilities.retryableChallenge) &&
      (outcome.reason === 'INVALID_CODE' || outcome.reason === 'INVALID_FORMAT') &&
      attempts < this.config.policy.pending.maxAttempts;
    if (retryable) await this.store(() => this.stores.pending.restore({ ...record, attempts }));
    await this.emit({
      ...this.base(user),
      type: 'failed',
      providerId: record.providerId,
      reason: outcome.reason,
      failures,
    });
    await this.afterCountedFailure(user, failures);
    throw this.failureError(outcome.reason, retryable);
  }

  /**
   * Grants sign-in without the second factor for a challenge that just failed with
   * PROVIDER_UNAVAILABLE (its id is in that error's details), only when all of these hold:
   * - the user is not locked;
   * - the provider's own config allows failing open for this audience (admins stay closed
   *   unless explicitly opened);
   * - the user has no other usable factor (recovery codes are reported to the host, which
   *   should offer them first);
   * - core itself sees the provider down right now: its health check returns
   *   `{ healthy: false }` or throws ProviderUnavailableError. Any other answer, including a
   *   configuration, signature or TLS error, is not an outage and is refused (catalog OUT-02).
   * The challenge is consumed; every grant is an audit event and is marked `failOpen` (AAL1).
   */
  async failOpen(
    challengeId: string,
    user: TwoFactorUser,
    request?: RequestInfo,
  ): Promise<SecondFactorSuccess> {
    return this.within(request, () => this.failOpenIn(challengeId, user));
  }

  private async failOpenIn(challengeId: string, user: TwoFactorUser): Promise<SecondFactorSuccess> {
    this.checkUser(user);
    await this.refuseIfLocked(user);
    const record = await this.takePending(challengeId, user, 'challenge');
    const { outage } = this.openPending(record);
    const deny = (message: string, details?: Record<string, unknown>): never => {
      throw new PolicyError('POLICY_DENIED', message, details ? { details } : undefined);
    };
    if (!outage) deny('Failing open applies only to a challenge that met an outage.');
    const providerId = record.providerId;
    const req = await this.requirement(user);
    if (req.action !== 'challenge' || !req.providers.includes(providerId)) {
      deny('Failing open applies only to a factor this account uses.');
    }
    const provider = this.provider(providerId);
    const ctx = this.ctx(providerId, user, undefined, record.id);
    if (provider.failOpenAllowed?.(ctx) !== true || !provider.healthCheck) {
      deny(`Failing open is not allowed for ${user.audience} users of ${providerId}.`);
    }
    const others = req.action === 'challenge' ? req.providers.filter((p) => p !== providerId) : [];
    if (others.length > 0) {
      deny('Use another of your factors while this one is unavailable.', { alternatives: others });
    }
    let detail: string;
    try {
      const health: unknown = await provider.healthCheck!(ctx);
      const h = health as { healthy?: unknown; detail?: unknown } | null;
      if (typeof h !== 'object' || h === null || h.healthy !== false) {
        return deny('The provider is not reporting an outage: complete the second factor.');
      }
      detail = typeof h.detail === 'string' ? h.detail : 'unhealthy';
    } catch (err) {
      if (!(err instanceof ProviderUnavailableError)) {
        return deny('The provider failed for a reason other than an outage.');
      }
      detail = 'unavailable';
    }
    // Control characters out (log and terminal injection, ASVS 16.4.1).
    detail = [...detail]
      .map((c) => (c < ' ' || c === '\u007f' ? ' ' : c))
      .join('')
      .slice(0, 200);
    await this.emit({
      type: 'provider.unhealthy',
      at: new Date(this.now()).toISOString(),
      providerId,
      detail,
    });
    await this.emit({ ...this.base(user), type: 'fail-open', providerId, detail });
    return {
      ok: true,
      userId: user.id,
      providerId,
      method: `${providerId}-fail-open`,
      failOpen: true,
    };
  }

  // ------------------------------------------------------------------ recovery codes

  private makeRecoveryCodes(): string[] {
    const out = new Set<string>();
    while (out.size < this.config.policy.recoveryCodes.count)
      out.add(generateRecoveryCode(this.registry.random));
    return [...out];
  }

  /** Signs in with a recovery code; counted in the same failure budget as every factor. */
  async useRecoveryCode(
    user: TwoFactorUser,
    code: unknown,
    request?: RequestInfo,
  ): Promise<SecondFactorSuccess> {
    return this.within(request, () => this.useRecoveryCodeIn(user, code));
  }

  private async useRecoveryCodeIn(
    user: TwoFactorUser,
    code: unknown,
  ): Promise<SecondFactorSuccess> {
    this.checkUser(user);
    const enrollments = await this.store(() => this.stores.enrollments.listByUser(user.id));
    if (enrollments.length === 0)
      throw new PolicyError('NOT_ENROLLED', 'This account has no second factor.');
    const { failures } = await this.reserveAttempt(user);
    const fail = async (reason: string, err: FactorkitError): Promise<never> => {
      await this.emit({ ...this.base(user), type: 'recovery.failed', reason, failures });
      await this.afterCountedFailure(user, failures);
      throw err;
    };
    const canonical = canonicalRecoveryCode(code);
    if (canonical === undefined)
      return fail('INVALID_FORMAT', new InvalidFormatError('That is not a recovery code.'));
    const result = await this.store(() =>
      this.stores.enrollments.consumeRecoveryCode(
        user.id,
        hashRecoveryCode(user.id, canonical),
        this.now(),
      ),
    );
    if (result === 'already_used')
      return fail(
        'CODE_ALREADY_USED',
        new CodeAlreadyUsedError('This recovery code was already used.'),
      );
    if (result !== 'consumed')
      return fail('INVALID_CODE', new InvalidCodeError('That recovery code is not valid.'));
    await this.store(() => this.stores.throttle.reset(this.userKey(user)));
    const remaining = await this.store(() => this.stores.enrollments.countRecoveryCodes(user.id));
    const low = remaining <= this.config.policy.recoveryCodes.lowWatermark;
    await this.emit({ ...this.base(user), type: 'recovery.used', remaining, low });
    return {
      ok: true,
      userId: user.id,
      providerId: 'recovery-code',
      method: 'recovery-code',
      failOpen: false,
      recoveryCodesRemaining: remaining,
      lowRecoveryCodes: low,
    };
  }

  async recoveryCodeStatus(user: TwoFactorUser): Promise<{ remaining: number; low: boolean }> {
    this.checkUser(user);
    const remaining = await this.store(() => this.stores.enrollments.countRecoveryCodes(user.id));
    return { remaining, low: remaining <= this.config.policy.recoveryCodes.lowWatermark };
  }

  /**
   * Issues a new set and revokes the old one at once. Only for a user with a factor (catalog
   * EN-03). The host must require a fresh sign-in with the second factor first (ASVS 7.5.1).
   */
  async regenerateRecoveryCodes(user: TwoFactorUser): Promise<string[]> {
    this.checkUser(user);
    const enrollments = await this.store(() => this.stores.enrollments.listByUser(user.id));
    if (enrollments.length === 0) {
      throw new PolicyError(
        'NOT_ENROLLED',
        'Set up a second factor before creating recovery codes.',
      );
    }
    const codes = this.makeRecoveryCodes();
    // The store re-checks, in the same transaction, that a factor still exists: a reset or the
    // removal of the last factor racing this call can never leave codes behind (catalog CC-05).
    const replaced = await this.store(() =>
      this.stores.enrollments.replaceRecoveryCodes(
        user.id,
        codes.map((c) => hashRecoveryCode(user.id, c)),
        this.now(),
      ),
    );
    if (!replaced) {
      throw new PolicyError(
        'NOT_ENROLLED',
        'Set up a second factor before creating recovery codes.',
      );
    }
    await this.emit({ ...this.base(user), type: 'recovery.regenerated', count: codes.length });
    return codes.map(formatRecoveryCode);
  }

  // ------------------------------------------------------------------ removal and admin

  private async deactivateQuietly(user: TwoFactorUser, e: EnrollmentRecord): Promise<void> {
    const provider = this.registry.has(e.providerId) ? this.provider(e.providerId) : undefined;
    if (!provider?.deactivate || !this.config.providers[e.providerId]?.enabled) return;
    try {
      await provider.deactivate(this.ctx(e.providerId, user), user, this.openEnrollment(e));
    } catch (err) {
      this.registry.logger.warn('factorkit: provider deactivate hook failed', {
        providerId: e.providerId,
        error: err instanceof Error ? err.name : 'unknown',
      });
    }
  }

  /** The user turns off one of their factors, where policy allows. */
  async disable(user: TwoFactorUser, providerId: string): Promise<void> {
    this.checkUser(user);
    const policy = this.audiencePolicy(user.audience);
    if (!policy || !policy.allowUserDisable) {
      throw new PolicyError(
        'POLICY_DENIED',
        'Your organisation does not let you turn off two-factor sign-in. Ask an administrator.',
      );
    }
    const all = await this.store(() => this.stores.enrollments.listByUser(user.id));
    const target = all.find((e) => e.providerId === providerId);
    if (!target) throw new PolicyError('NOT_ENROLLED', `This account does not use ${providerId}.`);
    const allowed = this.allowed(user);
    const usableAfter = all.filter(
      (e) => e.id !== target.id && allowed.includes(e.providerId),
    ).length;
    if (policy.force && usableAfter === 0) {
      throw new PolicyError(
        'POLICY_DENIED',
        'Two-factor sign-in is required for your account: add another factor before removing this one.',
      );
    }
    // While 2FA is forced, the store removes the factor only if another usable one remains,
    // checked in the same transaction (two parallel removals cannot strip the last factor).
    const { removed } = await this.store(() =>
      this.stores.enrollments.remove(user.id, target.id, policy.force ? allowed : undefined),
    );
    if (!removed) {
      throw new PolicyError(
        'POLICY_DENIED',
        'Two-factor sign-in is required for your account: add another factor before removing this one.',
      );
    }
    await this.deactivateQuietly(user, target);
    await this.store(() => this.stores.pending.deleteForUser(user.id));
    await this.emit({
      ...this.base(user),
      type: 'deactivated',
      providerId,
      enrollmentId: target.id,
      by: 'user',
    });
  }

  private checkAdmin(action: AdminAction): void {
    if (typeof action?.actorId !== 'string' || action.actorId.trim() === '') {
      throw new InvalidArgumentError('An admin action needs the actorId of the administrator.');
    }
    if (
      typeof action.reason !== 'string' ||
      action.reason.trim().length < 3 ||
      action.reason.length > 500
    ) {
      throw new InvalidArgumentError(
        'An admin action needs a reason (3 to 500 characters), kept in the audit trail.',
      );
    }
  }

  /**
   * Removes all of a user's two-factor material in one step (enrollments, recovery codes,
   * counters, pending steps, failure count): how an administrator helps a user who lost a device.
   */
  async adminReset(
    action: AdminAction,
    user: TwoFactorUser,
  ): Promise<{ enrollmentsRemoved: number }> {
    this.checkAdmin(action);
    this.checkUser(user);
    const all = await this.store(() => this.stores.enrollments.listByUser(user.id));
    for (const e of all) await this.deactivateQuietly(user, e);
    const removed = await this.store(() => this.stores.enrollments.removeAllForUser(user.id));
    await this.store(() => this.stores.pending.deleteForUser(user.id));
    await this.store(() => this.stores.throttle.reset(this.userKey(user)));
    await this.emit({
      ...this.base(user),
      type: 'admin.reset',
      actorId: action.actorId,
      reason: action.reason.trim(),
      enrollmentsRemoved: removed,
    });
    return { enrollmentsRemoved: removed };
  }

  /** Lifts a lock without removing any factor. */
  async adminUnlock(action: AdminAction, user: TwoFactorUser): Promise<void> {
    this.checkAdmin(action);
    this.checkUser(user);
    await this.store(() => this.stores.throttle.reset(this.userKey(user)));
    await this.emit({
      ...this.base(user),
      type: 'admin.unlocked',
      actorId: action.actorId,
      reason: action.reason.trim(),
    });
  }

  async throttleStatus(
    user: TwoFactorUser,
  ): Promise<{ failures: number; locked: boolean; retryAfter: number | null }> {
    this.checkUser(user);
    const s = await this.store(() => this.stores.throttle.inspect(this.userKey(user)));
    const now = this.now();
    const permanent = s.failures >= this.schedule.permanentAfter;
    const locked = permanent || (s.failures >= this.schedule.lockAfter && now < s.blockedUntil);
    return {
      failures: s.failures,
      locked,
      retryAfter: permanent
        ? null
        : now < s.blockedUntil
          ? Math.ceil((s.blockedUntil - now) / 1000)
          : 0,
    };
  }

  // ------------------------------------------------------------------ keys and health

  /** Re-encrypts every enrollment not yet under the active key (compare-and-set per row). */
  async rotateEncryptionKeys(batchSize = 100): Promise<KeyRotationReport> {
    let after: string | null = null;
    let rotated = 0;
    let unchanged = 0;
    const failed: { enrollmentId: string; code: string }[] = [];
    for (;;) {
      const batch: EnrollmentRecord[] = await this.store(() =>
        this.stores.enrollments.listAll(after, batchSize),
      );
      if (batch.length === 0) break;
      for (const e of batch) {
        if (SecretBox.keyIdOf(e.secret) === this.box.activeKeyId) {
          unchanged++;
          continue;
        }
        try {
          const ctx = this.enrollmentContext(e);
          const next = this.box.seal(this.box.open(e.secret, ctx), ctx);
          if (await this.store(() => this.stores.enrollments.replaceSecret(e.id, e.secret, next)))
            rotated++;
          else failed.push({ enrollmentId: e.id, code: 'CONCURRENT_CHANGE' });
        } catch (err) {
          failed.push({
            enrollmentId: e.id,
            code: err instanceof FactorkitError ? err.code : 'UNKNOWN',
          });
        }
      }
      after = batch[batch.length - 1]!.id;
    }
    return { rotated, unchanged, failed };
  }

  /** Runs each enabled provider's health check (with the given audience's view of its config). */
  async health(): Promise<Record<string, { healthy: boolean; detail?: string }>> {
    const out: Record<string, { healthy: boolean; detail?: string }> = {};
    for (const [id, d] of Object.entries(this.config.providers)) {
      if (!d.enabled || !this.registry.has(id)) continue;
      const p = this.provider(id);
      if (!p.healthCheck) {
        out[id] = { healthy: true, detail: 'no remote dependency' };
        continue;
      }
      try {
        const ctx: ProviderContext = {
          providerId: id,
          config: d.settings,
          audience: d.audiences[0] ?? '',
          constants: this.config.constants,
        };
        out[id] = await p.healthCheck(ctx);
      } catch (err) {
        out[id] = {
          healthy: false,
          detail: err instanceof Error ? err.message : 'health check threw',
        };
      }
      if (!out[id].healthy) {
        await this.emit({
          type: 'provider.unhealthy',
          at: new Date(this.now()).toISOString(),
          providerId: id,
          detail: String(out[id].detail ?? '').slice(0, 200),
        });
      }
    }
    return out;
  }
}

/**
 * Keeps what a host says about a request to plain, short, printable text: it ends up in audit
 * events and logs (ASVS 16.4.1: no control characters, no log injection) and, for the IP, in
 * provider calls.
 */
function sanitizeRequest(request: RequestInfo | undefined): RequestInfo | undefined {
  if (!request || typeof request !== 'object') return undefined;
  const clean = (v: unknown, max: number): string | undefined => {
    if (typeof v !== 'string') return undefined;
    const t = [...v]
      .filter((c) => c >= ' ' && c !== '\u007f')
      .join('')
      .trim()
      .slice(0, max);
    return t.length > 0 ? t : undefined;
  };
  const ip = clean(request.ip, 64);
  const userAgent = clean(request.userAgent, 256);
  const requestId = clean(request.requestId, 128);
  const out = {
    ...(ip && /^[0-9A-Fa-f:.%a-z]+$/.test(ip) ? { ip } : {}),
    ...(userAgent ? { userAgent } : {}),
    ...(requestId ? { requestId } : {}),
  };
  return Object.keys(out).length > 0 ? out : undefined;
}
