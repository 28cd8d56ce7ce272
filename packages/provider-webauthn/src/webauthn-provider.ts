/**
 * WebAuthn (security keys and passkeys) as a second factor, on @simplewebauthn/server. Each key
 * is one enrollment; a challenge is core's pending step, bound to the user and single use, and
 * names exactly that enrollment's key. Checks the library leaves out are made here: the
 * credential id and user handle against the enrollment (WA-05), cross-origin frames (WA-03), the
 * backup-eligible flag against the record (WA-15) and the credential-id length (WA-12).
 *
 * Counters: the library is always called with a stored counter of 0, so its own check (which
 * runs before the signature check and is not atomic) never fires (WA-10). The signed counter is
 * reported to core, whose compare-and-set accepts it only above the stored value: a valid
 * signature with a counter that does not move forward is refused there; on a fresh single-use
 * challenge that means a cloned key, so the provider declares `counterRegressionMeansClone` and
 * core audits `clone.suspected` with the enrollment and notifies the user (WA-09, WA-20).
 *
 * Attestation is `none` unless the deployment sets an allow-list with trust anchors; then a
 * registration must carry a verified attestation of a listed model (attestation-trust.ts, WA-14).
 */
import {
  CORE_VERSION,
  Clock,
  Logger,
  Provider,
  RandomSource,
  type ActivationOutcome,
  type Begun,
  type JsonValue,
  type ProviderContext,
  type TwoFactorProvider,
  type TwoFactorUser,
  type VerifyOutcome,
  type WebauthnAuthenticationPrompt,
  type WebauthnRegistrationPrompt,
} from '@factorkit/core';
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import {
  MAX_CREDENTIAL_ID_BYTES,
  authenticationShape,
  clientDataProblem,
  registrationShape,
} from './response-shape.js';
import { excludedCredentials, keyPublicInfo } from './excluded-credentials.js';
import { credentialLookupKey, userHandleOf } from './identifiers.js';
import { WebauthnSettings, userVerificationFor } from './settings.js';
import { attestationPolicyOf } from './attestation-policy.js';
import { requireTrustedAttestation } from './attestation-trust.js';
import { assuranceOf, isEnrollment, type WebauthnEnrollment } from './enrollment.js';

export { assuranceOf, isEnrollment, type WebauthnEnrollment } from './enrollment.js';

type Ctx = ProviderContext<WebauthnSettings>;
type Failure = { ok: false; reason: 'INVALID_FORMAT' | 'INVALID_CODE' | 'ERROR'; detail: string };

const invalid = (detail: string): Failure => ({ ok: false, reason: 'INVALID_CODE', detail });
const format = (detail: string): Failure => ({ ok: false, reason: 'INVALID_FORMAT', detail });

/** 32 fresh bytes from core's random source (63B-4 §3.1.6.2 asks for at least 64 bits). */
function freshChallenge(random: RandomSource): Uint8Array<ArrayBuffer> {
  return new Uint8Array(random.bytes(32));
}

@Provider()
export class WebauthnProvider implements TwoFactorProvider<WebauthnSettings, WebauthnEnrollment> {
  readonly id = 'webauthn';
  readonly displayName = 'Security key or passkey';
  readonly coreVersion = `^${CORE_VERSION}`;
  readonly configSchema = WebauthnSettings;
  readonly capabilities = {
    interactive: true,
    outOfBand: 'none',
    replayCounter: true,
    // A ceremony's challenge is single use: a failed assertion needs a new challenge.
    retryableChallenge: false,
    // The most a success can prove; each success lowers it for a synced passkey.
    assurance: { phishingResistant: true, hardwareBound: true, aal: 2 },
    amr: ['hwk', 'user'],
    multipleEnrollments: true,
    // The counter is reported only after the signature verified, over a fresh challenge (WA-10).
    counterRegressionMeansClone: true,
  } as const;

  // Value imports (not `import type`): the decorator metadata must name the classes.
  constructor(
    private readonly random: RandomSource,
    private readonly logger: Logger,
    private readonly clock: Clock,
  ) {}

  async healthCheck(): Promise<{ healthy: true; detail: string }> {
    return { healthy: true, detail: 'local verification, no remote service' };
  }

