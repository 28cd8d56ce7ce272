/**
 * A test-only provider with real counter semantics and no secret maths: the code for a 30 s step
 * is a fixed scramble of the step number (so a code never equals its counter), zero-padded.
 * Tests script faults through `behaviour`.
 */
import { IsIn, IsOptional, IsString, Length } from 'class-validator';
import {
  Clock,
  CORE_VERSION,
  Field,
  Provider,
  ProviderUnavailableError,
  type Begun,
  type ChallengePrompt,
  type CodeEntryPrompt,
  type JsonValue,
  type ProviderContext,
  type TwoFactorUser,
  type VerifyOutcome,
  type TwoFactorProvider,
  type HealthStatus,
  type ProviderCapabilities,
  type ActivationOutcome,
} from '../../src/index.js';

export class ClockCodeSettings {
  @Field({ label: 'Label' })
  @IsString()
  @Length(1, 40)
  label: string = 'Clock code';

  @Field({ label: 'Digits' })
  @IsIn([6, 8], { message: 'must be 6 or 8' })
  digits: number = 6;

  @Field({ label: 'API secret', help: 'A pretend remote-service secret.', secret: true })
  @IsOptional()
  @IsString()
  @Length(40, 40, { message: 'must be exactly 40 characters' })
  apiSecret?: string;

  @Field({ label: 'Fail open for' })
  @IsOptional()
  @IsString({ each: true })
  failOpenAudiences?: string[];
}

export type Behaviour =
  | { kind: 'normal' }
  | { kind: 'verify-returns'; value: unknown }
  | { kind: 'verify-throws'; error: unknown }
  | { kind: 'activation-returns'; value: unknown }
  | { kind: 'unavailable' };

export const STEP_MS = 30_000;

export function codeAt(ms: number, digits = 6): string {
  return String((Math.floor(ms / STEP_MS) * 7919 + 12345) % 10 ** digits).padStart(digits, '0');
}

@Provider()
export class ClockCodeProvider implements TwoFactorProvider<ClockCodeSettings, JsonValue> {
  readonly id: string = 'clock-code';
  readonly displayName: string = 'Clock code';
  readonly coreVersion = `^${CORE_VERSION}`;
  readonly configSchema = ClockCodeSettings;
  readonly capabilities: ProviderCapabilities = {
    interactive: true,
    outOfBand: 'none',
    replayCounter: true,
    retryableChallenge: true,
  } as const;
  behaviour: Behaviour = { kind: 'normal' };
  healthy = true;

  constructor(readonly clock: Clock) {}

  private prompt(ctx: ProviderContext<ClockCodeSettings>): CodeEntryPrompt {
    return { kind: 'code-entry', digits: ctx.config.digits };
  }

  private check(ctx: ProviderContext<ClockCodeSettings>, input: unknown): VerifyOutcome {
    if (typeof input !== 'string' || !new RegExp(`^[0-9]{${ctx.config.digits}}$`).test(input))
      return { ok: false, reason: 'INVALID_FORMAT' };
    const now = this.clock.now();
    // Accept the current and the previous step, like a TOTP window of 1.
    for (const t of [now, now - STEP_MS]) {
      if (codeAt(t, ctx.config.digits) === input)
        return { ok: true, counter: Math.floor(t / STEP_MS), method: 'clock-code' };
    }
    return { ok: false, reason: 'INVALID_CODE' };
  }

  async healthCheck(): Promise<HealthStatus> {
    return this.healthy ? { healthy: true } : { healthy: false, detail: 'scripted outage' };
  }

  failOpenAllowed(ctx: ProviderContext<ClockCodeSettings>): boolean {
    return ctx.config.failOpenAudiences?.includes(ctx.audience) ?? false;
  }

  async beginActivation(
    ctx: ProviderContext<ClockCodeSettings>,
    _user: TwoFactorUser,
  ): Promise<Begun<CodeEntryPrompt>> {
    return {
      prompt: this.prompt(ctx),
      pending: { started: this.clock.now(), marker: 'pending-secret-marker' },
    };
  }

  async completeActivation(
    ctx: ProviderContext<ClockCodeSettings>,
    _user: TwoFactorUser,
    _pending: JsonValue,
    input: unknown,
  ) {
    if (this.behaviour.kind === 'activation-returns')
      return this.behaviour.value as ActivationOutcome;
    const r = this.check(ctx, input);
    return r.ok
      ? { ok: true as const, enrollment: { seed: 'enrollment-secret-marker' }, counter: r.counter! }
      : r;
  }

  async beginChallenge(ctx: ProviderContext<ClockCodeSettings>): Promise<Begun<ChallengePrompt>> {
    if (this.behaviour.kind === 'unavailable') throw new ProviderUnavailableError();
    return { prompt: this.prompt(ctx), pending: null };
  }

  async verify(
    ctx: ProviderContext<ClockCodeSettings>,
    _u: TwoFactorUser,
    _e: JsonValue,
    _p: JsonValue,
    input: unknown,
  ): Promise<VerifyOutcome> {
    const b = this.behaviour;
    if (b.kind === 'verify-returns') return b.value as VerifyOutcome;
    if (b.kind === 'verify-throws') throw b.error;
    if (b.kind === 'unavailable') return { ok: false, reason: 'UNAVAILABLE' };
    return this.check(ctx, input);
  }
}
