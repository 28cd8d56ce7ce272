import {
  CORE_VERSION,
  Clock,
  Logger,
  encodeBase32,
  ProviderError,
  Provider,
  RandomSource,
  type ActivationOutcome,
  type Begun,
  type ChallengePrompt,
  type HealthStatus,
  type JsonValue,
  type ProviderContext,
  type QrEnrollmentPrompt,
  type TwoFactorProvider,
  type TwoFactorUser,
  type VerifyFailure,
  type VerifyOutcome,
} from '@factorkit/core';
import QRCode from 'qrcode';
import { readImportInput } from './import.js';
import { canonicalCode } from './input.js';
import { groupKey, keyFromBase32, matchStep, type TotpParameters } from './otp.js';
import { selfTest } from './self-test.js';
import { TOTP_ALGORITHMS, TotpSettings, secretSizeOf, type TotpAlgorithm } from './settings.js';
import { buildOtpauthUri } from './uri.js';

/** What core keeps (encrypted) per enrolled user: the secret and the parameters the app uses. */
export type TotpEnrollment = {
  /** Canonical Base32 (upper case, unpadded). */
  secret: string;
  algorithm: TotpAlgorithm;
  digits: number;
  period: number;
};

/** Pending activation state: the enrollment to be, until a first code proves the app has it. */
export type TotpPending = TotpEnrollment;

const BASE32 = /^[A-Z2-7]+$/;

function isEnrollment(value: unknown): value is TotpEnrollment {
  if (typeof value !== 'object' || value === null) return false;
  const e = value as Record<string, unknown>;
  return (
    typeof e['secret'] === 'string' &&
    BASE32.test(e['secret']) &&
    TOTP_ALGORITHMS.includes(e['algorithm'] as TotpAlgorithm) &&
    (e['digits'] === 6 || e['digits'] === 8) &&
    (e['period'] === 30 || e['period'] === 60)
  );
}

const FORMAT: VerifyFailure = { ok: false, reason: 'INVALID_FORMAT' };
const WRONG: VerifyFailure = { ok: false, reason: 'INVALID_CODE' };

/**
 * TOTP (RFC 6238) for authenticator apps. Codes, Base32 and URIs come from `otpauth`; the QR code
 * from `qrcode`. Secrets come only from core's RandomSource, time only from core's Clock.
 * Replay protection is core's: `verify` reports the matched time step as the counter, and core
 * accepts it only if it is above the last one accepted (compare-and-set in the shared store).
 */
@Provider()
export class TotpProvider implements TwoFactorProvider<TotpSettings, TotpEnrollment> {
  readonly id = 'totp';
  readonly displayName = 'Authenticator app';
  readonly coreVersion = `^${CORE_VERSION}`;
  readonly configSchema = TotpSettings;
  readonly capabilities = {
    interactive: true,
    outOfBand: 'none',
    replayCounter: true,
    retryableChallenge: true,
    // A typed code: AAL2 with the password, relayable by a phishing page, copyable with the
    // secret (NIST SP 800-63B-4 §3.1.4).
    assurance: { phishingResistant: false, hardwareBound: false, aal: 2 },
    amr: ['otp'],
    // Each app holds its own secret and replay counter: a user may keep a spare.
    multipleEnrollments: true,
    // A challenge is checked against the enrollment alone: core stores it without an envelope.
    statelessChallenge: true,
  } as const;

