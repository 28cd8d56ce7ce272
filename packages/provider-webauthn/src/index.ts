export {
  WebauthnProvider,
  assuranceOf,
  isEnrollment,
  userHandleOf,
  type WebauthnEnrollment,
} from './webauthn-provider.js';
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
