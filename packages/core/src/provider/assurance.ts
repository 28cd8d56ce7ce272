/**
 * What a factor proves, so that policy can ask for it ("admins must use a phishing-resistant
 * factor", NIST SP 800-63B-4 AAL3) and a host can record it in its session (RFC 8176 `amr`).
 */

/**
 * The authentication method reference values registered by RFC 8176 §2 (IANA "Authentication
 * Method Reference Values"). A provider may only report these: a session's `amr` is read by
 * other systems (an OIDC relying party, a SIEM), which must understand every value.
 */
export const AMR_VALUES = [
  'face',
  'fpt',
  'geo',
  'hwk',
  'iris',
  'kba',
  'mca',
  'mfa',
  'otp',
  'pin',
  'pop',
  'pwd',
  'rba',
  'retina',
  'sc',
  'sms',
  'swk',
  'tel',
  'user',
  'vbm',
  'wia',
] as const;

export type AmrValue = (typeof AMR_VALUES)[number];

/** Authenticator assurance level (NIST SP 800-63B-4 §2) of a sign-in: password plus this factor. */
export type AssuranceLevel = 1 | 2 | 3;

/** What a factor proves. Every field is a claim the provider stands behind for all its users. */
export interface FactorAssurance {
  /**
   * Resists phishing: the answer is bound to the site's origin or channel, so a relaying proxy
   * cannot use it (63B-4 §3.2.5; WebAuthn). A typed code or an approved push is not.
   */
  readonly phishingResistant: boolean;
  /** The secret lives in hardware it cannot be copied out of (a security key, a smart card). */
  readonly hardwareBound: boolean;
  /** The highest level the password plus this factor reach (3 needs both claims above). */
  readonly aal: AssuranceLevel;
}

/**
 * What a provider that declares nothing is taken to prove: it is a second factor, so with the
 * host's password it reaches AAL2 (63B-4 §2.2), and nothing more is assumed.
 */
export const DEFAULT_ASSURANCE: FactorAssurance = Object.freeze({
  phishingResistant: false,
  hardwareBound: false,
  aal: 2,
});

/** Recovery codes are look-up secrets (63B-4 §3.1.2): AAL2 at most, never phishing-resistant. */
export const RECOVERY_CODE_ASSURANCE: FactorAssurance = DEFAULT_ASSURANCE;
/** RFC 8176 has no look-up-secret value; a recovery code is a one-time password from a list. */
export const RECOVERY_CODE_AMR: readonly AmrValue[] = Object.freeze(['otp']);

/** A fail-open grant proves no second factor at all: the password alone, AAL1. */
export const FAIL_OPEN_ASSURANCE: FactorAssurance = Object.freeze({
  phishingResistant: false,
  hardwareBound: false,
  aal: 1,
});

/** What an audience asks of every factor its users may use (see `AudiencePolicy`). */
export interface AssuranceRequirement {
  readonly requirePhishingResistant: boolean;
  readonly requireHardwareBound: boolean;
  readonly minAal: AssuranceLevel;
}

/** Whether a factor with `assurance` qualifies for an audience that asks for `required`. */
export function meetsAssurance(
  assurance: FactorAssurance,
  required: Partial<AssuranceRequirement> | undefined,
): boolean {
  if (!required) return true;
  if (required.requirePhishingResistant && !assurance.phishingResistant) return false;
  if (required.requireHardwareBound && !assurance.hardwareBound) return false;
  return assurance.aal >= (required.minAal ?? 1);
}

/** Whether the audience asks for anything above a password alone (so no fail-open grant). */
export function asksAboveAal1(required: Partial<AssuranceRequirement> | undefined): boolean {
  return !meetsAssurance(FAIL_OPEN_ASSURANCE, required);
}

/**
 * Why a declared assurance is invalid, or null. Declarations are checked when a provider is
 * registered, so a claim that cannot hold (AAL3 without hardware) never reaches a policy.
 */
export function assuranceDeclarationProblem(value: unknown): string | null {
  if (value === undefined) return null;
  if (typeof value !== 'object' || value === null)
    return 'capabilities.assurance must be an object';
  const a = value as Record<string, unknown>;
  if (typeof a['phishingResistant'] !== 'boolean' || typeof a['hardwareBound'] !== 'boolean')
    return 'capabilities.assurance must set phishingResistant and hardwareBound (booleans)';
  if (a['aal'] !== 1 && a['aal'] !== 2 && a['aal'] !== 3)
    return 'capabilities.assurance.aal must be 1, 2 or 3';
  if (a['aal'] === 3 && !(a['phishingResistant'] && a['hardwareBound'])) {
    // 63B-4 §2.3: AAL3 needs a hardware-based authenticator that resists phishing.
    return 'capabilities.assurance.aal 3 needs phishingResistant and hardwareBound';
  }
  return null;
}

/** Why a list of `amr` values is invalid, or null (`what` names it in the message). */
export function amrProblem(value: unknown, what: string): string | null {
  if (value === undefined) return null;
  if (!Array.isArray(value) || value.length > 8)
    return `${what} must be a list of at most 8 RFC 8176 values`;
  const bad = value.findIndex((v) => !(AMR_VALUES as readonly unknown[]).includes(v));
  return bad === -1
    ? null
    : `${what} holds ${String(JSON.stringify(value[bad]))}, which is not an RFC 8176 value (${AMR_VALUES.join(', ')})`;
}

/** The declared assurance of a provider's capabilities, or the default. */
export function declaredAssurance(capabilities: { assurance?: FactorAssurance }): FactorAssurance {
  return capabilities.assurance ?? DEFAULT_ASSURANCE;
}
