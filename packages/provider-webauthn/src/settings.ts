/**
 * Settings of the WebAuthn provider for one deployment (`providers.webauthn.settings`). The RP ID
 * and the origins are the whole of phishing resistance (NIST SP 800-63B-4 §3.2.5.2: verifier name
 * binding), so they are checked when the deployment boots, never taken from a request (WA-03).
 */
import { Field, v } from '@factorkit/core';
import {
  allowedAaguidsProblem,
  attestationShapeProblem,
  trustAnchorsProblem,
  type AttestationSettings,
} from './attestation-policy.js';

export type UserVerification = 'required' | 'preferred';
export const USER_VERIFICATIONS: readonly UserVerification[] = ['required', 'preferred'];
/** COSE ids: ES256, EdDSA, RS256 (what @simplewebauthn/server verifies). */
export const DEFAULT_ALGORITHMS = [-7, -8, -257];

type Rule = (value: unknown, settings: WebauthnSettings) => string | null;

/** A validator whose message comes from the same check (never from the value). */
function Check(name: string, rule: Rule): PropertyDecorator {
  return v.ValidateBy({
    name,
    validator: {
      validate: (value, args) => rule(value, args!.object as WebauthnSettings) === null,
      defaultMessage: (args) => rule(args!.value, args!.object as WebauthnSettings) ?? 'is invalid',
    },
  });
}

function rpIdRule(value: unknown): string | null {
  if (typeof value !== 'string' || value.length === 0 || value.length > 253)
    return 'is required (a host name such as example.com)';
  if (
    !/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/.test(
      value,
    )
  )
    return 'must be a lower-case host name without scheme, port or path';
  return null;
}

/** Why an origin cannot serve the RP ID, or null: its host is the RP ID or a subdomain of it. */
export function originProblem(origin: string, rpId: string): string | null {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return 'is not a URL';
  }
  if (url.origin !== origin) return 'must be an origin exactly (scheme://host[:port], no path)';
  const host = url.hostname;
  if (url.protocol === 'http:' && host !== 'localhost')
    return 'must use https (plain http only for http://localhost)';
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must use https';
  if (host !== rpId && !host.endsWith(`.${rpId}`))
    return 'must have the RP ID as its host or a subdomain of it';
  return null;
}

function originsRule(value: unknown, s: WebauthnSettings): string | null {
  if (!Array.isArray(value) || value.length < 1 || value.length > 20)
    return 'must be a list of 1 to 20 origins';
  for (const [i, item] of value.entries()) {
    if (typeof item !== 'string') return `[${i}] must be a string`;
    const problem = originProblem(item, typeof s.rpId === 'string' ? s.rpId : '');
    if (problem) return `[${i}] ${problem}`;
  }
  return null;
}

function uvByAudienceRule(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return 'must map audience names to "required" or "preferred"';
  for (const [audience, uv] of Object.entries(value))
    if (!(USER_VERIFICATIONS as readonly unknown[]).includes(uv))
      return `[${audience}] must be "required" or "preferred"`;
  return null;
}

function algorithmsRule(value: unknown): string | null {
  if (!Array.isArray(value) || value.length < 1) return 'must list at least one COSE algorithm';
  return value.every((a) => DEFAULT_ALGORITHMS.includes(a as number))
    ? null
    : `may only hold ${DEFAULT_ALGORITHMS.join(', ')} (ES256, EdDSA, RS256)`;
}

export class WebauthnSettings {
  /** The relying party id: the site's registrable host name (or a parent of it). */
  @Field({ label: 'RP ID', help: 'The host name keys are bound to, e.g. example.com.' })
  @Check('webauthnRpId', rpIdRule)
  rpId!: string;

  /** The name the browser shows while registering a key. */
  @Field({ label: 'RP name', help: 'Shown by the browser when a key is registered.' })
  @v.IsString({ message: 'must be a string' })
  @v.Length(1, 64, { message: 'must be 1 to 64 characters' })
  rpName!: string;

  /** The exact origins pages run on (scheme, host, port); each host is the RP ID or below it. */
  @Field({ label: 'Origins', help: 'Exact origins such as https://login.example.com.' })
  @Check('webauthnOrigins', originsRule)
  origins!: string[];

  /**
   * User verification (PIN or biometric on the key) for every audience not listed below.
   * @default 'preferred'
   */
  @Field({ label: 'User verification', help: '"required" or "preferred".' })
  @v.IsIn(['required', 'preferred'], { message: 'must be "required" or "preferred"' })
  userVerification: UserVerification = 'preferred';

  /**
   * User verification per audience, e.g. `{ admin: 'required' }` (WA-08).
   * @default {}
   */
  @Field({ label: 'User verification per audience' })
  @Check('webauthnUvByAudience', uvByAudienceRule)
  userVerificationByAudience: Record<string, UserVerification> = {};

  /**
   * Whether keys are created as discoverable (passkeys). A second factor knows the user, so
   * `discouraged` spares the few resident slots of a security key. Advisory: the browser decides.
   * @default 'discouraged'
   */
  @Field({ label: 'Resident key', help: '"discouraged", "preferred" or "required".' })
  @v.IsIn(['discouraged', 'preferred', 'required'], {
    message: 'must be discouraged, preferred or required',
  })
  residentKey: 'discouraged' | 'preferred' | 'required' = 'discouraged';

  /**
   * COSE algorithms offered, and the only ones accepted (WA-13).
   * @default [-7, -8, -257]
   */
  @Field({ label: 'Algorithms' })
  @Check('webauthnAlgorithms', algorithmsRule)
  algorithms: number[] = [...DEFAULT_ALGORITHMS];

  /**
   * How long a ceremony may take, in ms (core's pending step bounds it too).
   * @default 300000
   */
  @Field({ label: 'Ceremony timeout (ms)' })
  @v.IsInt({ message: 'must be an integer' })
  @v.Min(30000, { message: 'must be at least 30000' })
  @v.Max(600000, { message: 'must be at most 600000' })
  timeoutMs: number = 300000;

  /**
   * Left out: attestation `none`, any authenticator registers and its AAGUID is an unverified
   * claim. Set: only the listed models register, with an attestation chain to one of these
   * anchors (WA-14).
   * @default undefined
   */
  @Field({
    label: 'Attestation policy',
    help: 'allowedAaguids (the authenticator models that may register) and trustAnchors (PEM root certificates of their vendors). Leave out to accept any key.',
  })
  // Optional (also for the JSON Schema): absent or null is attestation `none`.
  @v.IsOptional()
  @Check('webauthnAttestation', attestationShapeProblem)
  @Check('webauthnAllowedAaguids', allowedAaguidsProblem)
  @Check('webauthnTrustAnchors', trustAnchorsProblem)
  attestation?: AttestationSettings | null;
}

/** The audience's user verification: its own entry, else the deployment default. */
export function userVerificationFor(s: WebauthnSettings, audience: string): UserVerification {
  return Object.hasOwn(s.userVerificationByAudience, audience)
    ? s.userVerificationByAudience[audience]!
    : s.userVerification;
}
