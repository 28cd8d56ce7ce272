import type { FastifyInstance } from 'fastify';
import { nowSec, type EmulatorContext } from '../context.js';
import { allPairs, firstParam } from '../http/params.js';
import { registerAuthorizeRoute } from './authorize.js';
import { verifyClientAssertion } from './client-jwt.js';
import { registerEnrollPortal } from './enroll-portal.js';
import { OidcFlows, requestHost } from './flow-state.js';
import { INVALID_CLIENT } from './messages.js';
import { registerPromptRoutes } from './prompt.js';
import { registerTokenRoute } from './token.js';

/** The Universal Prompt (`/oauth/v1/…`) and the enrolment portal (`/frame/portal/v4/enroll`). */
export function registerOidcRoutes(
  app: FastifyInstance,
  ctx: EmulatorContext,
): { enrollUrl: (host: string, username: string) => string } {
  const flows = new OidcFlows(ctx);

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
    const check = await verifyClientAssertion(ctx, flows.jtis, {
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

  const renderPrompt = registerPromptRoutes(app, ctx, flows);
  registerAuthorizeRoute(app, ctx, flows, renderPrompt);
  registerTokenRoute(app, ctx, flows);
  return { enrollUrl: registerEnrollPortal(app, ctx, flows) };
}
