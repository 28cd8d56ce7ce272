import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { EmulatorContext } from '../context.js';
import { page } from '../http/html.js';
import { allPairs, firstParam } from '../http/params.js';
import { PROMPT_TTL_MS, type AuthRequest, type OidcFlows } from './flow-state.js';
import { LOGIN_DENIED } from './messages.js';
import { errorPage, promptBody, promptHeaders } from './pages.js';

export type RenderPrompt = (
  reply: FastifyReply,
  req: AuthRequest,
  kind: 'prompt' | 'enroll',
) => FastifyReply;

/** The interactive prompt page and its form target (plain form posts, single use, then 303). */
export function registerPromptRoutes(
  app: FastifyInstance,
  ctx: EmulatorContext,
  flows: OidcFlows,
): RenderPrompt {
  app.post<{ Params: { id: string } }>('/oauth/v1/prompt/:id', async (request, reply) => {
    flows.prune();
    const pending = flows.prompts.get(request.params.id);
    if (!pending)
      return errorPage(reply, 400, 'This login request has expired or was already answered.');
    flows.prompts.delete(request.params.id);
    const decision = firstParam(allPairs(request), 'decision');
    if (decision === 'deny') {
      const found = ctx.users.resolve(pending.sentName);
      if (found) ctx.users.recordFailure(found.user);
      return reply.redirect(flows.denyRedirect(pending, LOGIN_DENIED), 303);
    }
    if (pending.kind === 'enroll' && decision === 'enroll')
      return reply.redirect(flows.enrollAndApprove(pending), 303);
    if (pending.kind === 'prompt' && decision === 'approve') {
      const found = ctx.users.resolve(pending.sentName);
      if (!found || found.user.status !== 'active') {
        return reply.redirect(flows.denyRedirect(pending, 'Your account is not active.'), 303);
      }
      return reply.redirect(flows.approve(pending, found.user, found.matchedBy), 303);
    }
    return errorPage(reply, 400, 'Unknown decision.');
  });

  return (reply, req, kind) => {
    const id = randomBytes(24).toString('base64url');
    flows.prompts.set(id, { ...req, kind, expiresAtMs: ctx.nowMs() + PROMPT_TTL_MS });
    promptHeaders(reply, req.redirectUri);
    return reply
      .type('text/html; charset=utf-8')
      .send(page('Duo Security', promptBody(kind, id, req.app.name, req.sentName)));
  };
}
