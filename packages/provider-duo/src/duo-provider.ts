/**
 * The Duo provider: one provider id (`duo`), two transports chosen by `settings.version`.
 * Switching the flag moves a deployment between the Universal Prompt and the Auth API with no
 * host change: enrollments are transport-neutral (`{ username }`, the name linked at Duo).
 */
import {
  CORE_VERSION,
  Clock,
  Logger,
  Provider,
  ProviderError,
  RandomSource,
  isFactorkitError,
  type ActivationOutcome,
  type ActivationPrompt,
  type Begun,
  type ChallengePrompt,
  type HealthStatus,
  type JsonValue,
  type ProviderContext,
  type TwoFactorProvider,
  type TwoFactorUser,
  type VerifyOutcome,
} from '@factorkit/core';
import { DuoSettings, failmodeFor } from './config/settings.js';
import { DuoCallError, classifyNetworkError, toCoreError } from './failure.js';
import type { OutgoingRequest } from './legacy/auth-api-client.js';
import {
  beginLegacy,
  isLegacyPending,
  legacyCheck,
  verifyLegacy,
  type LegacyDeps,
} from './legacy/legacy-flow.js';
import {
  beginUniversal,
  isUniversalPending,
  universalCheck,
  verifyUniversal,
} from './universal/universal-flow.js';
import { renderUsername, templateFor } from './username.js';

/** What core keeps (encrypted) for a linked Duo account. */
export interface DuoEnrollment {
  [key: string]: JsonValue;
  username: string;
}

type Ctx = ProviderContext<DuoSettings>;

@Provider()
export class DuoProvider implements TwoFactorProvider<DuoSettings, DuoEnrollment> {
  readonly id = 'duo';
  readonly displayName = 'Duo Security';
  readonly coreVersion = `^${CORE_VERSION}`;
  readonly configSchema = DuoSettings;
  readonly capabilities = {
    interactive: true,
    outOfBand: 'redirect',
    replayCounter: false,
    // A Universal callback is one-shot, and so is a push; a wrong legacy passcode says
    // `retry: true` on its own outcome, so the user may type another on the same challenge.
    retryableChallenge: false,
    // A Duo enrollment names the user's one remote Duo account: a second would only alias it.
    multipleEnrollments: false,
  } as const;

