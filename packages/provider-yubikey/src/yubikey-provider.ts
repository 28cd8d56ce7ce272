/**
 * Yubico OTP, checked through the validation protocol 2.0 (YubiCloud or a self-hosted
 * yubikey-val). The provider binds a key's public id at activation and, at sign-in, refuses
 * anything that is not a well-formed OTP of that key before any network call (YK-01, YK-02).
 * Replay protection is core's: `verify` reports `ctr * 256 + use` from the signed answer, and
 * core accepts it only above the last accepted value, even when a server that lost its state
 * says OK to an old OTP (YK-07).
 */
import {
  CORE_VERSION,
  HttpClient,
  Logger,
  Provider,
  RandomSource,
  type ActivationOutcome,
  type Begun,
  type ChallengePrompt,
  type CodeEntryPrompt,
  type JsonValue,
  type ProviderContext,
  type TwoFactorProvider,
  type TwoFactorUser,
  type VerifyFailure,
  type VerifyOutcome,
} from '@factorkit/core';
import { MAX_PUBLIC_ID_LENGTH, isModhex, normaliseOtp, publicIdOf } from './modhex.js';
import { YubikeySettings, deprecatedHosts, failmodeFor } from './settings.js';
import { validateOtp, type Verdict } from './validation-client.js';

/** What core keeps (encrypted) per enrolled key: the public id typed at activation. */
export interface YubikeyEnrollment {
  [key: string]: JsonValue;
  publicId: string;
}

type Ctx = ProviderContext<YubikeySettings>;
type Checked = { ok: true; counter: number } | VerifyFailure;

/** Statuses that mean our configuration or our request is wrong: operators must look. */
const CONFIG_STATUSES = new Set([
  'BAD_SIGNATURE',
  'MISSING_PARAMETER',
  'NO_SUCH_CLIENT',
  'OPERATION_NOT_ALLOWED',
]);

const PROMPT: CodeEntryPrompt = {
  kind: 'code-entry',
  message: 'Insert your YubiKey and touch its button.',
};

export function isEnrollment(value: unknown): value is YubikeyEnrollment {
  if (typeof value !== 'object' || value === null) return false;
  const id = (value as { publicId?: unknown }).publicId;
  return (
    typeof id === 'string' && id.length >= 2 && id.length <= MAX_PUBLIC_ID_LENGTH && isModhex(id)
  );
}

/** The replay counter of a signed answer: (usage counter, session counter), caps bit masked. */
export function counterOf(pairs: ReadonlyMap<string, string>): number | null {
  const ctr = pairs.get('sessioncounter');
  const use = pairs.get('sessionuse');
  if (!ctr || !use || !/^\d{1,5}$/.test(ctr) || !/^\d{1,3}$/.test(use)) return null;
  const c = Number(ctr) & 0x7fff;
  const u = Number(use);
  return u > 0xff ? null : c * 256 + u;
}

@Provider()
export class YubikeyProvider implements TwoFactorProvider<YubikeySettings, YubikeyEnrollment> {
  readonly id = 'yubikey';
  readonly displayName = 'YubiKey';
  readonly coreVersion = `^${CORE_VERSION}`;
  readonly configSchema = YubikeySettings;
  readonly capabilities = {
    interactive: true,
    outOfBand: 'none',
    replayCounter: true,
    retryableChallenge: true,
    // The OTP comes from a secret inside the key (hwk), but it is typed text that a phishing
    // page can relay within its lifetime (NIST SP 800-63B-4 §3.1.4), so not phishing-resistant.
    assurance: { phishingResistant: false, hardwareBound: true, aal: 2 },
    amr: ['hwk', 'otp'],
    // Each key has its own public id and counters: a user may keep a spare.
    multipleEnrollments: true,
  } as const;

  // Value imports (not `import type`): the decorator metadata must name the classes.
  constructor(
    private readonly http: HttpClient,
    private readonly random: RandomSource,
    private readonly logger: Logger,
  ) {}

  failOpenAllowed(ctx: Ctx): boolean {
    return failmodeFor(ctx.config, ctx.audience) === 'open';
  }

  async beginActivation(ctx: Ctx, _user: TwoFactorUser): Promise<Begun<CodeEntryPrompt>> {
    const old = deprecatedHosts(ctx.config.apiUrls);
    if (old.length > 0)
      this.logger.warn('yubikey: deprecated YubiCloud hosts; use api.yubico.com', { hosts: old });
    return { prompt: PROMPT, pending: null };
  }

