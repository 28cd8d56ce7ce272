/**
 * `/auth/v2/enroll`, `/auth/v2/enroll_status` and `/auth/v2/logo` (duo-protocol.md B.4), and the
 * activation page an activation URL opens. `enroll` creates a new user with an activation code;
 * claiming the code (the page's button, `emu.enrollments.activate`, or
 * `POST /_emulator/activations`) gives the user a Duo Mobile device with push.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { EmulatorContext } from '../context.js';
import { DuoEmulatorError } from '../errors.js';
import { escapeHtml, page } from '../http/html.js';
import { allPairs, firstParam } from '../http/params.js';
import { authenticate } from './authenticate.js';
import { duoFail, duoOk } from './envelope.js';

/** Duo's default lifetime of an activation code: one day. */
export const DEFAULT_VALID_SECS = 86_400;

const PAGE_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'";

export function registerEnrollRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  app.post('/auth/v2/enroll', async (request, reply) => {
    if (!authenticate(ctx, request, reply)) return reply;
    const pairs = allPairs(request);
    const validRaw = firstParam(pairs, 'valid_secs');
    if (validRaw !== undefined && !/^[1-9]\d{0,9}$/.test(validRaw))
      return duoFail(reply, 40002, 'valid_secs');
    const validSecs = validRaw === undefined ? DEFAULT_VALID_SECS : Number(validRaw);
    const username = firstParam(pairs, 'username') ?? randomBytes(16).toString('hex');
    if (ctx.users.resolve(username)) return duoFail(reply, 40002, 'username already exists');
    let user;
    try {
      user = ctx.users.create({ username });
    } catch (err) {
      if (err instanceof DuoEmulatorError && err.code === 'USER_LIMIT_REACHED')
        return duoFail(reply, 40002, 'user limit reached');
      return duoFail(reply, 40002, 'username');
    }
    const host = (request.headers.host ?? '').toLowerCase();
    const e = ctx.enrollments.create(user, host, validSecs);
    return duoOk(reply, {
      activation_barcode: `https://${host}/frame/qr?value=${encodeURIComponent(e.activationCode)}`,
      activation_code: e.activationCode,
      activation_url: `https://${host}/frame/activate/${e.code}`,
      expiration: Math.floor(e.expiresAtMs / 1000),
      user_id: user.userId,
      username: user.username,
    });
  });

  app.post('/auth/v2/enroll_status', async (request, reply) => {
    if (!authenticate(ctx, request, reply)) return reply;
    const pairs = allPairs(request);
    const userId = firstParam(pairs, 'user_id');
    if (userId === undefined) return duoFail(reply, 40001, 'user_id');
    const code = firstParam(pairs, 'activation_code');
    if (code === undefined) return duoFail(reply, 40001, 'activation_code');
    return duoOk(reply, ctx.enrollments.status(userId, code));
  });

  app.get('/auth/v2/logo', async (request, reply) => {
    const authApp = authenticate(ctx, request, reply);
    if (!authApp) return reply;
    const png = ctx.apps.logo(authApp.ikey);
    if (!png) return duoFail(reply, 40401, 'Logo not found');
    return reply.type('image/png').header('cache-control', 'no-store').send(png);
  });

  // The activation URL: what opening it on a phone with Duo Mobile does, as a button.
  app.get<{ Params: { code: string } }>('/frame/activate/:code', async (request, reply) => {
    const e = ctx.enrollments.find(request.params.code);
    const usable = e && !e.claimed && e.expiresAtMs >= ctx.nowMs();
    reply.header('content-security-policy', PAGE_CSP).header('referrer-policy', 'no-referrer');
    const body = usable
      ? `<h1>Activate Duo Mobile</h1><p>User: <strong>${escapeHtml(e.username)}</strong></p>
<form method="post" action="/frame/activate/${escapeHtml(encodeURIComponent(e.code))}"><button type="submit" id="duo-activate">Activate</button></form>`
      : '<h1>This activation link is invalid or has expired.</h1>';
    return reply
      .code(usable ? 200 : 404)
      .type('text/html; charset=utf-8')
      .send(page('Duo activation', body));
  });

  app.post<{ Params: { code: string } }>('/frame/activate/:code', async (request, reply) => {
    let ok = true;
    try {
      ctx.enrollments.activate(request.params.code);
    } catch {
      ok = false;
    }
    reply.header('content-security-policy', PAGE_CSP).header('referrer-policy', 'no-referrer');
    return reply
      .code(ok ? 200 : 404)
      .type('text/html; charset=utf-8')
      .send(
        page(
          'Duo activation',
          ok
            ? '<h1>Duo Mobile activated</h1><p>You can close this page.</p>'
            : '<h1>This activation link is invalid or has expired.</h1>',
        ),
      );
  });
}
