export {
  createTwoFactorHandler,
  type BypassAttempt,
  type HandlerContext,
  type PasswordStepResult,
  type TwoFactorHandler,
  type TwoFactorHandlerOptions,
} from './handler.js';
export {
  REMEMBERED_DEVICE,
  SecondStep,
  type BeginSecondStepOptions,
  type HostSession,
  type SecondStepOptions,
  type SecondStepStarted,
} from './second-step.js';
export {
  MemorySecondStepStore,
  type PendingActivation,
  type PendingChallenge,
  type SecondStepOutcome,
  type SecondStepState,
  type SecondStepStore,
} from './second-step-store.js';
export {
  API_ERROR_CODES,
  WebError,
  mapError,
  type ApiErrorBody,
  type ApiErrorCode,
  type WebErrorCode,
} from './errors.js';
export { RequestInfoReader } from './request-info.js';
export { DeviceCookie, type RememberDeviceOptions } from './device-cookie.js';
export type { RememberedDeviceInfo } from './remember-device.js';
export { SECURITY_HEADERS } from './responses.js';
export type { IpRateLimitOptions } from './ip-limit.js';
export type * from './types.js';
export type * from './account-types.js';
export type {
  AdminActor,
  AdminCaller,
  AdminRouteAction,
  AdminRouteOptions,
} from './admin-routes.js';
export type { PageFlash, PageOptions, PageState } from './pages/options.js';
export type * from './pages/views.js';
export type * from './pages/account-views.js';
export type { AccountNotice, AccountWords } from './pages/account-catalog.js';
export {
  BUILT_IN_CATALOGS,
  ENGLISH,
  GERMAN,
  type Catalog,
  type CatalogOverride,
} from './pages/catalogs.js';
export { DEFAULT_STYLE, DEFAULT_TEMPLATES } from './pages/templates.js';