  /** What `beginActivation` may see of a key: its id and transports, never its public key. */
  publicInfo(enrollment: WebauthnEnrollment): JsonValue {
    if (!isEnrollment(enrollment)) return null;
    return keyPublicInfo(enrollment.credentialId, enrollment.transports);
  }

  async beginActivation(ctx: Ctx, user: TwoFactorUser): Promise<Begun<WebauthnRegistrationPrompt>> {
    const s = ctx.config;
    const uv = userVerificationFor(s, ctx.audience);
    const optionsJSON = await generateRegistrationOptions({
      rpName: s.rpName,
      rpID: s.rpId,
      userName: user.username,
      userID: userHandleOf(user.id),
      userDisplayName: user.displayName ?? user.username,
      challenge: freshChallenge(this.random),
      timeout: s.timeoutMs,
      // With an allow-list the model must prove itself (WA-14); else nothing is asked.
      attestationType: attestationPolicyOf(s.attestation) ? 'direct' : 'none',
      // The user's other keys: the authenticator refuses to register one of them again
      // (InvalidStateError); the server refuses it too, by the lookup key (WA-12).
      excludeCredentials: excludedCredentials(ctx),
      authenticatorSelection: { residentKey: s.residentKey, userVerification: uv },
      supportedAlgorithmIDs: s.algorithms,
    });
    return {
      prompt: { kind: 'webauthn-registration', optionsJSON: { ...optionsJSON } },
      pending: { challenge: optionsJSON.challenge },
    };
  }

  async completeActivation(
    ctx: Ctx,
    user: TwoFactorUser,
    pending: JsonValue,
    input: unknown,
  ): Promise<ActivationOutcome<WebauthnEnrollment>> {
    const challenge = challengeOf(pending);
    if (challenge === null) return { ok: false, reason: 'ERROR', detail: 'pending is malformed' };
    const shape = registrationShape(input);
    if (!shape.ok) return format(shape.detail);
    const cross = clientDataProblem(shape.value.response.clientDataJSON);
    if (cross) return invalid(cross);
    const s = ctx.config;
    let result: Awaited<ReturnType<typeof verifyRegistrationResponse>>;
    try {
      result = await verifyRegistrationResponse({
        response: shape.value,
        expectedChallenge: challenge,
        expectedOrigin: s.origins,
        expectedRPID: s.rpId,
        requireUserVerification: userVerificationFor(s, ctx.audience) === 'required',
        supportedAlgorithmIDs: s.algorithms,
      });
    } catch (err) {
      return invalid(`registration refused: ${messageOf(err)}`);
    }
    if (result.verified !== true) return invalid('registration not verified');
    const info = result.registrationInfo;
    const { credential } = info;
    if (Buffer.from(credential.id, 'base64url').length > MAX_CREDENTIAL_ID_BYTES)
      return invalid('WA_CREDENTIAL_ID_TOO_LONG');
    const backupEligible = info.credentialDeviceType === 'multiDevice';
    if (!backupEligible && info.credentialBackedUp) return invalid('WA_BACKUP_FLAGS_INVALID');
    void user;
    const policy = attestationPolicyOf(s.attestation);
    // Throws the typed refusal (PROVIDER_DENIED with the reason) for an untrusted model (WA-14).
    if (policy) requireTrustedAttestation(info, policy, this.clock.now(), this.logger);
    return {
      ok: true,
      enrollment: {
        credentialId: credential.id,
        publicKey: Buffer.from(credential.publicKey).toString('base64url'),
        transports: [...(credential.transports ?? [])],
        aaguid: info.aaguid,
        fmt: info.fmt,
        attested: policy !== null,
        backupEligible,
        backedUp: info.credentialBackedUp,
        uvInitialized: info.userVerified,
      },
      // Seed core's replay record only for a key that counts (0 means "no counter").
      ...(credential.counter > 0
        ? { counter: credential.counter }
        : { counterless: true as const }),
      label: backupEligible ? 'Passkey' : 'Security key',
      // One credential, one enrollment, across all users: core's store refuses a second (WA-12).
      lookupKey: {
        key: credentialLookupKey(credential.id),
        takenReason: 'WA_CREDENTIAL_ID_TAKEN',
      },
    };
  }

