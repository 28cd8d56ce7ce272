export {
  WebauthnProvider,
  assuranceOf,
  isEnrollment,
  type WebauthnEnrollment,
} from './webauthn-provider.js';
export { credentialLookupKey, userHandleOf } from './identifiers.js';
export {
  attestationPolicyOf,
  type AttestationPolicy,
  type AttestationSettings,
} from './attestation-policy.js';
export {
  ATTESTED_FORMATS,
  FIDO_AAGUID_OID,
  attestationVerdict,
  type AttestationRefusal,
  type AttestationVerdict,
} from './attestation-trust.js';
export { excludedCredentials, type ExcludedCredential } from './excluded-credentials.js';
export {
  WebauthnSettings,
  DEFAULT_ALGORITHMS,
  USER_VERIFICATIONS,
  originProblem,
  userVerificationFor,
  type UserVerification,
} from './settings.js';
export {
  MAX_CREDENTIAL_ID_BYTES,
  authenticationShape,
  clientDataProblem,
  registrationShape,
} from './response-shape.js';
