import type { FastifyReply } from 'fastify';
import { escapeHtml, page } from '../http/html.js';

/** Duo answers an unusable authorize request with an error page, never a redirect (§A.4.2). */
export function errorPage(reply: FastifyReply, status: number, message: string): FastifyReply {
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .send(page('Duo: request error', `<h1>Something went wrong</h1><p>${escapeHtml(message)}</p>`));
}

/** Security headers for every prompt page: no framing (Duo forbids iframes), no referrer, no scripts. */
export function promptHeaders(reply: FastifyReply, redirectUri: string): void {
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

/** The prompt (Approve / Deny) or enrolment page body; every value is escaped. */
export function promptBody(
  kind: 'prompt' | 'enroll',
  id: string,
  appName: string,
  sentName: string,
): string {
  const action = `/oauth/v1/prompt/${escapeHtml(id)}`;
  const who = `<p>Application: <strong>${escapeHtml(appName)}</strong><br>User: <strong id="duo-username">${escapeHtml(sentName)}</strong></p>`;
  return kind === 'prompt'
    ? `<h1>Duo Push</h1>${who}<p>Approve this login as if on your phone.</p>
<form method="post" action="${action}"><button type="submit" name="decision" value="approve" id="duo-approve">Approve</button><button type="submit" name="decision" value="deny" id="duo-deny">Deny</button></form>`
    : `<h1>Enroll in Duo</h1>${who}<p>This user has no authentication device yet.</p>
<form method="post" action="${action}"><button type="submit" name="decision" value="enroll" id="duo-enroll">Add Duo Mobile and continue</button><button type="submit" name="decision" value="deny" id="duo-deny">Cancel</button></form>`;
}
