import { InvalidArgumentError, type RequestInfo, type TwoFactorUser } from '@factorkit/core';
import { readJsonObject } from './body.js';
import { DeviceCookie, type RememberDeviceOptions } from './device-cookie.js';
import { mapError, WebError } from './errors.js';
import { IpRateLimit, type IpRateLimitOptions } from './ip-limit.js';
import { RequestInfoReader } from './request-info.js';
import { jsonResponse } from './responses.js';
import { accountRoutes } from './account-routes.js';
import { adminRoutes, bindAdmin, type AdminRouteOptions } from './admin-routes.js';
import { isForm, readFormObject } from './pages/form.js';
import type { PageOptions } from './pages/options.js';
import { pageRoutes, resolvePages } from './pages/page-routes.js';
import { accountPageRoutes } from './pages/account-page-routes.js';
import { signInRequiredPage } from './pages/sign-in-page.js';
import { assetResponse, webauthnAsset, type PageAsset } from './pages/webauthn-asset.js';
import { callbackRoutes } from './callback-routes.js';
import { pushPollRoutes } from './push-poll-routes.js';
import * as routes from './routes.js';
import type { Route, RouteResult } from './route.js';
import type { HostSession, SecondStep, SecondStepStarted } from './second-step.js';
import type { SecondStepOutcome } from './second-step-store.js';
import { stepUpRoutes } from './step-up-routes.js';

/** What the server hands the handler with each request. */
export interface HandlerContext {
  readonly session: HostSession;
  /** The TCP peer's address (Node: `req.socket.remoteAddress`; Bun: `server.requestIP`). */
  readonly peerAddress?: string;
}

/** A request that carried fields or headers meant to skip or fake the second step (FL-04). */
export interface BypassAttempt {
  readonly route: string;
  /** The body fields and headers that were ignored. */
  readonly fields: readonly string[];
  readonly request: RequestInfo;
}

export interface TwoFactorHandlerOptions<C extends HandlerContext = HandlerContext> {
  readonly secondStep: SecondStep;
  /** Where the routes are mounted: `/` then a path without a trailing slash. @default '/2fa' */
  readonly prefix?: string;
  /** Proxies whose `X-Forwarded-For` is believed (addresses, CIDRs, `loopback`). @default [] */
  readonly trustedProxies?: readonly string[];
  /** Largest request body (1..1048576 bytes). @default 16384 */
  readonly bodyLimitBytes?: number;
  /** Per-IP limit on every 2FA route, or `false` to leave it to a proxy. @default {} (60 a minute) */
  readonly ipRateLimit?: IpRateLimitOptions | false;
  /** The second factor passed; the session id is already rotated. Mark the host's session here. */
  readonly onSignedIn?: (outcome: SecondStepOutcome, ctx: C) => Promise<void> | void;
  /** A 5xx: the full error, for the host's logs (the client saw a generic message). */
  readonly onError?: (error: unknown, requestId: string) => void;
  /** Client-supplied flags that were ignored (FL-04), for the host's security log. */
  readonly onBypassAttempt?: (attempt: BypassAttempt) => void;
  /** The admin routes (`/admin/users/:id/...`) and who may use them; without it they are 404. */
  readonly admin?: AdminRouteOptions<C>;
  /** Server-rendered pages for browsers without a front-end app. @default off (JSON only) */
  readonly pages?: PageOptions;
  /**
   * The remembered-device cookie ("remember this device" after a second factor, where the
   * audience's `rememberDeviceDays` is above 0), or `false` to never offer it. @default {}
   */
  readonly rememberDevice?: RememberDeviceOptions | false;
}

/** `handler.beginSecondStep`'s answer: what core said, and the cookies to set on the response. */
export interface PasswordStepResult {
  readonly started: SecondStepStarted;
  /** `Set-Cookie` lines (clearing a rejected remembered-device cookie): append each. */
  readonly setCookie: readonly string[];
}

export interface TwoFactorHandler<C extends HandlerContext = HandlerContext> {
  (request: Request, ctx: C): Promise<Response>;
  /** The mount point ('' for the root): adapters pass on only the requests under it. */
  readonly prefix: string;
  /**
   * The ip (through `trustedProxies`), user agent and request id of a request, as the routes
   * pass them to core: give it to `beginSecondStep` from the host's login route.
   */
  requestInfo(request: Request, peerAddress?: string): RequestInfo;
  /**
   * `secondStep.beginSecondStep` for the host's login route, with the browser's
   * remembered-device cookie: a valid one of this user signs the session in without a second
   * factor; a rejected one is cleared (the `Set-Cookie` lines to send).
   */
  beginSecondStep(
    request: Request,
    ctx: HandlerContext,
    user: TwoFactorUser,
  ): Promise<PasswordStepResult>;
}