  // Value imports (not `import type`): the decorator metadata must name the classes (guard test).
  constructor(
    private readonly random: RandomSource,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /** Runs the RFC 6238 vectors for the configured algorithm (CF-04). */
  async healthCheck(ctx: ProviderContext<TotpSettings>): Promise<HealthStatus> {
    const failed = selfTest([ctx.config.algorithm]);
    return failed.length === 0
      ? { healthy: true, detail: `RFC 6238 self-test passed (${ctx.config.algorithm})` }
      : { healthy: false, detail: `RFC 6238 self-test failed for ${failed.join(', ')}` };
  }

  async beginActivation(
    ctx: ProviderContext<TotpSettings>,
    user: TwoFactorUser,
  ): Promise<Begun<QrEnrollmentPrompt>> {
    const config = ctx.config;
    const size = secretSizeOf(config);
    const bytes = this.random.bytes(size);
    if (!(bytes instanceof Uint8Array) || bytes.length !== size) {
      throw new ProviderError(
        'The random source returned the wrong number of bytes for a TOTP secret.',
      );
    }
    const pending: TotpPending = {
      secret: encodeBase32(bytes),
      algorithm: config.algorithm,
      digits: config.digits,
      period: config.period,
    };
    if (pending.algorithm !== 'SHA1' || pending.digits !== 6 || pending.period !== 30) {
      // CF-02: Google Authenticator and others ignore these parameters.
      this.logger.warn(
        'factorkit totp: non-default parameters; some authenticator apps ignore them and show wrong codes',
        {
          algorithm: pending.algorithm,
          digits: pending.digits,
          period: pending.period,
        },
      );
    }
    const accountName = user.username || user.email || user.id;
    const otpauthUri = buildOtpauthUri({ ...pending, issuer: config.issuer, accountName });
    const qrSvg = await QRCode.toString(otpauthUri, {
      type: 'svg',
      errorCorrectionLevel: 'M',
      margin: 2,
    });
    const qrPngDataUrl = await QRCode.toDataURL(otpauthUri, {
      errorCorrectionLevel: 'M',
      margin: 2,
      width: 256,
    });
    return {
      prompt: {
        kind: 'qr-enrollment',
        otpauthUri,
        qrSvg,
        qrPngDataUrl,
        manualKey: groupKey(pending.secret),
        digits: pending.digits,
        period: pending.period,
        algorithm: pending.algorithm,
        issuer: config.issuer,
        accountName,
      },
      pending,
    };
  }

  async completeActivation(
    ctx: ProviderContext<TotpSettings>,
    _user: TwoFactorUser,
    pending: JsonValue,
    input: unknown,
  ): Promise<ActivationOutcome<TotpEnrollment>> {
    let enrollment: TotpEnrollment;
    let code: unknown = input;
    const imported = readImportInput(input);
    if (imported === 'invalid')
      return { ok: false, reason: 'INVALID_FORMAT', detail: 'invalid TOTP import input' };
    if (imported !== 'not-import') {
      if (!ctx.config.allowSecretImport) {
        return {
          ok: false,
          reason: 'INVALID_FORMAT',
          detail: 'TOTP secret import is disabled (allowSecretImport)',
        };
      }
      enrollment = {
        secret: imported.secret,
        algorithm: imported.algorithm,
        digits: imported.digits,
        period: imported.period,
      };
      code = imported.code;
    } else {
      if (!isEnrollment(pending))
        return { ok: false, reason: 'ERROR', detail: 'pending TOTP activation is malformed' };
      enrollment = pending;
    }
    const result = this.check(ctx, enrollment, code);
    if (!result.ok) return result;
    // The step of the confirming code seeds core's replay counter (RP-02).
    return { ok: true, enrollment, counter: result.step, label: this.displayName };
  }

  async beginChallenge(
    _ctx: ProviderContext<TotpSettings>,
    _user: TwoFactorUser,
    enrollment: TotpEnrollment,
  ): Promise<Begun<ChallengePrompt>> {
    const digits = isEnrollment(enrollment) ? enrollment.digits : 6;
    return {
      prompt: {
        kind: 'code-entry',
        digits,
        message: 'Enter the code shown in your authenticator app.',
      },
      pending: null,
    };
  }

  async verify(
    ctx: ProviderContext<TotpSettings>,
    _user: TwoFactorUser,
    enrollment: TotpEnrollment,
    _pending: JsonValue,
    input: unknown,
  ): Promise<VerifyOutcome> {
    if (!isEnrollment(enrollment))
      return { ok: false, reason: 'ERROR', detail: 'TOTP enrollment is malformed' };
    const result = this.check(ctx, enrollment, input);
    return result.ok ? { ok: true, counter: result.step, method: 'totp' } : result;
  }

  /** Canonical form first, then HMAC work; time only from the injected clock (ASVS 6.5.8). */
  private check(
    ctx: ProviderContext<TotpSettings>,
    params: TotpParameters & { secret: string },
    input: unknown,
  ): { ok: true; step: number } | VerifyFailure {
    const code = canonicalCode(input, params.digits);
    if (code === null) return FORMAT;
    const step = matchStep(keyFromBase32(params.secret), params, code, this.clock.now(), {
      back: ctx.config.window,
      forward: ctx.config.futureWindow,
    });
    return step === null ? WRONG : { ok: true, step };
  }
}
