/**
 * The optional attestation policy of a deployment (`settings.attestation`, SECURITY.md WA-14):
 * which authenticator models (AAGUIDs) may register, and the root certificates their
 * attestation must chain to. Without it attestation is `none` and the AAGUID is an unverified
 * claim. An allow-list without anchors would be a fake control (under `none` anyone can claim
 * any AAGUID), so the two come together or not at all, and both are checked at boot.
 */
import { X509Certificate } from 'node:crypto';

/** What an operator writes under `settings.attestation`. */
export interface AttestationSettings {
  /** AAGUIDs (8-4-4-4-12 hex digits, any case) of the models that may register. */
  allowedAaguids: string[];
  /** PEM root certificates of those models' vendors (one certificate per entry). */
  trustAnchors: string[];
}

/** The policy ready for use: AAGUIDs lower-cased, anchors parsed once. */
export interface AttestationPolicy {
  readonly allowedAaguids: ReadonlySet<string>;
  readonly trustAnchors: readonly X509Certificate[];
}

export const MAX_ALLOWED_AAGUIDS = 200;
export const MAX_TRUST_ANCHORS = 20;
const MAX_PEM_CHARS = 16384;
const AAGUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PEM_BEGIN = '-----BEGIN CERTIFICATE-----';

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The problems of the policy's shape and of its pairing (each a message under its key). */
export function attestationShapeProblem(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (!isRecord(value))
    return 'must be an object with allowedAaguids and trustAnchors (or left out for attestation "none")';
  const unknown = Object.keys(value).filter((k) => k !== 'allowedAaguids' && k !== 'trustAnchors');
  if (unknown.length > 0) return `${unknown[0]} is not a known setting`;
  // Given and not an empty list (a value of the wrong type is reported by its own rule).
  const given = (v: unknown) => v !== undefined && !(Array.isArray(v) && v.length === 0);
  const hasList = given(value['allowedAaguids']);
  const hasAnchors = given(value['trustAnchors']);
  if (hasList && !hasAnchors)
    return 'trustAnchors is required with allowedAaguids: an AAGUID that no certificate chain vouches for is only a claim';
  if (hasAnchors && !hasList)
    return 'allowedAaguids is required with trustAnchors: list the models the anchors may vouch for';
  if (!hasList) return 'needs allowedAaguids and trustAnchors (or leave attestation out)';
  return null;
}

/** Why the AAGUID list is invalid, or null. */
export function allowedAaguidsProblem(value: unknown): string | null {
  if (!isRecord(value) || value['allowedAaguids'] === undefined) return null;
  const list = value['allowedAaguids'];
  if (!Array.isArray(list) || list.length > MAX_ALLOWED_AAGUIDS)
    return `allowedAaguids must be a list of at most ${MAX_ALLOWED_AAGUIDS} AAGUIDs`;
  for (const [i, item] of list.entries())
    if (typeof item !== 'string' || !AAGUID.test(item))
      return `allowedAaguids[${i}] must be an AAGUID (8-4-4-4-12 hex digits)`;
  return null;
}

/** Why one anchor cannot serve, or null: one PEM certificate, a CA, valid at `now`. */
export function anchorProblem(pem: unknown, now: number): string | null {
  if (typeof pem !== 'string' || pem.length > MAX_PEM_CHARS)
    return `must be a PEM certificate of at most ${MAX_PEM_CHARS} characters`;
  if (pem.split(PEM_BEGIN).length !== 2)
    return 'must hold exactly one PEM certificate (-----BEGIN CERTIFICATE-----)';
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(pem);
  } catch {
    return 'is not a readable X.509 certificate';
  }
  if (!cert.ca) return 'is not a CA certificate (basic constraints CA is not set)';
  if (Date.parse(cert.validTo) <= now) return `expired on ${new Date(cert.validTo).toISOString()}`;
  if (Date.parse(cert.validFrom) > now)
    return `is not valid before ${new Date(cert.validFrom).toISOString()}`;
  return null;
}

/** Why the anchor list is invalid, or null (checked against the boot time). */
export function trustAnchorsProblem(value: unknown): string | null {
  if (!isRecord(value) || value['trustAnchors'] === undefined) return null;
  const list = value['trustAnchors'];
  if (!Array.isArray(list) || list.length > MAX_TRUST_ANCHORS)
    return `trustAnchors must be a list of at most ${MAX_TRUST_ANCHORS} PEM certificates`;
  for (const [i, item] of list.entries()) {
    const problem = anchorProblem(item, Date.now());
    if (problem) return `trustAnchors[${i}] ${problem}`;
  }
  return null;
}

// Settings objects are made once per deployment and never changed: parse their anchors once.
const compiled = new WeakMap<AttestationSettings, AttestationPolicy>();

/** The deployment's policy, or null for attestation `none` (the settings were validated). */
export function attestationPolicyOf(
  settings: AttestationSettings | null | undefined,
): AttestationPolicy | null {
  if (settings === undefined || settings === null) return null;
  let policy = compiled.get(settings);
  if (!policy) {
    policy = Object.freeze({
      allowedAaguids: new Set(settings.allowedAaguids.map((a) => a.toLowerCase())),
      trustAnchors: Object.freeze(settings.trustAnchors.map((pem) => new X509Certificate(pem))),
    });
    compiled.set(settings, policy);
  }
  return policy;
}
