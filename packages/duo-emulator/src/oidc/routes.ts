import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SignJWT, UnsecuredJWT } from 'jose';
import { nowSec, type EmulatorContext } from '../context.js';
import { escapeHtml, page } from '../http/html.js';
import { allPairs, firstParam, queryPairs } from '../http/params.js';
import type { WebSdkApp } from '../state/apps.js';
import { opaqueToken, txid } from '../state/random.js';
import { HOSTILE_TEXT, faultApplies } from '../state/faults.js';
import type { EmulatorUser } from '../state/users.js';
import { JtiCache, numericClaim, verifyClientAssertion, verifyClientJwt } from './client-jwt.js';
import {
  CLIENT_ASSERTION_TYPE,
  INVALID_CLIENT,
  INVALID_GRANT,
  freePlanMessage,
} from './messages.js';

interface AuthRequest {
  app: WebSdkApp;
  host: string;
  redirectUri: string;
  state: string;
  sentName: string;
  nonce: string | undefined;
  codeParam: 'duo_code' | 'code';
}

interface PendingPrompt extends AuthRequest {
  kind: 'prompt' | 'enroll';
  expiresAtMs: number;
}

interface AuthResult {
  result: 'allow' | 'deny';
  status: string;
  status_msg: string;
}

interface IssuedCode {
  clientId: string;
  redirectUri: string;
  sentName: string;
  user: EmulatorUser;
  matchedBy: 'username' | 'alias';
  nonce: string | undefined;
  authTimeSec: number;
  expiresAtMs: number;
  authResult: AuthResult;
}

const PROMPT_TTL_MS = 10 * 60_000;

function requestHost(request: FastifyRequest): string {
  return (request.headers.host ?? '').toLowerCase();
}

function errorPage(reply: FastifyReply, status: number, message: string): FastifyReply {
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .send(page('Duo: request error', `<h1>Something went wrong</h1><p>${escapeHtml(message)}</p>`));
}

/** Security headers for every prompt page: no framing (Duo forbids iframes), no referrer, no scripts. */
function promptHeaders(reply: FastifyReply, redirectUri: string): void {
  const origin = new URL(redirectUri).origin;
  reply
    .header(
      'content-security-policy',
      `default-src 'none'; style-src 'unsafe-inline'; form-action 'self' ${origin}; frame-ancestors 'none'; base-uri 'none'`,
    )
    .header('x-frame-options', 'DENY')
    .header('referrer-policy', 'no-referrer')
    .header('cache-control', 'no-store');
}

