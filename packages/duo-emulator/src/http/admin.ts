import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { EmulatorContext } from '../context.js';
import { DuoEmulatorError } from '../errors.js';
import type { Faults } from '../state/faults.js';
import type { UserInput } from '../state/users.js';
import { escapeHtml, page } from './html.js';
import { allPairs, bodyOf, firstParam } from './params.js';

export interface AdminHooks {
  setFaults(patch: Partial<Faults> & { outageDurationMs?: number }): Promise<Faults>;
  resetFaults(): Promise<Faults>;
  describe(): unknown;
}

const STATUS_BY_CODE: Record<string, number> = {
  USER_EXISTS: 409,
  ALIAS_TAKEN: 409,
  USER_NOT_FOUND: 404,
  PUSH_NOT_FOUND: 404,
  USER_LIMIT_REACHED: 403,
};

function tokenOk(ctx: EmulatorContext, request: FastifyRequest): boolean {
  const header = request.headers['x-emulator-token'];
  const given =
    (typeof header === 'string' ? header : undefined) ??
    firstParam(allPairs(request), 'token') ??
    '';
  const a = Buffer.from(given);
  const b = Buffer.from(ctx.adminToken);
  return a.length === b.length && timingSafeEqual(a, b);
}

function jsonBody(request: FastifyRequest): Record<string, unknown> {
  const v = bodyOf(request)?.value;
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/**
 * The emulator's control API under /_emulator (loopback only, admin token required, as the
 * `x-emulator-token` header or a `token` parameter). Mirrors the library API for processes that
 * use the emulator from outside (the CLI, a browser test, another language).
 */
export function registerAdminRoutes(
  app: FastifyInstance,
  ctx: EmulatorContext,
  hooks: AdminHooks,
): void {
  app.register(
    async (admin) => {
      admin.addHook('preHandler', async (request, reply) => {
        if (!tokenOk(ctx, request)) return reply.code(401).send({ error: 'admin token required' });
      });
      admin.setErrorHandler(async (error, _request, reply) => {
        if (error instanceof DuoEmulatorError) {
          return reply
            .code(STATUS_BY_CODE[error.code] ?? 400)
            .send({ error: error.code, message: error.message });
        }
        return reply.code(400).send({
          error: 'BAD_REQUEST',
          message: error instanceof Error ? error.message : 'bad request',
        });
      });

      admin.get('/state', async () => hooks.describe());
      admin.get('/faults', async () => ctx.faults());
      admin.put('/faults', async (request) => {
        const patch = jsonBody(request);
        // Once refusing, this API is unreachable too: over HTTP an outage must end by itself.
        if (patch['outage'] === 'refuse' && typeof patch['outageDurationMs'] !== 'number') {
          throw new DuoEmulatorError(
            'OPTIONS_INVALID',
            "outage 'refuse' over HTTP needs outageDurationMs.",
          );
        }
        return hooks.setFaults(patch);
      });
      admin.delete('/faults', async () => hooks.resetFaults());
      admin.get('/counters', async () => ctx.counters.snapshot());
      admin.delete('/counters', async () => {
        ctx.counters.reset();
        return { ok: true };
      });

      admin.post('/users', async (request, reply) =>
        reply.code(201).send(ctx.users.create(jsonBody(request) as unknown as UserInput)),
      );
      admin.patch<{ Params: { name: string } }>('/users/:name', async (request) =>
        ctx.users.update(request.params.name, jsonBody(request)),
      );
      admin.delete<{ Params: { name: string } }>('/users/:name', async (request) =>
        ctx.users.delete(request.params.name),
      );
      admin.post<{ Params: { name: string } }>('/users/:name/restore', async (request) =>
        ctx.users.restore(request.params.name),
      );

      admin.post('/activations', async (request) => {
        const code =
          firstParam(allPairs(request), 'activation_code') ??
          (jsonBody(request)['activation_code'] as string | undefined) ??
          '';
        return ctx.enrollments.activate(code);
      });

      admin.get('/pushes', async (request, reply) => {
        const pending = ctx.pushes.pending();
        if (!(request.headers.accept ?? '').includes('text/html')) {
          return pending.map((t) => ({
            txid: t.txid,
            username: t.username,
            factor: t.factor,
            device: t.deviceName,
            ...(t.verificationCode ? { verificationCode: t.verificationCode } : {}),
          }));
        }
        return renderPushes(
          reply,
          ctx,
          pending.map((t) => ({
            txid: t.txid,
            username: t.username,
            device: t.deviceName,
            code: t.verificationCode,
          })),
        );
      });
      admin.post<{ Params: { txid: string } }>('/pushes/:txid', async (request, reply) => {
        const decision =
          firstParam(allPairs(request), 'decision') ??
          (jsonBody(request)['decision'] as string | undefined);
        if (
          decision !== 'approve' &&
          decision !== 'deny' &&
          decision !== 'fraud' &&
          decision !== 'timeout'
        ) {
          throw new DuoEmulatorError(
            'OPTIONS_INVALID',
            'decision must be approve, deny, fraud or timeout.',
          );
        }
        const tx = ctx.pushes.answer(request.params.txid, decision);
        if (bodyOf(request)?.kind === 'form') {
          return reply.redirect(
            `/_emulator/pushes?token=${encodeURIComponent(ctx.adminToken)}`,
            303,
          );
        }
        return { txid: tx.txid, ...tx.current };
      });
    },
    { prefix: '/_emulator' },
  );
}

function renderPushes(
  reply: FastifyReply,
  ctx: EmulatorContext,
  pending: Array<{ txid: string; username: string; device: string; code: string | undefined }>,
): FastifyReply {
  const token = escapeHtml(ctx.adminToken);
  const rows = pending
    .map(
      (
        p,
      ) => `<li><strong>${escapeHtml(p.username)}</strong> on ${escapeHtml(p.device)}${p.code ? ` (verification code <code>${escapeHtml(p.code)}</code>: approving means typing it)` : ''}
<form method="post" action="/_emulator/pushes/${escapeHtml(encodeURIComponent(p.txid))}"><input type="hidden" name="token" value="${token}">
<button name="decision" value="approve">Approve</button><button name="decision" value="deny">Deny</button><button name="decision" value="fraud">Report fraud</button></form></li>`,
    )
    .join('');
  reply
    .header(
      'content-security-policy',
      "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
    )
    .header('referrer-policy', 'no-referrer')
    .header('cache-control', 'no-store');
  return reply
    .type('text/html; charset=utf-8')
    .send(
      page(
        'Duo emulator: pending pushes',
        `<h1>Pending pushes</h1>${rows ? `<ul>${rows}</ul>` : '<p>No push is waiting. Reload after a login.</p>'}`,
      ),
    );
}
