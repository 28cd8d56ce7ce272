import type { FastifyInstance, FastifyReply } from 'fastify';
import type { EmulatorContext } from '../context.js';
import { allPairs, firstParam } from '../http/params.js';
import { opaqueToken } from '../state/random.js';
import { verifyClientAssertion } from './client-jwt.js';
import { requestHost, type OidcFlows } from './flow-state.js';
import { buildIdToken } from './id-token.js';
import {
  CLIENT_ASSERTION_TYPE,
  INVALID_GRANT,
  INVALID_REQUEST,
  UNSUPPORTED_GRANT_TYPE,
} from './messages.js';

/** POST /oauth/v1/token (§A.5). */
export function registerTokenRoute(
  app: FastifyInstance,
  ctx: EmulatorContext,
  flows: OidcFlows,
): void {
  app.post('/oauth/v1/token', async (request, reply) => {
    flows.prune();
    reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
    const pairs = allPairs(request);
    const fail = (error: string, description: string): FastifyReply =>
      reply.code(400).send({ error, error_description: description });
    const grantType = firstParam(pairs, 'grant_type');
    const code = firstParam(pairs, 'code');
    const redirectUri = firstParam(pairs, 'redirect_uri');
    const assertionType = firstParam(pairs, 'client_assertion_type');
    if (!grantType) return fail('invalid_request', INVALID_REQUEST);
    if (grantType !== 'authorization_code')
      return fail('unsupported_grant_type', UNSUPPORTED_GRANT_TYPE);
    if (!code || !redirectUri || assertionType !== CLIENT_ASSERTION_TYPE)
      return fail('invalid_request', INVALID_REQUEST);
    const host = requestHost(request);
    const check = await verifyClientAssertion(ctx, flows.jtis, {
      assertion: firstParam(pairs, 'client_assertion'),
      clientId: firstParam(pairs, 'client_id'),
      host,
      path: '/oauth/v1/token',
    });
    if (!check.ok) return fail('invalid_client', check.description);
    const issued = flows.codes.get(code);
    flows.codes.delete(code); // single use: any presentation consumes the code (RFC 9700 §4.2.4)
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
}
