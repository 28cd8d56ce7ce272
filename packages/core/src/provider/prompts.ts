/**
 * The prompts a provider hands the host to render: discriminated unions on `kind`, plain data,
 * never HTML. Activation may use any kind; a challenge only code entry, redirect, push wait or a
 * WebAuthn assertion.
 */

/** The user types a code. */
export interface CodeEntryPrompt {
  readonly kind: 'code-entry';
  /** Expected number of digits, when the code is numeric. */
  readonly digits?: number;
  /** Plain text shown above the field (never HTML). */
  readonly message?: string;
}

/** The user scans a QR code (or types the key) into an authenticator app, then types a code. */
export interface QrEnrollmentPrompt {
  readonly kind: 'qr-enrollment';
  readonly otpauthUri: string;
  /** SVG markup of the QR code, for `<img src="data:image/svg+xml,...">` or inline use. */
  readonly qrSvg: string;
  /** PNG data URL of the QR code. */
  readonly qrPngDataUrl: string;
  /** The secret in groups for manual entry. */
  readonly manualKey: string;
  readonly digits: number;
  readonly period: number;
  readonly algorithm: string;
  readonly issuer: string;
  readonly accountName: string;
}

/** The host redirects the browser (Duo Universal Prompt). */
export interface RedirectPrompt {
  readonly kind: 'redirect';
  readonly url: string;
}

/** The host waits for an out-of-band answer and polls `completeChallenge` with `{ poll: true }`. */
export interface PushWaitPrompt {
  readonly kind: 'push-wait';
  readonly pollIntervalMs: number;
  readonly message?: string;
}

/** The user must enroll at an external portal first (Duo `enroll`). */
export interface ExternalEnrollmentPrompt {
  readonly kind: 'external-enrollment';
  readonly url: string;
  readonly message?: string;
}

interface TokenProgrammingFields {
  readonly kind: 'token-programming';
  /** The shared secret, upper-case unpadded Base32 (what most programming tools accept). */
  readonly secretBase32: string;
  /** The same secret in lower-case hex (what other programming tools and seed files use). */
  readonly secretHex: string;
  readonly algorithm: 'SHA1' | 'SHA256' | 'SHA512';
  readonly digits: number;
  /** Plain text: how to program the token and what to type afterwards (never HTML). */
  readonly message?: string;
}

/**
 * The user (or an administrator at a desk) programs this secret into a hardware OATH token that
 * has no camera, with the vendor's tool, then types the code the token shows. The secret is shown
 * once, like a QR code: never log it or keep it in the page cache (SS-05).
 */
export type TokenProgrammingPrompt = TokenProgrammingFields &
  (
    | {
        /** Time-based (RFC 6238): the token needs the step length. */
        readonly otpType: 'totp';
        /** Seconds per time step. */
        readonly period: number;
      }
    | {
        /** Counter-based (RFC 4226): the token needs the counter it starts from. */
        readonly otpType: 'hotp';
        /** The counter to program; the token's first code is for this counter. */
        readonly counter: number;
      }
  );

/**
 * The browser registers a WebAuthn credential: the host passes `optionsJSON` to
 * `@simplewebauthn/browser`'s `startRegistration({ optionsJSON })` and sends back the JSON object
 * it resolves to (not a string) as the answer.
 */
export interface WebauthnRegistrationPrompt {
  readonly kind: 'webauthn-registration';
  /** `PublicKeyCredentialCreationOptionsJSON`, plain JSON data. */
  readonly optionsJSON: { readonly [key: string]: unknown };
}

/**
 * The browser signs a WebAuthn assertion: the host passes `optionsJSON` to
 * `startAuthentication({ optionsJSON })` and sends back the JSON object it resolves to.
 */
export interface WebauthnAuthenticationPrompt {
  readonly kind: 'webauthn-authentication';
  /** `PublicKeyCredentialRequestOptionsJSON`, plain JSON data. */
  readonly optionsJSON: { readonly [key: string]: unknown };
}

export type ActivationPrompt =
  | CodeEntryPrompt
  | QrEnrollmentPrompt
  | TokenProgrammingPrompt
  | RedirectPrompt
  | PushWaitPrompt
  | ExternalEnrollmentPrompt
  | WebauthnRegistrationPrompt
  | WebauthnAuthenticationPrompt;

export type ChallengePrompt =
  CodeEntryPrompt | RedirectPrompt | PushWaitPrompt | WebauthnAuthenticationPrompt;

export const PROMPT_KINDS = [
  'code-entry',
  'qr-enrollment',
  'token-programming',
  'redirect',
  'push-wait',
  'external-enrollment',
  'webauthn-registration',
  'webauthn-authentication',
] as const;

/** The kinds a challenge may use (activation-only kinds are refused there). */
export const CHALLENGE_PROMPT_KINDS = [
  'code-entry',
  'redirect',
  'push-wait',
  'webauthn-authentication',
] as const;
