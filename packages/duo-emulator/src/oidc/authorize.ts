import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { EmulatorContext } from '../context.js';
import { firstParam, queryPairs } from '../http/params.js';
import type { PromptAction } from '../state/users.js';
import { numericClaim, verifyClientJwt } from './client-jwt.js';
import { requestHost, type AuthRequest, type OidcFlows } from './flow-state.js';
import { ENROLL_REQUIRED, LOGIN_DENIED, freePlanMessage } from './messages.js';
import { errorPage } from './pages.js';
import type { RenderPrompt } from './prompt.js';

type ReadResult = { ok: true; req: AuthRequest } | { ok: false; message: string };

/** Verifies the outer query and the `request` JWT (§A.4.1, §A.4.2). */
async function readAuthRequest(ctx: EmulatorContext, request: FastifyRequest): Promise<ReadResult> {
  const outer = queryPairs(request);
  const clientId = firstParam(outer, 'client_id');
  const token = firstParam(outer, 'request');
  const host = requestHost(request);
  const webApp = clientId ? ctx.apps.get(clientId) : undefined;
  if (!webApp || webApp.type !== 'websdk' || !token)
    return { ok: false, message: 'Invalid client_id or missing request.' };
  const claims = await verifyClientJwt(token, webApp.clientSecret);
  if (!claims) return { ok: false, message: 'The request JWT could not be verified.' };
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
  if (typeof state !== 'string' || state.length < 16 || state.length > 1024) problems.push('state');
  const uname = claims['duo_uname'];
  if (typeof uname !== 'string' || uname.length === 0) problems.push('duo_uname');
  if (problems.length > 0)
    return { ok: false, message: `Invalid request: ${problems.join(', ')}.` };

  const nonceClaim = claims['nonce'] ?? firstParam(outer, 'nonce');
  const useDuoCode =
    claims['use_duo_code_attribute'] === true || claims['use_duo_code_attribute'] === 'true';
  return {
    ok: true,
    req: {
      app: webApp,
      host,
      redirectUri: redirectUri as string,
      state: state as string,
      sentName: uname as string,
      nonce: typeof nonceClaim === 'string' ? nonceClaim : undefined,
      codeParam: useDuoCode ? 'duo_code' : 'code',
    },
  };
}

/** GET /oauth/v1/authorize (§A.4): verify the request JWT, then prompt or answer as scripted. */
export function registerAuthorizeRoute(
  app: FastifyInstance,
  ctx: EmulatorContext,
  flows: OidcFlows,
  renderPrompt: RenderPrompt,
): void {
  app.get('/oauth/v1/authorize', async (request, reply) => {
    flows.prune();
    const read = await readAuthRequest(ctx, request);
    if (!read.ok) return errorPage(reply, 400, read.message);
    const req = read.req;
    const found = ctx.users.resolve(req.sentName);
    const fallback = req.app.promptAction ?? ctx.faults().promptAction ?? 'interactive';
    // The enrolment page (undefined), or the redirect a scripted answer to it ends with.
    const mustEnroll = (action: PromptAction): string | undefined => {
      if (action === 'interactive') return undefined;
      if (action === 'enroll') return flows.enrollAndApprove(req);
      return flows.denyRedirect(req, ENROLL_REQUIRED);
    };
    if (!found) {
      if (ctx.users.atLimit)
        return reply.redirect(flows.denyRedirect(req, freePlanMessage(ctx.users.maxUsers)), 302);
      const next = mustEnroll(fallback);
      return next === undefined ? renderPrompt(reply, req, 'enroll') : reply.redirect(next, 302);
    }
    const { user, matchedBy } = found;
    if (user.status === 'disabled')
      return reply.redirect(flows.denyRedirect(req, 'Your account is disabled.'), 302);
    if (user.status === 'locked_out')
      return reply.redirect(flows.denyRedirect(req, 'Your account has been locked out.'), 302);
    if (user.status === 'bypass')
      return reply.redirect(flows.approve(req, user, matchedBy, true), 302);
    const action = user.promptAction ?? fallback;
    if (!ctx.users.isEnrolled(user)) {
      const next = mustEnroll(action);
      return next === undefined ? renderPrompt(reply, req, 'enroll') : reply.redirect(next, 302);
    }
    if (action === 'approve' || action === 'enroll')
      return reply.redirect(flows.approve(req, user, matchedBy), 302);
    if (action === 'deny') {
      ctx.users.recordFailure(user);
      return reply.redirect(flows.denyRedirect(req, LOGIN_DENIED), 302);
    }
    return renderPrompt(reply, req, 'prompt');
  });
}
