import type { BaseView } from './views.js';

/**
 * The view models of the account pages. As everywhere in the pages, every string is raw text a
 * template escapes; dates come already worded in the page's language and time zone.
 */

/** One of the user's factors, with its own rename and (where policy lets) remove forms. */
export interface AccountFactorView {
  readonly id: string;
  /** The label, or the provider's name when it has none. */
  readonly name: string;
  readonly providerName: string;
  readonly added: string;
  /** Undefined until the factor first answered a challenge. */
  readonly lastUsed?: string;
  readonly renameAction: string;
  readonly removeAction?: string;
  /** The one-shot refusal on the page is about this factor's rename field. */
  readonly invalid?: boolean;
}

export interface AccountDeviceView {
  readonly name: string;
  readonly until: string;
  readonly forgetAction: string;
}

export interface AccountActivityView {
  /** What happened, worded ("Method added"). */
  readonly what: string;
  readonly when: string;
  /** The provider's name, when the entry names one. */
  readonly method?: string;
  readonly ip?: string;
}

/** `GET <prefix>/account`: the "Security settings" page. */
export interface AccountView extends BaseView {
  /** The one-shot report of the change just made ("The method was renamed."). */
  readonly notice?: string;
  readonly factors: readonly AccountFactorView[];
  /** Providers the user may still add, each a form that starts its enrollment. */
  readonly add: readonly { readonly action: string; readonly name: string }[];
  /** Present while the user has a factor (recovery codes exist only then). */
  readonly recoveryCodes?: {
    readonly remaining: number;
    readonly low: boolean;
    readonly regenerateAction: string;
  };
  readonly devices: readonly AccountDeviceView[];
  readonly forgetAllAction: string;
  readonly activity: readonly AccountActivityView[];
  /** The page of older activity, when there is one. */
  readonly olderUrl?: string;
  /** Back to the newest activity, when this page shows older ones. */
  readonly newestUrl?: string;
  /** Present only where the audience lets the user turn two-factor authentication off. */
  readonly turnOffAction?: string;
}

/** `GET <prefix>/account/step-up`: "Confirm it's you", before an account change. */
export interface StepUpChooserView extends BaseView {
  readonly action: string;
  readonly factors: readonly { readonly enrollmentId: string; readonly name: string }[];
  readonly backUrl: string;
}
