export { DuoProvider, type DuoEnrollment } from './duo-provider.js';
export {
  DuoSettings,
  DUO_VERSIONS,
  LEGACY_FACTORS,
  FAILMODES,
  DUO_API_HOST,
  UNIVERSAL_FIELDS,
  LEGACY_FIELDS,
  failmodeFor,
  type DuoVersion,
  type LegacyFactor,
  type Failmode,
} from './config/settings.js';
export { renderUsername, templateFor, usernameProblem, checkTemplate } from './username.js';
export {
  canonParams,
  canonicalV2,
  canonicalV5,
  canonXDuoHeaders,
  duoEncode,
  authorizationHeader,
  hmacSha512Hex,
  sha512Hex,
  signingHost,
  type Params,
  type SignInput,
} from './legacy/signer.js';
export {
  AuthApiClient,
  parseEnvelope,
  retryAfterMs,
  type AuthApiClientOptions,
  type AuthApiResult,
  type OutgoingRequest,
} from './legacy/auth-api-client.js';
export { DuoCallError, classifyNetworkError, type FailureKind } from './failure.js';
export { safeText } from './sanitize.js';
export {
  trustCustomCa,
  looksLikePinnedSdkAxios,
  SDK_PRIVATE_AXIOS_FIELD,
  SEAM_SDK_VERSION,
} from './universal/ca-seam.js';
export { parseCallback } from './universal/universal-flow.js';
export { closeUniversalClients } from './universal/client-cache.js';
export { planUniversalUpgrade, type UpgradePlan } from './upgrade.js';