export function registerOidcRoutes(
  app: FastifyInstance,
  ctx: EmulatorContext,
): { enrollUrl: (host: string, username: string) => string } {
  const jtis = new JtiCache();
  const prompts = new Map<string, PendingPrompt>();
  const codes = new Map<string, IssuedCode>();
  const enrollCodes = new Map<string, { username: string; expiresAtMs: number }>();

  const prune = (): void => {
    const now = ctx.nowMs();
    for (const [k, v] of prompts) if (v.expiresAtMs < now) prompts.delete(k);
    for (const [k, v] of codes) if (v.expiresAtMs < now) codes.delete(k);
    for (const [k, v] of enrollCodes) if (v.expiresAtMs < now) enrollCodes.delete(k);
  };

  const redirectWith = (req: AuthRequest, params: Record<string, string>): string => {
    const url = new URL(req.redirectUri);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    url.searchParams.set('state', req.state);
    return url.toString();
  };

  const issueCode = (
    req: AuthRequest,
    user: EmulatorUser,
    matchedBy: 'username' | 'alias',
    authResult: AuthResult,
  ): string => {
    const code = opaqueToken(24);
    codes.set(code, {
      clientId: req.app.clientId,
      redirectUri: req.redirectUri,
      sentName: req.sentName,
      user,
      matchedBy,
      nonce: req.nonce,
      authTimeSec: nowSec(ctx),
      expiresAtMs: ctx.nowMs() + ctx.settings.codeTtlSec * 1000,
      authResult,
    });
    return redirectWith(req, { [req.codeParam]: code });
  };

  const denyRedirect = (req: AuthRequest, description: string): string => {
    const f = ctx.faults();
    const hostile =
      f.hostileText !== undefined && faultApplies(f, '/oauth/v1/authorize')
        ? f.hostileText === true
          ? HOSTILE_TEXT
          : f.hostileText
        : undefined;
    return redirectWith(req, {
      error: 'access_denied',
      error_description: hostile ?? description,
    });
  };

  const approve = (
    req: AuthRequest,
    user: EmulatorUser,
    matchedBy: 'username' | 'alias',
    bypass = false,
  ): string => {
    ctx.users.recordSuccess(user);
    return issueCode(req, user, matchedBy, {
      result: 'allow',
      status: 'allow',
      status_msg: bypass ? 'Bypass user: logging you in' : 'Login Successful',
    });
  };

  // POST /oauth/v1/health_check (§A.3): HTTP 200 with stat OK or FAIL.
  app.all('/oauth/v1/health_check', async (request, reply) => {
    const pairs = allPairs(request);
    const timestamp = nowSec(ctx);
    if (ctx.faults().healthCheckFail) {
      return reply.send({
        stat: 'FAIL',
        code: 50301,
        message: 'service_unavailable',
        message_detail: 'Duo is temporarily unavailable.',
        timestamp,
      });
    }
    const check = await verifyClientAssertion(ctx, jtis, {
      assertion: firstParam(pairs, 'client_assertion'),
      clientId: firstParam(pairs, 'client_id'),
      host: requestHost(request),
      path: '/oauth/v1/health_check',
    });
    if (!check.ok) {
      return reply.send({
        stat: 'FAIL',
        code: 40002,
        message: 'invalid_client',
        message_detail: INVALID_CLIENT,
        timestamp,
      });
    }
    return reply.send({ stat: 'OK', response: { timestamp } });
  });

  // GET /oauth/v1/authorize (§A.4): verify the request JWT, then prompt or answer as scripted.
  app.get('/oauth/v1/authorize', async (request, reply) => {
    prune();
    const outer = queryPairs(request);
    const clientId = firstParam(outer, 'client_id');
    const token = firstParam(outer, 'request');
    const host = requestHost(request);
    const webApp = clientId ? ctx.apps.get(clientId) : undefined;
    if (!webApp || webApp.type !== 'websdk' || !token)
      return errorPage(reply, 400, 'Invalid client_id or missing request.');
    const claims = await verifyClientJwt(token, webApp.clientSecret);
    if (!claims) return errorPage(reply, 400, 'The request JWT could not be verified.');
    const now = ctx.nowMs() / 1000;
    const exp = numericClaim(claims['exp']);
    const problems: string[] = [];
    if (claims['client_id'] !== webApp.clientId) problems.push('client_id');
    if (claims['response_type'] !== 'code') problems.push('response_type');
    if (claims['scope'] !== 'openid') problems.push('scope');
    if (
      exp === undefined ||
      exp <= now - ctx.settings.jwtLeewaySec ||
      exp > now + 3600 + ctx.settings.jwtLeewaySec
    )
      problems.push('exp');
    if (claims['iss'] !== undefined && claims['iss'] !== webApp.clientId) problems.push('iss');
    if (
      claims['aud'] !== undefined &&
      claims['aud'] !== `https://${host}` &&
      claims['aud'] !== `https://${host}/oauth/v1/authorize`
    ) {
      problems.push('aud');
    }
    const redirectUri = claims['redirect_uri'];
    let redirectOk = typeof redirectUri === 'string';
    if (redirectOk) {
      try {
        const u = new URL(redirectUri as string);
        redirectOk = u.protocol === 'https:' || u.protocol === 'http:';
      } catch {
        redirectOk = false;
      }
    }
    if (redirectOk && webApp.redirectUris && !webApp.redirectUris.includes(redirectUri as string))
      redirectOk = false;
    if (!redirectOk) problems.push('redirect_uri');
    const state = claims['state'];
    if (typeof state !== 'string' || state.length < 16 || state.length > 1024)
      problems.push('state');
    const uname = claims['duo_uname'];
    if (typeof uname !== 'string' || uname.length === 0) problems.push('duo_uname');
    if (problems.length > 0)
      return errorPage(reply, 400, `Invalid request: ${problems.join(', ')}.`);

    const nonceClaim = claims['nonce'] ?? firstParam(outer, 'nonce');
    const useDuoCode =
      claims['use_duo_code_attribute'] === true || claims['use_duo_code_attribute'] === 'true';
    const req: AuthRequest = {
      app: webApp,
      host,
      redirectUri: redirectUri as string,
      state: state as string,
      sentName: uname as string,
      nonce: typeof nonceClaim === 'string' ? nonceClaim : undefined,
      codeParam: useDuoCode ? 'duo_code' : 'code',
    };
    const found = ctx.users.resolve(req.sentName);
    const faults = ctx.faults();
    if (!found) {
      if (ctx.users.atLimit)
        return reply.redirect(denyRedirect(req, freePlanMessage(ctx.users.maxUsers)), 302);
      if ((faults.promptAction ?? 'interactive') !== 'interactive') {
        return reply.redirect(
          denyRedirect(req, 'Enroll an authentication device to proceed.'),
          302,
        );
      }
      return renderPrompt(reply, req, 'enroll');
    }
    const { user, matchedBy } = found;
    if (user.status === 'disabled')
      return reply.redirect(denyRedirect(req, 'Your account is disabled.'), 302);
    if (user.status === 'locked_out')
      return reply.redirect(denyRedirect(req, 'Your account has been locked out.'), 302);
    if (user.status === 'bypass') return reply.redirect(approve(req, user, matchedBy, true), 302);
    const action = user.promptAction ?? faults.promptAction ?? 'interactive';
    if (!ctx.users.isEnrolled(user)) {
      if (action !== 'interactive')
        return reply.redirect(
          denyRedirect(req, 'Enroll an authentication device to proceed.'),
          302,
        );
      return renderPrompt(reply, req, 'enroll');
    }
    if (action === 'approve') return reply.redirect(approve(req, user, matchedBy), 302);
    if (action === 'deny') {
      ctx.users.recordFailure(user);
      return reply.redirect(denyRedirect(req, 'Login request denied.'), 302);
    }
    return renderPrompt(reply, req, 'prompt');
  });

  const renderPrompt = (
    reply: FastifyReply,
    req: AuthRequest,
    kind: 'prompt' | 'enroll',
  ): FastifyReply => {
    const id = randomBytes(24).toString('base64url');
    prompts.set(id, { ...req, kind, expiresAtMs: ctx.nowMs() + PROMPT_TTL_MS });
    promptHeaders(reply, req.redirectUri);
    const action = `/oauth/v1/prompt/${escapeHtml(id)}`;
    const who = `<p>Application: <strong>${escapeHtml(req.app.name)}</strong><br>User: <strong id="duo-username">${escapeHtml(req.sentName)}</strong></p>`;
    const body =
      kind === 'prompt'
        ? `<h1>Duo Push</h1>${who}<p>Approve this login as if on your phone.</p>
<form method="post" action="${action}"><button type="submit" name="decision" value="approve" id="duo-approve">Approve</button><button type="submit" name="decision" value="deny" id="duo-deny">Deny</button></form>`
        : `<h1>Enroll in Duo</h1>${who}<p>This user has no authentication device yet.</p>
<form method="post" action="${action}"><button type="submit" name="decision" value="enroll" id="duo-enroll">Add Duo Mobile and continue</button><button type="submit" name="decision" value="deny" id="duo-deny">Cancel</button></form>`;
    return reply.type('text/html; charset=utf-8').send(page('Duo Security', body));
  };

  // The prompt page's form target: a plain form post, single use, then 303 to the application.
  app.post<{ Params: { id: string } }>('/oauth/v1/prompt/:id', async (request, reply) => {
    prune();
    const pending = prompts.get(request.params.id);
    if (!pending)
      return errorPage(reply, 400, 'This login request has expired or was already answered.');
    prompts.delete(request.params.id);
    const decision = firstParam(allPairs(request), 'decision');
    if (decision === 'deny') {
      const found = ctx.users.resolve(pending.sentName);
      if (found) ctx.users.recordFailure(found.user);
      return reply.redirect(denyRedirect(pending, 'Login request denied.'), 303);
    }
    if (pending.kind === 'enroll' && decision === 'enroll') {
      let found = ctx.users.resolve(pending.sentName);
      if (!found) {
        if (ctx.users.atLimit)
          return reply.redirect(denyRedirect(pending, freePlanMessage(ctx.users.maxUsers)), 303);
        ctx.users.create({ username: pending.sentName, devices: [{ name: 'Duo Mobile' }] });
        found = ctx.users.resolve(pending.sentName)!;
      } else {
        ctx.users.addDevice(found.user.username, { name: 'Duo Mobile' });
      }
      return reply.redirect(approve(pending, found.user, found.matchedBy), 303);
    }
    if (pending.kind === 'prompt' && decision === 'approve') {
      const found = ctx.users.resolve(pending.sentName);
      if (!found || found.user.status !== 'active') {
        return reply.redirect(denyRedirect(pending, 'Your account is not active.'), 303);
      }
      return reply.redirect(approve(pending, found.user, found.matchedBy), 303);
    }
    return errorPage(reply, 400, 'Unknown decision.');
  });

  // POST /oauth/v1/token (§A.5).
  app.post('/oauth/v1/token', async (request, reply) => {
    prune();
    reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
    const pairs = allPairs(request);
    const fail = (error: string, description: string): FastifyReply =>
      reply.code(400).send({ error, error_description: description });
    const grantType = firstParam(pairs, 'grant_type');
    const code = firstParam(pairs, 'code');
    const redirectUri = firstParam(pairs, 'redirect_uri');
    const assertionType = firstParam(pairs, 'client_assertion_type');
    if (!grantType) return fail('invalid_request', 'The grant_type parameter is missing.');
    if (grantType !== 'authorization_code')
      return fail('unsupported_grant_type', 'Only authorization_code is supported.');
    if (!code || !redirectUri)
      return fail('invalid_request', 'The code and redirect_uri parameters are required.');
    if (assertionType !== CLIENT_ASSERTION_TYPE)
      return fail('invalid_request', 'The client_assertion_type is invalid.');
    const host = requestHost(request);
    const check = await verifyClientAssertion(ctx, jtis, {
      assertion: firstParam(pairs, 'client_assertion'),
      clientId: firstParam(pairs, 'client_id'),
      host,
      path: '/oauth/v1/token',
    });
    if (!check.ok) return fail('invalid_client', INVALID_CLIENT);
    const issued = codes.get(code);
    codes.delete(code); // single use: any presentation consumes the code (RFC 9700 §4.2.4)
    if (
      !issued ||
      issued.expiresAtMs < ctx.nowMs() ||
      issued.clientId !== check.app.clientId ||
      issued.redirectUri !== redirectUri
    ) {
      return fail('invalid_grant', INVALID_GRANT);
    }
    const idToken = await buildIdToken(ctx, check.app, host, issued);
    const fault = ctx.faults().tokenFault;
    return reply.send({
      ...(fault === 'missing_id_token' ? {} : { id_token: idToken }),
      access_token: opaqueToken(32),
      expires_in: 3600,
      // RFC 6750 Bearer is the only type Duo issues; 'mac' is another registered type.
      token_type: fault === 'token_type_mac' ? 'mac' : 'Bearer',
    });
  });

  // Self-enrolment portal linked from preauth `enroll_portal_url` (valid 5 minutes).
  app.get('/frame/portal/v4/enroll', async (request, reply) => {
    prune();
    const code = firstParam(queryPairs(request), 'code') ?? '';
    const entry = enrollCodes.get(code);
    if (!entry) return errorPage(reply, 400, 'This enrollment link has expired.');
    reply.header(
      'content-security-policy',
      "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
    );
    return reply.type('text/html; charset=utf-8').send(
      page(
        'Duo enrollment',
        `<h1>Enroll in Duo</h1><p>User: <strong>${escapeHtml(entry.username)}</strong></p>
<form method="post" action="/frame/portal/v4/enroll?code=${escapeHtml(encodeURIComponent(code))}"><button type="submit" id="duo-enroll">Add Duo Mobile</button></form>`,
      ),
    );
  });

  app.post('/frame/portal/v4/enroll', async (request, reply) => {
    prune();
    const code = firstParam(queryPairs(request), 'code') ?? '';
    const entry = enrollCodes.get(code);
    if (!entry) return errorPage(reply, 400, 'This enrollment link has expired.');
    enrollCodes.delete(code);
    const found = ctx.users.resolve(entry.username);
    if (found) ctx.users.addDevice(found.user.username, { name: 'Duo Mobile' });
    else if (ctx.users.atLimit) return errorPage(reply, 403, freePlanMessage(ctx.users.maxUsers));
    else ctx.users.create({ username: entry.username, devices: [{ name: 'Duo Mobile' }] });
    return reply
      .type('text/html; charset=utf-8')
      .send(
        page('Duo enrollment', '<h1>Enrolled</h1><p>You can close this page and log in again.</p>'),
      );
  });

  return {
    enrollUrl: (host: string, username: string): string => {
      const code = opaqueToken(12);
      enrollCodes.set(code, { username, expiresAtMs: ctx.nowMs() + 5 * 60_000 });
      return `https://${host}/frame/portal/v4/enroll?code=${code}`;
    },
  };
}

