// reflect-metadata first: every decorator below relies on it.
import './di.js';

export { CORE_VERSION } from './version.js';
export * from './errors.js';
export * from './services.js';
export * from './provider/contract.js';
export {
  Provider,
  Inject,
  type CoreServiceClass,
  type InjectedServices,
  type ProviderOptions,
} from './provider/decorators.js';
export {
  defineProvider,
  isProviderFactory,
  type ProviderFactory,
  type ProviderServices,
} from './provider/factory.js';
export {
  ProviderRegistry,
  type CoreServices,
  type ProviderDescriptor,
  type ProviderSource,
} from './provider/registry.js';
export {
  Field,
  getFields,
  secretFieldNames,
  configJsonSchema,
  describeConfig,
  type FieldOptions,
  type JsonSchemaObject,
} from './config/fields.js';
export { validateAgainstSchema, type SchemaValidationResult } from './config/validate.js';
export {
  loadDeploymentConfig,
  AudiencePolicy,
  ThrottlePolicy,
  RecoveryCodePolicy,
  PendingPolicy,
  NOT_ENROLLED_ACTIONS,
  type NotEnrolledAction,
  type DeploymentConfig,
  type ProviderDeployment,
  type KeyRingConfig,
  type LoadConfigOptions,
} from './config/deployment.js';
export { SecretBox, generateEncryptionKey } from './crypto/secret-box.js';
export {
  RECOVERY_ALPHABET,
  RECOVERY_CODE_LENGTH,
  canonicalRecoveryCode,
  formatRecoveryCode,
  generateRecoveryCode,
  hashRecoveryCode,
} from './crypto/recovery-codes.js';
export { encodeBase32, decodeBase32, type Base32EncodeOptions } from './kit/base32.js';
export {
  importSecret,
  MIN_SHARED_SECRET_BYTES,
  type ImportSecretOptions,
  type ImportedSecret,
} from './kit/secret-import.js';
export { constantTimeEqual } from './kit/constant-time.js';
export {
  FAILMODES,
  failmodeFor as failmodeForAudience,
  failmodeProblem,
  type Failmode,
} from './kit/failmode.js';
export { canonicalDigits, MAX_CODE_INPUT_LENGTH } from './kit/digit-code.js';
export * from './store/types.js';
export * from './store/device-types.js';
export { throttleBlockMs, applyReserve, applyRefund } from './store/throttle-schedule.js';
export { applyQuotaTake, assertQuotaArguments, type QuotaWindow } from './store/quota-window.js';
export {
  MemoryStore,
  MemoryEnrollmentStore,
  MemoryPendingStore,
  MemoryThrottleStore,
} from './store/memory.js';
export * from './events.js';
export {
  allowedProviders,
  decideRequirement,
  needsGraceDeadline,
  recoveryCodesUsable,
  type GraceClock,
  type Requirement,
  type ChooserFactor,
  type AudienceDryRun,
  type PolicyOverride,
} from './policy/policy.js';
export * from './service/two-factor-service.js';
export { TIMELINE_EVENTS, type SecurityNoticeKind } from './service/kernel/timeline-events.js';
export {
  DEFAULT_NOTIFY_TIMEOUT_MS,
  DEFAULT_TIMELINE_KEEP_PER_USER,
} from './service/kernel/security-timeline.js';
export {
  PUSH_NOTICE_WINDOW_MS,
  UNANSWERED_PUSHES_NOTICE_AFTER,
} from './service/kernel/push-watch.js';
export { DEFAULT_TIMELINE_PAGE } from './service/flows/timeline.js';

// Validation decorators, re-exported so provider schemas use the same class-validator copy as core.
// Loaded by the parts that are used (config/class-validator-lite.ts): a cold start need not pay
// for the whole package.
export { v } from './config/class-validator-lite.js';
