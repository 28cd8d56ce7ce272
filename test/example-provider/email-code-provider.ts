/**
 * A tiny example provider, written only against @factorkit/core's public exports, as a provider
 * author outside this repository would. It mails a one-time code (through an injected outbox)
 * and checks it. Core does the rest: pending state, throttling, encryption, recovery codes.
 */
import { timingSafeEqual } from 'node:crypto';
import {
  CORE_VERSION,
  Field,
  RandomSource,
  v,
  type Begun,
  type ChallengePrompt,
  type CodeEntryPrompt,
  type JsonValue,
  type ProviderContext,
  type TwoFactorProvider,
  type TwoFactorUser,
  type VerifyOutcome,
} from '@factorkit/core';

export class EmailCodeSettings {
  @Field({ label: 'Code length', help: 'Digits in each mailed code.' })
  @v.IsIn([6, 8], { message: 'must be 6 or 8' })
  digits: number = 6;

  @Field({ label: 'Mail subject' })
  @v.IsString()
  @v.Length(1, 80)
  subject: string = 'Your sign-in code';
}

export type Outbox = (to: string, subject: string, code: string) => void;
type Enrollment = { address: string };

export class EmailCodeProvider implements TwoFactorProvider<EmailCodeSettings, Enrollment> {
  readonly id = 'email-code';
  readonly displayName = 'Code by email';
  readonly coreVersion = `^${CORE_VERSION}`;
  readonly configSchema = EmailCodeSettings;
  readonly capabilities = {
    interactive: true,
    outOfBand: 'none',
    replayCounter: false,
    retryableChallenge: true,
  } as const;

  constructor(
    private readonly random: RandomSource,
    private readonly outbox: Outbox,
  ) {}

  private send(ctx: ProviderContext<EmailCodeSettings>, to: string): Begun<CodeEntryPrompt> {
    const n = Buffer.from(this.random.bytes(6)).readUIntBE(0, 6) % 10 ** ctx.config.digits;
    const code = n.toString().padStart(ctx.config.digits, '0');
    this.outbox(to, ctx.config.subject, code);
    return {
      prompt: {
        kind: 'code-entry',
        digits: ctx.config.digits,
        message: `We mailed a code to ${to}.`,
      },
      pending: { code },
    };
  }

  private check(
    ctx: ProviderContext<EmailCodeSettings>,
    pending: JsonValue,
    input: unknown,
  ): VerifyOutcome {
    const expected = (pending as { code: string }).code;
    if (typeof input !== 'string' || !new RegExp(`^[0-9]{${ctx.config.digits}}$`).test(input))
      return { ok: false, reason: 'INVALID_FORMAT' };
    return timingSafeEqual(Buffer.from(input), Buffer.from(expected))
      ? { ok: true, method: 'email' }
      : { ok: false, reason: 'INVALID_CODE' };
  }

  async beginActivation(ctx: ProviderContext<EmailCodeSettings>, user: TwoFactorUser) {
    if (!user.email) throw new Error('user has no email address');
    return this.send(ctx, user.email);
  }

  async completeActivation(
    ctx: ProviderContext<EmailCodeSettings>,
    user: TwoFactorUser,
    pending: JsonValue,
    input: unknown,
  ) {
    const r = this.check(ctx, pending, input);
    return r.ok
      ? { ok: true as const, enrollment: { address: user.email! }, label: `Email ${user.email}` }
      : r;
  }

  async beginChallenge(
    ctx: ProviderContext<EmailCodeSettings>,
    _user: TwoFactorUser,
    enrollment: Enrollment,
  ): Promise<Begun<ChallengePrompt>> {
    return this.send(ctx, enrollment.address);
  }

  async verify(
    ctx: ProviderContext<EmailCodeSettings>,
    _user: TwoFactorUser,
    _e: Enrollment,
    pending: JsonValue,
    input: unknown,
  ) {
    return this.check(ctx, pending, input);
  }
}