  async completeActivation(
    ctx: Ctx,
    _user: TwoFactorUser,
    _pending: JsonValue,
    input: unknown,
  ): Promise<ActivationOutcome<YubikeyEnrollment>> {
    const otp = normaliseOtp(input);
    if (otp === null) return { ok: false, reason: 'INVALID_FORMAT', detail: 'not a Yubico OTP' };
    const publicId = publicIdOf(otp);
    if (publicId.length < 2)
      return { ok: false, reason: 'INVALID_FORMAT', detail: 'an OTP without a public id' };
    const checked = await this.check(ctx, otp, null);
    if (!checked.ok) return checked;
    // The confirming OTP's counters seed core's replay record (RP-02, YK-07).
    return {
      ok: true,
      enrollment: { publicId },
      counter: checked.counter,
      label: `YubiKey ${publicId}`,
    };
  }

  async beginChallenge(
    _ctx: Ctx,
    _user: TwoFactorUser,
    _enrollment: YubikeyEnrollment,
  ): Promise<Begun<ChallengePrompt>> {
    return { prompt: PROMPT, pending: null };
  }

  async verify(
    ctx: Ctx,
    _user: TwoFactorUser,
    enrollment: YubikeyEnrollment,
    _pending: JsonValue,
    input: unknown,
  ): Promise<VerifyOutcome> {
    if (!isEnrollment(enrollment))
      return { ok: false, reason: 'ERROR', detail: 'YubiKey enrollment is malformed' };
    const otp = normaliseOtp(input);
    if (otp === null) return { ok: false, reason: 'INVALID_FORMAT', detail: 'not a Yubico OTP' };
    // YK-02: the validation service says OK for any genuine YubiKey, so the key must be this
    // enrollment's before we ask anything.
    if (publicIdOf(otp) !== enrollment.publicId)
      return { ok: false, reason: 'INVALID_CODE', detail: 'YK_NOT_REGISTERED' };
    const checked = await this.check(ctx, otp, ctx.lastCounter ?? null);
    return checked.ok ? { ok: true, counter: checked.counter, method: 'yubikey-otp' } : checked;
  }

  private async check(ctx: Ctx, otp: string, lastCounter: number | null): Promise<Checked> {
    // 16 CSPRNG bytes as 32 hex characters: alphanumeric, as the protocol asks (YK-12).
    const nonce = Buffer.from(this.random.bytes(16)).toString('hex');
    const verdict = await validateOtp(this.http, ctx.config, otp, nonce, this.logger);
    return this.outcomeOf(verdict, lastCounter);
  }

  /** The status table (YK-06). */
  private outcomeOf(verdict: Verdict, lastCounter: number | null): Checked {
    if (verdict.kind === 'unavailable')
      return { ok: false, reason: 'UNAVAILABLE', detail: verdict.detail };
    // A reply that fails our checks (signature, echo, format) or a refusal of our own client is
    // the service's fault or an attacker's on the network, never the user's: not counted (YK-06).
    if (verdict.kind === 'invalid')
      return { ok: false, reason: 'SERVICE_FAULT', detail: verdict.detail };
    const { status, pairs } = verdict;
    const counter = counterOf(pairs);
    if (status === 'OK') {
      if (counter === null)
        return { ok: false, reason: 'SERVICE_FAULT', detail: 'OK without signed session counters' };
      return { ok: true, counter };
    }
    if (status === 'BAD_OTP') return { ok: false, reason: 'INVALID_CODE', detail: 'BAD_OTP' };
    if (status === 'REPLAYED_OTP') {
      this.logger.warn('yubikey: replayed OTP (possible relay or phishing)', { security: true });
      // An OTP this deployment already accepted: report its (lower) counter, so core's
      // compare-and-set refuses it as CODE_ALREADY_USED and audits the replay. One we never
      // accepted (used elsewhere first) is simply wrong: never a success.
      if (counter !== null && lastCounter !== null && counter <= lastCounter)
        return { ok: true, counter };
      return { ok: false, reason: 'INVALID_CODE', detail: 'REPLAYED_OTP' };
    }
    if (CONFIG_STATUSES.has(status)) {
      this.logger.error(
        'yubikey: the validation server refused our request; check clientId, apiKey and apiUrls',
        { status },
      );
      return { ok: false, reason: 'SERVICE_FAULT', detail: status };
    }
    return {
      ok: false,
      reason: 'SERVICE_FAULT',
      detail: `unexpected status ${status.slice(0, 32)}`,
    };
  }
}
