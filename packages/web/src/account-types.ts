import type {
  AmrValue,
  EnrollmentSummary,
  SecondFactorRecency,
  SecurityTimelinePage,
  ThrottleStatus,
  TrustedDeviceSummary,
} from '@factorkit/core';

/**
 * The request and response bodies of the account, step-up and admin routes. Like every route of
 * this package they act on the session's own user (or, for admin routes, on the user the host
 * resolves); every POST carries the session's CSRF token in `X-CSRF-Token`.
 */

/** `POST /step-up`: an enrollment id from `GET /account/factors`, or none for the first. */
export interface StepUpRequest {
  readonly enrollmentId?: string;
}

/** `POST /step-up/answer` and `POST /step-up/recovery-code`: the session stays signed in. */
export interface SteppedUpResponse {
  readonly ok: true;
  readonly providerId: string;
  readonly method: string;
  readonly amr: readonly AmrValue[];
  /** Epoch ms of this second factor: sensitive routes accept it for `stepUp.maxAgeSeconds`. */
  readonly at: number;
  readonly stepUp: SecondFactorRecency;
  readonly recoveryCodesRemaining?: number;
  readonly lowRecoveryCodes?: boolean;
}

/** `GET /account/factors`: the factors, the recovery codes left, and whether a step-up is due. */
export interface AccountFactorsResponse {
  readonly factors: readonly EnrollmentSummary[];
  readonly recoveryCodes: { readonly remaining: number; readonly low: boolean };
  readonly stepUp: SecondFactorRecency;
}

/** `POST /account/factors/:id/rename`. */
export interface RenameFactorRequest {
  readonly label: string;
}

/** `POST /account/recovery-codes/regenerate`: the new set, shown once; the old one is dead. */
export interface RecoveryCodesResponse {
  readonly recoveryCodes: readonly string[];
}

/** `GET /account/devices`. */
export interface AccountDevicesResponse {
  readonly devices: readonly TrustedDeviceSummary[];
}

/** `POST /account/devices/revoke-all`: how many remembered devices were forgotten. */
export interface DevicesRevokedResponse {
  readonly revoked: number;
}

/** `GET /account/timeline?limit=&before=`: pass `next` back as `before` for the older page. */
export type AccountTimelineResponse = SecurityTimelinePage;

/** `POST /admin/users/:id/reset` and `/unlock`: why, kept in the audit event (3..500 chars). */
export interface AdminReasonRequest {
  readonly reason: string;
}

/** `GET /admin/users/:id/status`: ids, names and counts only, never a secret. */
export interface AdminUserStatusResponse {
  readonly userId: string;
  readonly factors: readonly EnrollmentSummary[];
  readonly recoveryCodes: { readonly remaining: number; readonly low: boolean };
  readonly throttle: ThrottleStatus;
}

/** `POST /admin/users/:id/reset`. */
export interface AdminResetResponse {
  readonly ok: true;
  readonly enrollmentsRemoved: number;
  readonly devicesRevoked: number;
}

/** `POST /admin/users/:id/unlock`. */
export interface AdminUnlockResponse {
  readonly ok: true;
}
