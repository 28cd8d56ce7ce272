/**
 * Trust in a registration's attestation under this deployment's policy (SECURITY.md WA-14).
 *
 * @simplewebauthn/server verifies the attestation statement's signature with the leaf
 * certificate, but it chains x5c only to the anchors in its process-wide SettingsService (none
 * for `packed` and `fido-u2f`: no chain check at all, WA-19) and checks validity against the
 * machine's clock. Two providers in one process may trust different vendors, so the chain is
 * checked here, hand-written on node:crypto's X509Certificate, against the anchors of THIS
 * provider and at the server's clock. @peculiar/x509 (the library's own certificate parser)
 * reads the two extensions node:crypto does not expose: the path length and the FIDO AAGUID.
 */
// @peculiar/x509 loads tsyringe, which needs the Reflect metadata polyfill before it.
import 'reflect-metadata';
import { X509Certificate } from 'node:crypto';
import {
  BasicConstraintsExtension,
  X509Certificate as ParsedCertificate,
  type Extension,
} from '@peculiar/x509';
import { ProviderDeniedError, type Logger } from '@factorkit/core';
import { decodeAttestationObject } from '@simplewebauthn/server/helpers';
import type { AttestationPolicy } from './attestation-policy.js';

/** `details.reason` of a refused registration. */
export type AttestationRefusal =
  | 'WA_ATTESTATION_REQUIRED'
  | 'WA_ATTESTATION_FORMAT_NOT_SUPPORTED'
  | 'WA_AAGUID_NOT_ALLOWED'
  | 'WA_AAGUID_MISMATCH'
  | 'WA_ATTESTATION_EXPIRED'
  | 'WA_ATTESTATION_UNTRUSTED';

export type AttestationVerdict =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: AttestationRefusal; readonly detail: string };

/**
 * The formats with an x5c chain this provider checks. `tpm`, `android-key`, `android-safetynet`
 * and `apple` are refused: their chains end at platform roots (Microsoft's TPM vendors, Google,
 * Apple) that the library trusts process-wide with format rules of their own, `apple` and
 * `android-key` name no model (their AAGUID is zero or per-platform), and they are mostly
 * platform or synced authenticators, not the security-key models an allow-list is for.
 */
export const ATTESTED_FORMATS: readonly string[] = ['packed', 'fido-u2f'];
/** Leaf, intermediates, and perhaps the root: more is not an authenticator's chain. */
export const MAX_CHAIN_LENGTH = 5;
/** id-fido-gen-ce-aaguid: the model's AAGUID, written into the attestation certificate. */
export const FIDO_AAGUID_OID = '1.3.6.1.4.1.45724.1.1.4';

const refuse = (reason: AttestationRefusal, detail: string): AttestationVerdict => ({
  ok: false,
  reason,
  detail,
});

