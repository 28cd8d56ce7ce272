export {
  WebauthnProvider,
  assuranceOf,
  isEnrollment,
  type WebauthnEnrollment,
} from './webauthn-provider.js';
export { credentialLookupKey, userHandleOf } from './identifiers.js';
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