/** The id_token (§A.6): HS512 with the client secret, Duo's claim set; faults spoil one check each. */
async function buildIdToken(
  ctx: EmulatorContext,
  app: WebSdkApp,
  host: string,
  issued: IssuedCode,
): Promise<string> {
  const fault = ctx.faults().tokenFault;
  let iat = nowSec(ctx);
  if (fault === 'expired') iat -= ctx.settings.idTokenTtlSec + 120;
  const authTime = fault === 'expired' ? iat : issued.authTimeSec;
  let preferred = issued.sentName;
  if (ctx.faults().aliasLowercase && issued.matchedBy === 'alias')
    preferred = preferred.toLowerCase();
  if (fault === 'wrong_preferred_username') preferred = 'mallory';
  const authResult: AuthResult =
    fault === 'auth_result_deny'
      ? { result: 'deny', status: 'deny', status_msg: 'Login request denied.' }
      : issued.authResult;
  const timestamp = authTime;
  const claims: Record<string, unknown> = {
    iss:
      fault === 'wrong_iss'
        ? 'https://api-00000000.duosecurity.com/oauth/v1/token'
        : `https://${host}/oauth/v1/token`,
    sub: issued.user.username,
    aud: fault === 'wrong_aud' ? 'DIWRONGAUDIENCE00000' : app.clientId,
    exp: iat + ctx.settings.idTokenTtlSec,
    iat,
    auth_time: authTime,
    auth_result: authResult,
    auth_context: {
      txid: txid(),
      timestamp,
      user: { name: issued.user.username, key: issued.user.userId, groups: [] },
      application: { name: app.name, key: app.clientId },
      auth_device: {
        ip: null,
        location: { city: null, state: null, country: null },
        name: issued.user.devices[0]?.display_name ?? null,
        key: issued.user.devices[0]?.device ?? null,
      },
      access_device: {
        ip: '127.0.0.1',
        location: { city: null, state: null, country: null },
        hostname: null,
        epkey: null,
      },
      factor: issued.authResult.status_msg.startsWith('Bypass') ? 'bypass_code' : 'duo_push',
      event_type: 'authentication',
      result: authResult.result === 'allow' ? 'success' : 'denied',
      reason:
        authResult.result === 'allow'
          ? issued.authResult.status_msg.startsWith('Bypass')
            ? 'bypass_user'
            : 'user_approved'
          : 'user_denied',
      alias: issued.matchedBy === 'alias' ? issued.sentName : '',
      isotimestamp: new Date(timestamp * 1000).toISOString(),
      email: issued.user.email || null,
      ood_software: null,
    },
    preferred_username: preferred,
  };
  if (issued.nonce !== undefined && fault !== 'missing_nonce') claims['nonce'] = issued.nonce;
  const dropped = {
    missing_exp: 'exp',
    missing_iat: 'iat',
    missing_iss: 'iss',
    missing_aud: 'aud',
  } as const;
  if (fault !== undefined && fault in dropped)
    delete claims[dropped[fault as keyof typeof dropped]];
  // An unsecured JWT (RFC 7519 §6): header {"alg":"none"}, an empty signature.
  if (fault === 'alg_none') return new UnsecuredJWT(claims).encode();
  const secret =
    fault === 'wrong_key' ? randomBytes(40).toString('base64url').slice(0, 40) : app.clientSecret;
  return new SignJWT(claims)
    .setProtectedHeader({ alg: fault === 'alg_hs256' ? 'HS256' : 'HS512', typ: 'JWT' })
    .sign(new TextEncoder().encode(secret));
}
