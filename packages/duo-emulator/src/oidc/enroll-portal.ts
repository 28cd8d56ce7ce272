import type { FastifyInstance } from 'fastify';
import type { EmulatorContext } from '../context.js';
import { escapeHtml, page } from '../http/html.js';
import { firstParam, queryPairs } from '../http/params.js';
import { opaqueToken } from '../state/random.js';
import type { OidcFlows } from './flow-state.js';
import { freePlanMessage } from './messages.js';
import { errorPage } from './pages.js';

/**
 * The self-enrolment portal linked from preauth `enroll_portal_url` (valid 5 minutes). Returns
 * the function that mints such a link.
 */
export function registerEnrollPortal(
  app: FastifyInstance,
  ctx: EmulatorContext,
  flows: OidcFlows,
): (host: string, username: string) => string {
  app.get('/frame/portal/v4/enroll', async (request, reply) => {
    flows.prune();
    const code = firstParam(queryPairs(request), 'code') ?? '';
    const entry = flows.enrollCodes.get(code);
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
    flows.prune();
    const code = firstParam(queryPairs(request), 'code') ?? '';
    const entry = flows.enrollCodes.get(code);
    if (!entry) return errorPage(reply, 400, 'This enrollment link has expired.');
    flows.enrollCodes.delete(code);
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

  return (host, username) => {
    const code = opaqueToken(12);
    flows.enrollCodes.set(code, { username, expiresAtMs: ctx.nowMs() + 5 * 60_000 });
    return `https://${host}/frame/portal/v4/enroll?code=${code}`;
  };
}
