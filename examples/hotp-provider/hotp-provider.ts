/**
 * An example HOTP (RFC 4226) provider for programmable hardware tokens, written only from
 * packages/core/README.md. The token has no camera, so activation shows a `token-programming`
 * prompt (the secret in Base32 and hex, and the counter to start from); the user presses the
 * button and types the code. Core keeps the last accepted counter and refuses any counter that is
 * not above it, atomically, on every instance: this file only finds which counter a code is for.
 * Its tests are in test/example-provider/.
 */
import {
  CORE_VERSION,
  Field,
  Provider,
  RandomSource,
  canonicalDigits,
  constantTimeEqual,
  decodeBase32,
  encodeBase32,
  v,
  type ActivationOutcome,
  type Begun,
  type ChallengePrompt,
  type JsonValue,
  type ProviderContext,
  type TokenProgrammingPrompt,
  type TwoFactorProvider,
  type TwoFactorUser,
  type VerifyFailure,
  type VerifyOutcome,
} from '@factorkit/core';
import { HOTP_ALGORITHMS, hotpCode, type HotpAlgorithm } from './hotp.js';

export class HotpSettings {
  @Field({ label: 'Code length', help: 'Digits the token shows: 6 or 8.' })
  @v.IsIn([6, 8], { message: 'must be 6 or 8' })
  digits: number = 6;

  @Field({
    label: 'Look-ahead window',
    help: 'How many button presses past the last accepted code still sign in (RFC 4226 §7.4: keep it low).',
  })
  @v.IsInt({ message: 'must be a whole number' })
  @v.Min(1, { message: 'must be at least 1' })
  @v.Max(20, { message: 'must be at most 20' })
  lookAhead: number = 5;

  @Field({
    label: 'Algorithm',
    help: 'HMAC hash the tokens use: SHA1 (most tokens), SHA256 or SHA512.',
  })
  @v.IsIn([...HOTP_ALGORITHMS], { message: 'must be SHA1, SHA256 or SHA512' })
  algorithm: HotpAlgorithm = 'SHA1';
}

/** What core keeps, encrypted, per enrolled token; fixed at activation. */
export type HotpEnrollment = { secret: string; algorithm: HotpAlgorithm; digits: number };

type Ctx = ProviderContext<HotpSettings>;

/** RFC 4226 §4 R6 wants at least 128 bits and recommends 160: what most tokens take. */
const SECRET_BYTES = 20;
const FORMAT: VerifyFailure = { ok: false, reason: 'INVALID_FORMAT' };
const WRONG: VerifyFailure = { ok: false, reason: 'INVALID_CODE' };

function isEnrollment(value: unknown): value is HotpEnrollment {
  const e = value as Partial<Record<string, unknown>> | null;
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof e['secret'] === 'string' &&
    HOTP_ALGORITHMS.includes(e['algorithm'] as HotpAlgorithm) &&
    (e['digits'] === 6 || e['digits'] === 8)
  );
}

@Provider()
export class HotpProvider implements TwoFactorProvider<HotpSettings, HotpEnrollment> {
  readonly id = 'hotp';
  readonly displayName = 'Hardware token';
  readonly coreVersion = `^${CORE_VERSION}`;
  readonly configSchema = HotpSettings;
  readonly capabilities = {
    interactive: true,
    outOfBand: 'none',
    // Every success reports the counter of the code; core refuses one that is not new.
    replayCounter: true,
    retryableChallenge: true,
  } as const;

  // A value import of RandomSource (not `import type`): core injects it by its class.
  constructor(private readonly random: RandomSource) {}

  async beginActivation(ctx: Ctx, _user: TwoFactorUser): Promise<Begun<TokenProgrammingPrompt>> {
    const bytes = this.random.bytes(SECRET_BYTES);
    const pending: HotpEnrollment = {
      secret: encodeBase32(bytes),
      algorithm: ctx.config.algorithm,
      digits: ctx.config.digits,
    };
    return {
      prompt: {
        kind: 'token-programming',
        otpType: 'hotp',
        secretBase32: pending.secret,
        secretHex: Buffer.from(bytes).toString('hex'),
        algorithm: pending.algorithm,
        digits: pending.digits,
        counter: 0,
        message:
          'Program this secret into the token with counter 0, then press its button and type the code.',
      },
      pending,
    };
  }

  async completeActivation(
    ctx: Ctx,
    _user: TwoFactorUser,
    pending: JsonValue,
    input: unknown,
  ): Promise<ActivationOutcome<HotpEnrollment>> {
    if (!isEnrollment(pending)) return { ok: false, reason: 'ERROR', detail: 'malformed pending' };
    // No counter was accepted yet: the token starts at 0, so "last accepted" is -1.
    const found = this.find(ctx, pending, input, -1);
    if (found === 'format') return FORMAT;
    if (found === null) return WRONG;
    // The counter of the confirming code seeds core's replay protection (RP-02).
    return { ok: true, enrollment: pending, counter: found, label: this.displayName };
  }

  async beginChallenge(
    _ctx: Ctx,
    _user: TwoFactorUser,
    enrollment: HotpEnrollment,
  ): Promise<Begun<ChallengePrompt>> {
    return {
      prompt: {
        kind: 'code-entry',
        digits: enrollment.digits,
        message: 'Press the button on your token and type the code it shows.',
      },
      pending: null,
    };
  }

  async verify(
    ctx: Ctx,
    _user: TwoFactorUser,
    enrollment: HotpEnrollment,
    _pending: JsonValue,
    input: unknown,
  ): Promise<VerifyOutcome> {
    if (!isEnrollment(enrollment)) {
      return { ok: false, reason: 'ERROR', detail: 'malformed enrollment' };
    }
    const found = this.find(ctx, enrollment, input, ctx.lastCounter ?? -1);
    if (found === 'format') return FORMAT;
    if (found === null) return WRONG;
    // A code at or below the last accepted counter is a replay: reported as a success with its
    // old counter, so core's compare-and-set refuses it as CODE_ALREADY_USED (and audits it),
    // rather than as a wrong code.
    return { ok: true, counter: found, method: 'hotp' };
  }

  /**
   * The counter whose code equals `input`, from `lookAhead` counters before `last` (to recognise
   * a replay) to `lookAhead` after it (presses that never reached us). Every candidate is
   * compared, in constant time; the highest match wins, so a new code is never taken for a replay.
   */
  private find(
    ctx: Ctx,
    enrollment: HotpEnrollment,
    input: unknown,
    last: number,
  ): number | null | 'format' {
    const code = canonicalDigits(input, enrollment.digits);
    if (code === null) return 'format';
    const secret = decodeBase32(enrollment.secret);
    const window = ctx.config.lookAhead;
    let matched: number | null = null;
    for (let counter = Math.max(0, last - window + 1); counter <= last + window; counter++) {
      if (constantTimeEqual(code, hotpCode(secret, counter, enrollment))) matched = counter;
    }
    return matched;
  }
}
