import type { RequestInfo } from '@factorkit/core';
import type { BoundAdmin } from './admin-routes.js';
import type { DeviceCookie } from './device-cookie.js';
import type { HostSession, SecondStep } from './second-step.js';
import type { SecondStepOutcome, SecondStepState } from './second-step-store.js';

/** What one route gets: the session's state is already loaded and its CSRF token checked. */
export interface RouteCall {
  readonly steps: SecondStep;
  readonly session: HostSession;
  readonly state: SecondStepState;
  readonly info: RequestInfo;
  /** The request itself, for routes that read a query string or headers. */
  readonly request: Request;
  /** The TCP peer, as the handler was given it (for the cookie's `Secure` decision). */
  readonly peerAddress?: string;
  /** `Set-Cookie` lines the handler adds to the route's response (a successful one too). */
  readonly cookies: string[];
  /** The remembered-device cookie, unless the host turned remembering off. */
  readonly deviceCookie?: DeviceCookie;
  readonly body: Record<string, unknown>;
  readonly params: Readonly<Record<string, string>>;
  /** Called after the second factor passed and the session id was rotated. */
  readonly signedIn: (outcome: SecondStepOutcome) => Promise<void>;
  /** The host's admin hooks, when it passed them (only the admin routes use them). */
  readonly admin?: BoundAdmin;
}

/**
 * A route's answer: a JSON body (the handler adds the security headers and request id), or a
 * whole `Response` for a page, a redirect or an event stream (it must carry SECURITY_HEADERS).
 */
export type RouteResult =
  { readonly status?: number; readonly body: unknown } | { readonly response: Response };

export type RouteFn = (call: RouteCall) => Promise<RouteResult>;

/** One entry of the route table. Patterns match the path below the handler's prefix. */
export interface Route {
  readonly method: 'GET' | 'POST';
  readonly pattern: RegExp;
  readonly run: RouteFn;
  /** Needs the session's CSRF token. @default true for POST */
  readonly csrf?: boolean;
  /**
   * Takes an HTML form (`application/x-www-form-urlencoded`) instead of JSON; its CSRF token is
   * the `_csrf` field. @default false
   */
  readonly form?: boolean;
}