  async beginChallenge(
    ctx: Ctx,
    _user: TwoFactorUser,
    enrollment: WebauthnEnrollment,
  ): Promise<Begun<WebauthnAuthenticationPrompt>> {
    const s = ctx.config;
    const optionsJSON = await generateAuthenticationOptions({
      rpID: s.rpId,
      allowCredentials: [{ id: enrollment.credentialId, transports: enrollment.transports }],
      challenge: freshChallenge(this.random),
      timeout: s.timeoutMs,
      userVerification: userVerificationFor(s, ctx.audience),
    });
    return {
      prompt: { kind: 'webauthn-authentication', optionsJSON: { ...optionsJSON } },
      pending: { challenge: optionsJSON.challenge },
    };
  }

  async verify(
    ctx: Ctx,
    user: TwoFactorUser,
    enrollment: WebauthnEnrollment,
    pending: JsonValue,
    input: unknown,
  ): Promise<VerifyOutcome> {
    const challenge = challengeOf(pending);
    if (challenge === null || !isEnrollment(enrollment))
      return {
        ok: false,
        reason: 'ERROR',
        detail: 'WebAuthn pending step or enrollment is malformed',
      };
    const shape = authenticationShape(input);
    if (!shape.ok) return format(shape.detail);
    const response = shape.value;
    // WA-05: the key must be this user's enrolled key; the library compares no id at all.
    if (response.id !== enrollment.credentialId) return invalid('WA_CREDENTIAL_NOT_ALLOWED');
    const handle = response.response.userHandle;
    if (handle && handle !== Buffer.from(userHandleOf(user.id)).toString('base64url'))
      return invalid('WA_USER_HANDLE_MISMATCH');
    const cross = clientDataProblem(response.response.clientDataJSON);
    if (cross) return invalid(cross);
    const s = ctx.config;
    let result: Awaited<ReturnType<typeof verifyAuthenticationResponse>>;
    try {
      result = await verifyAuthenticationResponse({
        response,
        expectedChallenge: challenge,
        expectedOrigin: s.origins,
        expectedRPID: s.rpId,
        requireUserVerification: userVerificationFor(s, ctx.audience) === 'required',
        // Counter 0: the library's check (before the signature, not atomic) never fires (WA-10).
        credential: {
          id: enrollment.credentialId,
          publicKey: new Uint8Array(Buffer.from(enrollment.publicKey, 'base64url')),
          counter: 0,
          transports: enrollment.transports,
        },
      });
    } catch (err) {
      return invalid(`assertion refused: ${messageOf(err)}`);
    }
    // WA-06: only `verified === true` is a success.
    if (result === null || typeof result !== 'object' || result.verified !== true)
      return invalid('WA_SIGNATURE_INVALID');
    const info = result.authenticationInfo;
    const backupEligible = info.credentialDeviceType === 'multiDevice';
    if (backupEligible !== enrollment.backupEligible) return invalid('WA_BACKUP_FLAGS_INVALID');
    const deviceBound = !backupEligible && !info.credentialBackedUp;
    const counter = info.newCounter;
    const last = ctx.lastCounter ?? 0;
    if (last > 0 && counter <= last) {
      // A valid signature on a fresh challenge with a counter that did not move: a clone, or a
      // key that lost its state. Core's compare-and-set refuses and audits it.
      this.logger.warn('webauthn: signature counter did not advance (possible cloned key)', {
        security: true,
        counter,
        lastCounter: last,
      });
    }
    return {
      ok: true,
      ...(counter > 0 ? { counter } : { counterless: true as const }),
      method: info.userVerified ? 'webauthn-uv' : 'webauthn',
      // With user verification the key alone is multi-factor (a passkey: possession plus a PIN
      // or biometric); without it, single-factor cryptographic (WA-08).
      amr: [deviceBound ? 'hwk' : 'swk', 'user', ...(info.userVerified ? (['mfa'] as const) : [])],
      assurance: assuranceOf(deviceBound),
    };
  }
}

function challengeOf(pending: JsonValue): string | null {
  if (typeof pending !== 'object' || pending === null || Array.isArray(pending)) return null;
  const c = pending['challenge'];
  return typeof c === 'string' && c.length >= 43 ? c : null;
}

/** The library's message, cut short: it names the failed check, never a secret. */
function messageOf(err: unknown): string {
  return (err instanceof Error ? err.message : 'error').slice(0, 120);
}