/** The AAGUID an extension value holds (an OCTET STRING of 16 bytes), as 8-4-4-4-12 hex. */
export function extensionAaguid(ext: Extension): string | null {
  const bytes = Buffer.from(ext.value);
  if (bytes.length !== 18 || bytes[0] !== 0x04 || bytes[1] !== 0x10) return null;
  const hex = bytes.subarray(2).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Whether `cert` names `issuer` as its issuer and carries a signature of `issuer`'s key. */
function issuedBy(cert: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return cert.checkIssued(issuer) && cert.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

/** 63B-4 §3.2.4: at least 112 bits of security (RSA 2048, P-256, Ed25519 and up). */
function weakKey(cert: X509Certificate): boolean {
  const key = cert.publicKey;
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'rsa' || key.asymmetricKeyType === 'rsa-pss')
    return (details.modulusLength ?? 0) < 2048;
  if (key.asymmetricKeyType === 'ec')
    return !['prime256v1', 'secp384r1', 'secp521r1'].includes(details.namedCurve ?? '');
  return key.asymmetricKeyType !== 'ed25519' && key.asymmetricKeyType !== 'ed448';
}

function weakSignature(parsed: ParsedCertificate): boolean {
  const hash = (parsed.signatureAlgorithm as { hash?: { name?: string } }).hash?.name ?? '';
  return /^(SHA-1|MD5)$/i.test(hash);
}

function outsideValidity(cert: X509Certificate, now: number): boolean {
  return Date.parse(cert.validFrom) > now || Date.parse(cert.validTo) < now;
}

/** The x5c parsed, or why it cannot be. */
function parseChain(x5c: unknown): { certs: X509Certificate[] } | { problem: string } {
  if (!Array.isArray(x5c) || x5c.length === 0) return { problem: 'no x5c chain' };
  if (x5c.length > MAX_CHAIN_LENGTH)
    return { problem: `x5c holds more than ${MAX_CHAIN_LENGTH} certificates` };
  try {
    return { certs: x5c.map((der) => new X509Certificate(Buffer.from(der as Uint8Array))) };
  } catch {
    return { problem: 'x5c holds a certificate that does not parse' };
  }
}

/**
 * The chain from the leaf to one of the anchors, or why there is none: each certificate issued
 * and signed by the next, every issuer a CA within its path length, every certificate strong
 * enough and valid at `now`. x5c may end with the anchor itself; a self-signed root that is not
 * an anchor ends nowhere (GHSA-6hxq-p678-4hr2).
 */
function chainProblem(
  x5c: X509Certificate[],
  anchors: readonly X509Certificate[],
  now: number,
): AttestationVerdict {
  const top = x5c[x5c.length - 1]!;
  const included = anchors.find((a) => a.raw.equals(top.raw));
  const below = included ? x5c.slice(0, -1) : x5c;
  const last = below[below.length - 1];
  if (last === undefined) return refuse('WA_ATTESTATION_UNTRUSTED', 'the leaf is a trust anchor');
  const anchor = included ?? anchors.find((a) => issuedBy(last, a));
  if (!anchor)
    return refuse('WA_ATTESTATION_UNTRUSTED', 'the chain does not end at a configured anchor');
  const full = [...below, anchor];
  for (const [i, cert] of full.entries()) {
    const parsed = new ParsedCertificate(cert.raw);
    if (weakKey(cert) || weakSignature(parsed))
      return refuse('WA_ATTESTATION_UNTRUSTED', `certificate ${i} uses a weak key or hash`);
    if (outsideValidity(cert, now))
      return refuse('WA_ATTESTATION_EXPIRED', `certificate ${i} is not valid at the server's time`);
    const issuer = full[i + 1];
    if (issuer && !issuedBy(cert, issuer))
      return refuse('WA_ATTESTATION_UNTRUSTED', `certificate ${i} is not signed by the next one`);
    if (i === 0) continue;
    // An issuer: a CA, with at most `pathLength` CA certificates below it (the leaf excluded).
    const constraints = parsed.getExtension(BasicConstraintsExtension);
    if (!cert.ca || !constraints?.ca)
      return refuse('WA_ATTESTATION_UNTRUSTED', `certificate ${i} is not a CA`);
    if (constraints.pathLength !== undefined && i - 1 > constraints.pathLength)
      return refuse('WA_ATTESTATION_UNTRUSTED', `certificate ${i} exceeds its path length`);
  }
  return { ok: true };
}

/**
 * The verdict on a registration the library verified (its attestation signature included):
 * a format with an x5c chain, an allowed AAGUID that the leaf does not contradict, and a chain
 * to one of the policy's anchors at `now` (the server's clock).
 */
export function attestationVerdict(
  attestationObject: Uint8Array,
  aaguid: string,
  policy: AttestationPolicy,
  now: number,
): AttestationVerdict {
  let fmt: string;
  let x5c: unknown;
  try {
    const decoded = decodeAttestationObject(new Uint8Array(attestationObject));
    fmt = decoded.get('fmt');
    x5c = decoded.get('attStmt').get('x5c');
  } catch {
    return refuse('WA_ATTESTATION_REQUIRED', 'the attestation object does not decode');
  }
  if (fmt === 'none') return refuse('WA_ATTESTATION_REQUIRED', 'attestation "none"');
  if (!ATTESTED_FORMATS.includes(fmt))
    return refuse('WA_ATTESTATION_FORMAT_NOT_SUPPORTED', `format ${fmt.slice(0, 32)}`);
  // packed without x5c is self attestation: signed by the new key itself, it proves no model.
  if (x5c === undefined) return refuse('WA_ATTESTATION_REQUIRED', `${fmt} self attestation`);
  const chain = parseChain(x5c);
  if ('problem' in chain) return refuse('WA_ATTESTATION_UNTRUSTED', chain.problem);
  const leaf = chain.certs[0]!;
  if (leaf.ca) return refuse('WA_ATTESTATION_UNTRUSTED', 'the attestation certificate is a CA');
  const claimed = aaguid.toLowerCase();
  if (!policy.allowedAaguids.has(claimed))
    return refuse('WA_AAGUID_NOT_ALLOWED', `AAGUID ${claimed} is not in the allow-list`);
  // The certificate names the model its vendor made: an authData AAGUID that differs is forged.
  const ext = new ParsedCertificate(leaf.raw).getExtension(FIDO_AAGUID_OID);
  if (ext && extensionAaguid(ext) !== claimed)
    return refuse('WA_AAGUID_MISMATCH', 'the certificate names another AAGUID');
  return chainProblem(chain.certs, policy.trustAnchors, now);
}

/**
 * Refuses a registration whose attestation this policy does not trust: thrown, not returned,
 * so core hands the host the typed error with its reason and audits a failed activation.
 */
export function requireTrustedAttestation(
  info: { attestationObject: Uint8Array; aaguid: string },
  policy: AttestationPolicy,
  now: number,
  logger: Logger,
): void {
  const verdict = attestationVerdict(info.attestationObject, info.aaguid, policy, now);
  if (verdict.ok) return;
  logger.warn('webauthn: attestation refused', {
    security: true,
    reason: verdict.reason,
    detail: verdict.detail,
  });
  throw new ProviderDeniedError(
    'This security key is not a model this site accepts. Register an approved key.',
    { details: { reason: verdict.reason } },
  );
}
