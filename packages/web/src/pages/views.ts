import type { AccountView, StepUpChooserView } from './account-views.js';
import type { Catalog } from './catalogs.js';

/**
 * The view models the templates render. Every string is raw text: a template escapes each value
 * it puts into HTML (the defaults use escape-html). URLs are the handler's own paths unless named
 * otherwise.
 */

/** What every page view has. */
export interface BaseView {
  readonly lang: string;
  readonly t: Catalog;
  /** The session's CSRF token, for the hidden `_csrf` field of every form. */
  readonly csrf: string;
  /** The one-shot refusal of the previous form post, worded in `lang`, with its error code. */
  readonly flash?: { readonly message: string; readonly retry?: string; readonly code?: string };
  /** The host's recovery-code page link, where the user has recovery codes. */
  readonly recoveryUrl?: string;
}

export interface ChooserView extends BaseView {
  readonly action: string;
  readonly factors: readonly { readonly enrollmentId: string; readonly name: string }[];
}

export interface EnrollChooserView extends BaseView {
  readonly providers: readonly { readonly action: string; readonly name: string }[];
}

export interface CodeEntryView extends BaseView {
  readonly action: string;
  readonly digits?: number;
  readonly message?: string;
  /** Offer "remember this device" (a `rememberDevice` checkbox) for this many days. */
  readonly rememberDays?: number;
}

export interface QrEnrollmentView extends BaseView {
  readonly action: string;
  /** `data:image/svg+xml,...` of the prompt's QR code. */
  readonly qrDataUri: string;
  readonly manualKey: string;
  readonly digits: number;
}

export interface TokenProgrammingView extends BaseView {
  readonly action: string;
  readonly secretBase32: string;
  readonly secretHex: string;
  /** Settings to program, as label/value pairs (algorithm, digits, period or counter). */
  readonly settings: readonly (readonly [string, string])[];
  readonly digits: number;
  readonly message?: string;
}

export interface RedirectView extends BaseView {
  /** The provider's URL (another origin): a link the user follows. */
  readonly url: string;
}

export interface PushWaitView extends BaseView {
  readonly action: string;
  readonly pollIntervalMs: number;
  readonly message?: string;
  /** The CSP nonce for the page's one inline script (re-submits the form). */
  readonly nonce: string;
}

export interface ExternalEnrollmentView extends BaseView {
  readonly url: string;
  readonly message?: string;
}

export interface RecoveryFormView extends BaseView {
  readonly action: string;
  readonly backUrl: string;
}

export interface RecoveryCodesView extends BaseView {
  readonly codes: readonly string[];
  readonly continueUrl: string;
}

/** The page of a browser with no second step to take: it has no state, so no CSRF token. */
export interface SignInView {
  readonly lang: string;
  readonly t: Catalog;
  /** The host's sign-in page (`pages.signInUrl`). */
  readonly signInUrl: string;
}

/** A security-key ceremony: registration (enrollment) or authentication (sign-in). */
export interface WebauthnView extends BaseView {
  readonly action: string;
  readonly ceremony: 'registration' | 'authentication';
  /** The prompt's options for @simplewebauthn/browser, plain JSON data (escape before embedding). */
  readonly optionsJSON: { readonly [key: string]: unknown };
  /** The handler's script asset (library plus glue); load it with `nonce`. */
  readonly scriptUrl: string;
  /** The CSP nonce of the page's script. */
  readonly nonce: string;
}

export interface LayoutView {
  readonly lang: string;
  readonly t: Catalog;
  readonly title: string;
  /** The CSP nonce of the page's inline stylesheet (and script, if any). */
  readonly nonce: string;
  /** The page's main content (already HTML). */
  readonly main: string;
  readonly signOutUrl?: string;
}

/** Each page as a function from its view model to HTML; `layout` wraps the others. */
export interface Templates {
  readonly layout: (view: LayoutView) => string;
  readonly chooser: (view: ChooserView) => string;
  readonly enrollChooser: (view: EnrollChooserView) => string;
  readonly codeEntry: (view: CodeEntryView) => string;
  readonly qrEnrollment: (view: QrEnrollmentView) => string;
  readonly tokenProgramming: (view: TokenProgrammingView) => string;
  readonly redirect: (view: RedirectView) => string;
  readonly pushWait: (view: PushWaitView) => string;
  readonly externalEnrollment: (view: ExternalEnrollmentView) => string;
  readonly webauthn: (view: WebauthnView) => string;
  readonly recoveryForm: (view: RecoveryFormView) => string;
  readonly recoveryCodes: (view: RecoveryCodesView) => string;
  readonly denied: (view: BaseView) => string;
  readonly signIn: (view: SignInView) => string;
  /** The signed-in user's security settings (`GET <prefix>/account`). */
  readonly account: (view: AccountView) => string;
  /** The choice of factor for a step-up before an account change. */
  readonly stepUpChooser: (view: StepUpChooserView) => string;
}
