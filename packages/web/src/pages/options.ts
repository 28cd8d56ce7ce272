import { InvalidArgumentError, type ChallengePrompt } from '@factorkit/core';
import type { ApiErrorCode } from '../errors.js';
import type { AccountNotice } from './account-catalog.js';
import type { Catalog, CatalogOverride } from './catalogs.js';
import type { Templates } from './views.js';

/** The server-rendered pages of the second step (`TwoFactorHandlerOptions.pages`). */
export interface PageOptions {
  /** Where a signed-in browser goes (a path of the host's own origin). @default '/' */
  readonly afterSignIn?: string;
  /** The host's sign-out URL, linked from every page. @default none (no link) */
  readonly signOutUrl?: string;
  /**
   * The host's sign-in page, linked from the 401 page a browser gets on a 2FA page without a
   * pending second step (no password yet, an expired or an old session). @default '/'
   */
  readonly signInUrl?: string;
  /** Replaces some or all of the default templates. */
  readonly templates?: Partial<Templates>;
  /**
   * More catalogs, or messages that override the built-in ones, by BCP 47 tag (`fr`, `de`).
   * A catalog for a new language falls back to English for any message it leaves out.
   */
  readonly locales?: Readonly<Record<string, CatalogOverride>>;
  /** Picks the language itself; the default negotiates `Accept-Language` over the catalogs. */
  readonly locale?: (request: Request) => string;
  /** The time zone a "try again at" time is shown in. @default 'UTC' */
  readonly timeZone?: string;
  /** The page's title, before each page's own. @default 'Sign-in' (from the catalog) */
  readonly siteName?: string;
}

/** A refusal kept for the next page view only (post/redirect/get), never in the URL. */
export interface PageFlash {
  readonly code: ApiErrorCode;
  /** Seconds until another attempt may succeed; null when only an administrator can help. */
  readonly retryAfter?: number | null;
  /** What the refusal is about on an account page (a factor's id, for its rename field). */
  readonly about?: string;
}

/**
 * What the pages keep in the session's server-side state beside the JSON API's fields.
 */
export interface PageState {
  readonly flash?: PageFlash;
  /** The prompt of the challenge begun from a page (the JSON API keeps only the challenge id). */
  readonly challenge?: { readonly id: string; readonly prompt: ChallengePrompt };
  /** Recovery codes of a just-finished enrollment, shown on the next page view and then gone. */
  readonly recoveryCodes?: readonly string[];
  /** The change an account page just made, reported on the next account page view only. */
  readonly notice?: AccountNotice;
}

/** The options with their defaults filled in, as the page routes use them. */
export interface ResolvedPages {
  readonly prefix: string;
  readonly afterSignIn: string;
  readonly signOutUrl: string | undefined;
  readonly signInUrl: string;
  readonly templates: Templates;
  readonly catalogs: ReadonlyMap<string, Catalog>;
  readonly locale: (request: Request) => string;
  readonly timeZone: string;
  readonly siteName: string | undefined;
  /** The full path of the security-key script (below the prefix, named by its digest). */
  readonly webauthnScript: string;
}

/**
 * A page option that becomes a `Location` or a link: a path on this site only. `//evil.example`
 * and `/\evil.example` are other hosts to a browser (an open redirect, DU-06), and a CR or LF
 * would make the response throw after the session was already signed in.
 */
export function sitePath(option: string, value: unknown): string {
  if (
    typeof value !== 'string' ||
    !value.startsWith('/') ||
    /^\/[/\\]/.test(value) ||
    [...value].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f)
  )
    throw new InvalidArgumentError(
      `pages.${option} must be a path on this site, starting with "/" (not "//"), without control characters.`,
    );
  return value;
}
