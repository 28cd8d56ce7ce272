export { startDuoEmulator, type DuoEmulator, type DuoEmulatorOptions } from './emulator.js';
export { DuoEmulatorError, type DuoEmulatorErrorCode } from './errors.js';
export { systemClock, type Clock } from './clock.js';
export type { EmulatorSettings } from './context.js';
export type {
  Faults,
  TokenFault,
  RateLimitFault,
  MalformedBody,
  AuthApiAnswerFault,
} from './state/faults.js';
export { HOSTILE_TEXT } from './state/faults.js';
export { DEMO_USERS } from './state/seed.js';
export type {
  AppRegistry,
  WebSdkApp,
  AuthApiApp,
  WebSdkAppInput,
  AuthApiAppInput,
  EmulatorApp,
} from './state/apps.js';
export type {
  UserDirectory,
  UserInput,
  UserStatus,
  EmulatorUser,
  Device,
  DeviceInput,
  PushAnswer,
  PromptAction,
} from './state/users.js';
export type { CallCounters } from './state/counters.js';
export type { Enrollment, EnrollStatus } from './state/enrollments.js';
export type { PushTransaction, PushDecision, AuthStatus } from './authapi/pushes.js';
export {
  generateCertificates,
  loadCertificates,
  type EmulatorCertificates,
} from './tls/certificates.js';
export {
  verifyAuthApiSignature,
  canonParams,
  canonicalV2,
  canonicalV5,
  canonXDuoHeaders,
  duoPercentEncode,
  type SignedRequest,
  type SignatureResult,
} from './authapi/signature.js';