/**
 * Every route, by module. A feature adds its own `Route[]` module and one line here.
 */
const ROUTES: readonly Route[] = [
  ...routes.secondStepRoutes,
  ...pushPollRoutes,
  ...stepUpRoutes,
  ...accountRoutes,
];

/** Body fields and headers that only an attacker would send: ignored, and reported (FL-04). */
const BYPASS_FIELDS = [
  'skipTwoFactor',
  'skip2fa',
  'mfaVerified',
  'mfa_verified',
  'amr',
  'assurance',
  'userId',
  'user',
  'provider',
];
const BYPASS_HEADERS = ['x-user-id', 'x-mfa-verified', 'x-skip-two-factor'];

function checkedPrefix(prefix: string): string {
  if (!/^\/[A-Za-z0-9._~/-]*$/.test(prefix) || (prefix.length > 1 && prefix.endsWith('/')))
    throw new InvalidArgumentError(
      `prefix must start with "/" and not end with one (like "/2fa"); got "${prefix}".`,
    );
  return prefix === '/' ? '' : prefix;
}

function checkedLimit(value: number | undefined): number {
  if (value === undefined) return 16_384;
  if (!Number.isInteger(value) || value < 1 || value > 1_048_576)
    throw new InvalidArgumentError(
      `bodyLimitBytes must be a whole number from 1 to 1048576; got ${String(value)}.`,
    );
  return value;
}

/**
 * The 2FA routes as one fetch-style function: `(Request, { session, peerAddress }) => Response`.
 * Hono, Bun and Deno servers call it as is; `@factorkit/web/express` adapts it to Express 5.
 */
