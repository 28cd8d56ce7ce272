/** What core keeps per registered key, and what one success with it proves (WA-01, WA-15). */
import type { FactorAssurance, JsonValue } from '@factorkit/core';

/** What core keeps (encrypted) per registered key. */
export interface WebauthnEnrollment {
  [key: string]: JsonValue;
  /** base64url, from the authenticator data (not the client's `id`). */
  credentialId: string;
  /** COSE public key, base64url. */
  publicKey: string;
  transports: string[];
  /**
   * The model, as the authenticator claims it. Verified only when `attested` is true; under
   * attestation `none` it is a claim anyone can forge and is never used for policy.
   */
  aaguid: string;
  fmt: string;
  /**
   * True when the deployment's attestation policy verified the key: a chain to one of its
   * anchors and an allowed AAGUID (WA-14). Records made before the policy existed lack it:
   * read it as `attested === true`.
   */
  attested: boolean;
  backupEligible: boolean;
  /** The backup state at registration (core seals enrollments, so later changes are not kept). */
  backedUp: boolean;
  uvInitialized: boolean;
}

export function isEnrollment(value: unknown): value is WebauthnEnrollment {
  if (typeof value !== 'object' || value === null) return false;
  const e = value as Record<string, unknown>;
  return (
    typeof e['credentialId'] === 'string' &&
    typeof e['publicKey'] === 'string' &&
    typeof e['backupEligible'] === 'boolean'
  );
}

/**
 * What one success proved (WA-15): only a device-bound key is hardware-bound, and no success
 * claims AAL3, not even an attested device-bound key. AAL3 also asks for a FIPS 140 validated
 * module (63B-4 §2.3.2), which an attestation chain does not show (an allow-list may name any
 * model an operator chose), and this provider's declared capability is fixed per class: declaring
 * AAL3 would let core's boot check accept an AAL3 audience in a deployment without an allow-list,
 * where no sign-in could ever reach it.
 */
export function assuranceOf(deviceBound: boolean): FactorAssurance {
  return { phishingResistant: true, hardwareBound: deviceBound, aal: 2 };
}
