import type { AmrValue, FactorAssurance, VerifySuccess } from '@factorkit/core';

/**
 * What a Duo success proves, per method, for the session's RFC 8176 `amr` and core's assurance
 * policy. Duo as a whole claims core's default (AAL2, not phishing-resistant): a push can be
 * approved on a phishing page's behalf, and a passcode can be relayed.
 */

/** A bypass proves no second factor: only the password stands, AAL1 (and no `amr` value). */
const BYPASS_ASSURANCE: FactorAssurance = Object.freeze({
  phishingResistant: false,
  hardwareBound: false,
  aal: 1,
});

/** Auth API factors (legacy transport) and the `amr` value each one is. */
const LEGACY_AMR: Readonly<Record<string, readonly AmrValue[]>> = {
  push: ['mca'],
  phone: ['tel'],
  sms: ['sms'],
  passcode: ['otp'],
};

/**
 * The `auth_context.factor` values of a Universal Prompt token that name a method; others (and
 * a token without one) leave core's default (`mfa`).
 */
const UNIVERSAL_AMR: Readonly<Record<string, readonly AmrValue[]>> = {
  duo_push: ['mca'],
  phone_call: ['tel'],
  sms_passcode: ['sms'],
  passcode: ['otp'],
  duo_mobile_passcode: ['otp'],
  hardware_token: ['otp'],
};

export function legacySuccess(factor: string): VerifySuccess {
  const amr = Object.hasOwn(LEGACY_AMR, factor) ? LEGACY_AMR[factor] : undefined;
  return { ok: true, method: `duo-${factor}`, ...(amr ? { amr } : {}) };
}

export function universalSuccess(tokenFactor: unknown): VerifySuccess {
  const amr =
    typeof tokenFactor === 'string' && Object.hasOwn(UNIVERSAL_AMR, tokenFactor)
      ? UNIVERSAL_AMR[tokenFactor]
      : undefined;
  return { ok: true, method: 'duo', ...(amr ? { amr } : {}) };
}

export function bypassSuccess(): VerifySuccess {
  return { ok: true, method: 'duo-bypass', amr: [], assurance: BYPASS_ASSURANCE };
}