export function createTwoFactorHandler<C extends HandlerContext = HandlerContext>(
  options: TwoFactorHandlerOptions<C>,
): TwoFactorHandler<C> {
  const steps = options.secondStep;
  const prefix = checkedPrefix(options.prefix ?? '/2fa');
  const limit = checkedLimit(options.bodyLimitBytes);
  const reader = new RequestInfoReader(options.trustedProxies);
  const ipLimit = options.ipRateLimit === false ? undefined : new IpRateLimit(options.ipRateLimit);
  const device =
    options.rememberDevice === false ? undefined : new DeviceCookie(options.rememberDevice ?? {});
  // Without the host's authorizer the admin routes are not in the table: a 404 like any other.
  // The page routes need the prefix and the options, so they join the table here.
  const pages = options.pages === undefined ? undefined : resolvePages(options.pages, prefix);
  // With the pages on, Duo's redirect back lands a person on a page, not on JSON.
  const callbackTable = callbackRoutes(pages);
  // Routes a person reaches in the browser: without a second step they get the sign-in page.
  const pageTable = pages === undefined ? [] : [...pageRoutes(pages), ...accountPageRoutes(pages)];
  const personTable = pages === undefined ? [] : [...pageTable, ...callbackTable];
  const table: readonly Route[] = [
    ...ROUTES,
    ...(options.admin === undefined ? [] : adminRoutes),
    ...pageTable,
    ...callbackTable,
  ];
  // The pages' scripts: public and static, so they need no session and may be cached.
  const assets: readonly PageAsset[] = options.pages === undefined ? [] : [webauthnAsset()];

  function reportBypass(
    route: string,
    body: Record<string, unknown>,
    request: Request,
    info: RequestInfo,
  ): void {
    const fields = [
      ...BYPASS_FIELDS.filter((f) => Object.hasOwn(body, f)),
      ...BYPASS_HEADERS.filter((h) => request.headers.has(h)),
    ];
    if (fields.length > 0) options.onBypassAttempt?.({ route, fields, request: info });
  }

  async function serve(request: Request, ctx: C, info: RequestInfo): Promise<Response> {
    const path = new URL(request.url).pathname;
    if (path !== prefix && !path.startsWith(prefix + '/'))
      throw new WebError(404, 'NOT_FOUND', 'No such route.');
    const sub = path.slice(prefix.length) || '/';
    if (ipLimit) await ipLimit.take(info.ip ?? 'unknown');
    if (sub === '/health') {
      if (request.method !== 'GET') throw new MethodNotAllowed('GET');
      return toResponse(await routes.health(steps), info.requestId!, []);
    }
    const asset = assets.find((a) => a.path === sub);
    if (asset !== undefined) {
      if (request.method !== 'GET' && request.method !== 'HEAD')
        throw new MethodNotAllowed('GET, HEAD');
      return assetResponse(asset, request);
    }
    const matches = table.map((r) => ({ r, m: r.pattern.exec(sub) })).filter((x) => x.m !== null);
    if (matches.length === 0) throw new WebError(404, 'NOT_FOUND', 'No such route.');
    const hit = matches.find((x) => x.r.method === request.method);
    if (hit === undefined)
      throw new MethodNotAllowed([...new Set(matches.map((x) => x.r.method))].join(', '));
    const state = await steps.state(ctx.session);
    if (state === undefined) {
      // A person on a page gets a page with the way back to the sign-in, not JSON.
      if (pages !== undefined && personTable.includes(hit.r))
        return toResponse(signInRequiredPage(pages, request), info.requestId!, []);
      throw new WebError(401, 'NO_SECOND_STEP', 'Sign in with your password first.');
    }
    let body: Record<string, unknown> = {};
    if (hit.r.form === true && hit.r.method === 'POST' && isForm(request)) {
      // A form cannot send a header: its token is the `_csrf` field, so the (limited) body is read
      // first, and nothing is done before the token is checked (FL-12).
      const { _csrf: token, ...fields } = await readFormObject(request, limit);
      if (!steps.csrfValid(state, token ?? null))
        throw new WebError(403, 'CSRF_INVALID', 'Missing or invalid _csrf form field.');
      body = fields;
    } else {
      if (
        (hit.r.csrf ?? hit.r.method === 'POST') &&
        !steps.csrfValid(state, request.headers.get('x-csrf-token'))
      )
        throw new WebError(403, 'CSRF_INVALID', 'Missing or invalid X-CSRF-Token header.');
      if (hit.r.method === 'POST') body = await readJsonObject(request, limit);
    }
    reportBypass(sub, body, request, info);
    const cookies: string[] = [];
    const result = await hit.r.run({
      steps,
      session: ctx.session,
      state,
      info,
      request,
      ...(ctx.peerAddress === undefined ? {} : { peerAddress: ctx.peerAddress }),
      cookies,
      ...(device === undefined ? {} : { deviceCookie: device }),
      body,
      params: { ...hit.m!.groups },
      signedIn: async (outcome) => {
        await options.onSignedIn?.(outcome, ctx);
      },
      ...(options.admin === undefined ? {} : { admin: bindAdmin(options.admin, ctx) }),
    });
    return toResponse(result, info.requestId!, cookies);
  }

  const handler = async (request: Request, ctx: C): Promise<Response> => {
    const info = reader.read(request, ctx.peerAddress);
    const requestId = info.requestId!;
    try {
      return await serve(request, ctx, info);
    } catch (err) {
      const mapped = mapError(err, requestId);
      if (mapped.unexpected) options.onError?.(err, requestId);
      const retry = mapped.body.error.retryAfter;
      const extra: Record<string, string> =
        typeof retry === 'number' ? { 'retry-after': String(retry) } : {};
      if (err instanceof MethodNotAllowed) extra.allow = err.allow;
      return jsonResponse(mapped.status, mapped.body, requestId, extra);
    }
  };
  const requestInfo = (request: Request, peerAddress?: string): RequestInfo =>
    reader.read(request, peerAddress);
  const beginSecondStep = async (
    request: Request,
    ctx: HandlerContext,
    user: TwoFactorUser,
  ): Promise<PasswordStepResult> => {
    const peer = ctx.peerAddress;
    const info = reader.read(request, peer);
    // Core judges the value, a malformed one too (audited as `device.rejected`, FL-09).
    const token = device?.read(request, peer);
    const started = await steps.beginSecondStep(
      ctx.session,
      user,
      info,
      token === undefined ? {} : { deviceToken: token },
    );
    const r = started.requirement;
    const rejected = r.action === 'challenge' ? r.deviceRejected : undefined;
    // A locked account's device may work again after the unlock: only a dead cookie is cleared.
    const dead = rejected !== undefined && rejected !== 'locked';
    return {
      started,
      setCookie: device !== undefined && dead ? [device.clear(request, peer)] : [],
    };
  };
  return Object.assign(handler, { prefix, requestInfo, beginSecondStep });
}

function toResponse(result: RouteResult, requestId: string, cookies: readonly string[]): Response {
  let response: Response;
  if ('response' in result) {
    // A copy: `Response.redirect()` and some adapters hand out immutable headers.
    const headers = new Headers(result.response.headers);
    headers.set('x-request-id', requestId);
    response = new Response(result.response.body, { status: result.response.status, headers });
  } else response = jsonResponse(result.status ?? 200, result.body, requestId);
  for (const line of cookies) response.headers.append('set-cookie', line);
  return response;
}

/** A 405 that knows the methods its path takes, for the `Allow` header (RFC 9110 §15.5.6). */
class MethodNotAllowed extends WebError {
  constructor(readonly allow: string) {
    super(405, 'METHOD_NOT_ALLOWED', 'This route does not accept that method.');
  }
}
