import type { ActivationPrompt, ChallengePrompt, Requirement } from '@factorkit/core';
import type { RememberedDeviceInfo } from './remember-device.js';
import type { SecondStepOutcome } from './second-step-store.js';

/**
 * The request and response bodies of the JSON API. Every POST carries the session's CSRF token
 * in the `X-CSRF-Token` header; the user is never named by the client.
 */

/** `GET /requirement`: what the session must do next, and its CSRF token. */
export interface RequirementResponse {
  readonly phase: 'pending' | 'authenticated';
  readonly requirement: Requirement;
  readonly csrfToken: string;
}

/** `GET /csrf`. */
export interface CsrfResponse {
  readonly csrfToken: string;
}

/** `POST /challenge`: an enrollment id from the requirement's `factors`, or none for the first. */
export interface BeginChallengeRequest {
  readonly enrollmentId?: string;
}

/** The challenge's id stays on the server: only this session can answer it. */
export interface ChallengeResponse {
  readonly providerId: string;
  readonly enrollmentId: string;
  readonly prompt: ChallengePrompt;
  readonly expiresAt: number;
}

/** `POST /challenge/answer` and `POST /recovery-code`. */
export interface CodeRequest {
  readonly code: string;
  /** "Remember this device": on success, a remembered-device cookie is set (FL-16). */
  readonly rememberDevice?: boolean;
}

/** The second step passed: the session id was rotated and a new CSRF token issued. */
export interface SignedInResponse {
  readonly ok: true;
  readonly outcome: SecondStepOutcome;
  readonly csrfToken: string;
  readonly recoveryCodesRemaining?: number;
  readonly lowRecoveryCodes?: boolean;
  /**
   * Only when `rememberDevice: true` was sent: the device remembered (its cookie is set), or
   * null when it was not (turned off for the account; the sign-in still succeeded).
   */
  readonly rememberedDevice?: RememberedDeviceInfo | null;
}

/** A push or callback is still outstanding: answer again later. */
export interface WaitingResponse {
  readonly ok: false;
  readonly waiting: true;
}

/** `POST /challenge/poll`: how long to hold the request open while the push is unanswered. */
export interface PollRequest {
  /** 0 (answer at once, the default) to 25000 ms: a long poll. */
  readonly waitMs?: number;
  /** Gives up waiting (the push stays on the phone until Duo ends it). */
  readonly cancel?: true;
}

/**
 * `POST /challenge/poll`: still `waiting` (202: poll again after the prompt's `pollIntervalMs`),
 * or `approved` (the session is signed in, as with `SignedInResponse`). A denied or expired push
 * is the usual error body (`PROVIDER_DENIED` 401, `CHALLENGE_EXPIRED` 409).
 */
export type PollResponse =
  | (WaitingResponse & { readonly status: 'waiting' })
  | (Omit<SignedInResponse, 'recoveryCodesRemaining' | 'lowRecoveryCodes'> & {
      readonly status: 'approved';
    });

/** `GET /enroll/:providerId`: the same prompt (QR code) until the enrollment is confirmed. */
export interface EnrollmentPromptResponse {
  readonly providerId: string;
  readonly prompt: ActivationPrompt;
  readonly expiresAt: number;
}

/** `POST /enroll/answer`: the code from the new factor, and an optional name for it. */
export interface EnrollAnswerRequest {
  readonly code: string;
  readonly label?: string;
}

/** Enrolled. The second step is still to be passed with the new factor (`next`). */
export interface EnrolledResponse {
  readonly ok: true;
  readonly enrollmentId: string;
  readonly providerId: string;
  readonly label: string | null;
  /** Shown once. */
  readonly recoveryCodes?: readonly string[];
  readonly next: Requirement;
}

/** `GET /health`: one entry per enabled provider, with no detail that could hold a secret. */
export interface HealthResponse {
  readonly ok: boolean;
  readonly providers: Readonly<Record<string, { readonly healthy: boolean }>>;
}
