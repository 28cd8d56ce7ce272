export { TotpProvider, type TotpEnrollment, type TotpPending } from './totp-provider.js';
export {
  TotpSettings,
  TOTP_ALGORITHMS,
  DEFAULT_SECRET_SIZE,
  MIN_SECRET_BYTES,
  MAX_SECRET_BYTES,
  secretSizeOf,
  type TotpAlgorithm,
} from './settings.js';
export { canonicalCode, MAX_INPUT_LENGTH } from './input.js';
export { normaliseBase32Secret } from './secret.js';
export { totpImportInput, type TotpImportInput, type ImportOptions } from './import.js';
export { buildOtpauthUri, parseOtpauthUri, type OtpauthFields } from './uri.js';
export { timeStep, type TotpParameters } from './otp.js';
export { selfTest } from './self-test.js';
