export {
  YubikeyProvider,
  counterOf,
  isEnrollment,
  type YubikeyEnrollment,
} from './yubikey-provider.js';
export {
  YubikeySettings,
  YUBICLOUD_URL,
  FAILMODES,
  failmodeFor,
  type Failmode,
} from './settings.js';
export {
  MODHEX_ALPHABET,
  modhexDecode,
  modhexEncode,
  normaliseOtp,
  publicIdOf,
  TOKEN_LENGTH,
} from './modhex.js';
export { canonicalString, sign, hasValidSignature } from './signature.js';
export { parseResponse, MAX_RESPONSE_BYTES } from './response.js';
export { requestParams, validateOtp, type Verdict } from './validation-client.js';
export { crc16, CRC_RESIDUE, parseToken, tokenBytes, type TokenFields } from './token.js';
