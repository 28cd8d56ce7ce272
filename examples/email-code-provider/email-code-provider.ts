/**
 * A tiny example provider, written only against @factorkit/core's public exports, as a provider
 * author outside this repository would (packages/core/README.md is its manual). It mails a
 * one-time code (through an outbox handed to its constructor, so it is registered as an
 * instance) and checks it. Core does the rest: pending state, throttling, encryption, recovery
 * codes. Its conformance test is test/example-provider/conformance.test.ts.
 */
import {
  CORE_VERSION,
  Field,
  ProviderError,
  RandomSource,
  canonicalDigits,
  constantTimeEqual,
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
    const code = canonicalDigits(input, ctx.config.digits);
    if (code === null) return { ok: false, reason: 'INVALID_FORMAT' };
    return constantTimeEqual(code, expected)
      ? { ok: true, method: 'email' }
      : { ok: false, reason: 'INVALID_CODE' };
  }

  async beginActivation(ctx: ProviderContext<EmailCodeSettings>, user: TwoFactorUser) {
    // A typed error: core passes it on to the host unchanged.
    if (!user.email)
      throw new ProviderError('This account has no email address to mail a code to.');
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