  /** Sees every Auth API request (passcodes masked): diagnostics and tests. */
  onOutgoingRequest: ((info: OutgoingRequest) => void) | undefined;
  /** Waits between 429 retries; replaceable in tests to record the delays. */
  retrySleep: ((ms: number) => Promise<void>) | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly random: RandomSource,
  ) {}

  private legacyDeps(): LegacyDeps {
    return {
      now: () => this.clock.now(),
      ...(this.onOutgoingRequest ? { onRequest: this.onOutgoingRequest } : {}),
      ...(this.retrySleep ? { sleep: this.retrySleep } : {}),
      warn: (message, fields) => this.logger.warn(message, fields),
    };
  }

  /** The Duo username for this user (DU-03c: from the record, validated, never login input). */
  duoUsername(ctx: Ctx, user: TwoFactorUser): string {
    const s = ctx.config;
    return renderUsername(
      templateFor(s.usernameTemplate, user.audience),
      user,
      ctx.constants,
      s.lowercaseUsername,
    );
  }

  private fail(err: unknown, what: string): never {
    const classified = err instanceof DuoCallError ? err : undefined;
    if (classified) {
      this.logger[classified.kind === 'outage' ? 'warn' : 'error'](`duo: ${what} failed`, {
        kind: classified.kind,
        detail: classified.detail,
        ...(classified.hint ? { hint: classified.hint } : {}),
        ...(classified.kind === 'tls' ? { security: true } : {}),
      });
      throw toCoreError(classified);
    }
    if (isFactorkitError(err)) throw err;
    const c = classifyNetworkError(err);
    this.logger.error(`duo: ${what} failed`, { kind: c.kind, detail: c.detail });
    throw toCoreError(c);
  }

  private async begin(
    ctx: Ctx,
    user: TwoFactorUser,
    username: string,
    mode: 'activation' | 'challenge',
  ): Promise<Begun<ActivationPrompt>> {
    try {
      if (ctx.config.version === 'legacy')
        return await beginLegacy(ctx, user, username, mode, this.legacyDeps());
      return await beginUniversal(ctx, username, {
        fallbackState: () => this.random.token(32),
      });
    } catch (err) {
      this.fail(err, `begin ${mode}`);
    }
  }

  private async finish(
    ctx: Ctx,
    user: TwoFactorUser,
    pending: JsonValue,
    input: unknown,
    mode: 'activation' | 'challenge',
  ): Promise<VerifyOutcome> {
    try {
      if (ctx.config.version === 'legacy') {
        if (!isLegacyPending(pending))
          return {
            ok: false,
            reason: 'ERROR',
            detail: 'challenge started with the other Duo version',
          };
        return await verifyLegacy(ctx, user, pending, input, this.legacyDeps(), mode);
      }
      if (!isUniversalPending(pending))
        return {
          ok: false,
          reason: 'ERROR',
          detail: 'challenge started with the other Duo version',
        };
      return await verifyUniversal(ctx, pending, input, mode);
    } catch (err) {
      this.fail(err, `verify ${mode}`);
    }
  }

  async healthCheck(ctx: Ctx): Promise<HealthStatus> {
    try {
      if (ctx.config.version === 'legacy') await legacyCheck(ctx.config, this.legacyDeps());
      else await universalCheck(ctx.config);
      return { healthy: true };
    } catch (err) {
      if (isFactorkitError(err)) throw err;
      const c = err instanceof DuoCallError ? err : classifyNetworkError(err);
      if (c.kind === 'outage') return { healthy: false, detail: c.detail };
      // Not an outage: Duo answered (or a TLS check failed). It is thrown as a typed
      // ProviderError, which core never treats as an outage, so a configuration fault or a MITM
      // can never fail open (OUT-02, invariant 7); service.health() still shows it.
      this.logger.error('duo: health check found a configuration or security fault', {
        kind: c.kind,
        detail: c.detail,
        ...(c.hint ? { hint: c.hint } : {}),
      });
      throw toCoreError(c);
    }
  }

  /** Failmode open only for audiences configured so; `admin` only when named (CF-01). */
  failOpenAllowed(ctx: Ctx): boolean {
    return failmodeFor(ctx.config, ctx.audience) === 'open';
  }

  async beginActivation(ctx: Ctx, user: TwoFactorUser): Promise<Begun<ActivationPrompt>> {
    let username: string;
    try {
      username = this.duoUsername(ctx, user);
    } catch (err) {
      this.fail(err, 'username');
    }
    const begun = await this.begin(ctx, user, username, 'activation');
    return begun;
  }

  async completeActivation(
    ctx: Ctx,
    user: TwoFactorUser,
    pending: JsonValue,
    input: unknown,
  ): Promise<ActivationOutcome<DuoEnrollment>> {
    const outcome = await this.finish(ctx, user, pending, input, 'activation');
    if (!outcome.ok) return outcome;
    const username = (pending as { username: string }).username;
    return {
      ok: true,
      enrollment: { username },
      label: `Duo (${username.length > 40 ? username.slice(0, 39) + '…' : username})`,
    };
  }

  async beginChallenge(
    ctx: Ctx,
    user: TwoFactorUser,
    enrollment: DuoEnrollment,
  ): Promise<Begun<ChallengePrompt>> {
    if (typeof enrollment?.username !== 'string' || enrollment.username.length === 0)
      throw new ProviderError('The Duo enrollment has no username.');
    const begun = await this.begin(ctx, user, enrollment.username, 'challenge');
    return begun as Begun<ChallengePrompt>;
  }

  async verify(
    ctx: Ctx,
    user: TwoFactorUser,
    enrollment: DuoEnrollment,
    pending: JsonValue,
    input: unknown,
  ): Promise<VerifyOutcome> {
    const p = pending as { username?: unknown };
    if (p?.username !== enrollment.username)
      return { ok: false, reason: 'ERROR', detail: 'pending challenge for another Duo username' };
    return this.finish(ctx, user, pending, input, 'challenge');
  }
}
