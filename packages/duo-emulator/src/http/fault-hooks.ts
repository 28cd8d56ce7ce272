import type { FastifyInstance, FastifyRequest } from 'fastify';
import { duoFail } from '../authapi/envelope.js';
import type { EmulatorContext } from '../context.js';
import { unverifiedClaim } from '../oidc/client-jwt.js';
import { HOSTILE_TEXT, faultApplies, type Faults } from '../state/faults.js';
import { malformed, spoilAnswer, withHostileText } from './fault-effects.js';
import { allPairs, firstParam, pathOf } from './params.js';

/** The emulator's current faults: read fresh on every request, since tests change them live. */
export interface FaultsRef {
  get(): Faults;
  set(next: Faults): void;
}

const DUO_PATHS = ['/oauth/', '/auth/', '/frame/'];

function usernameFor(
  ctx: EmulatorContext,
  request: FastifyRequest,
  path: string,
): string | undefined {
  const pairs = allPairs(request);
  const username = firstParam(pairs, 'username');
  if (username !== undefined) return username;
  const userId = firstParam(pairs, 'user_id');
  if (userId !== undefined) return ctx.users.byId(userId)?.username;
  if (path === '/oauth/v1/authorize') {
    const token = firstParam(pairs, 'request');
    const name = token ? unverifiedClaim(token, 'duo_uname') : undefined;
    return typeof name === 'string' ? name : undefined;
  }
  if (path === '/auth/v2/auth_status') {
    const txid = firstParam(pairs, 'txid');
    return txid ? ctx.pushes.get(txid)?.username : undefined;
  }
  return undefined;
}

/**
 * Counting and injected faults on Duo's own paths: latency, outages, rate limits, malformed or
 * hostile answers, refused connections. Counting runs after body parsing (counters need the user).
 */
export function registerFaultHooks(
  app: FastifyInstance,
  ctx: EmulatorContext,
  ref: FaultsRef,
): void {
  const { users, counters } = ctx;
  const malformedRequests = new WeakSet<FastifyRequest>();

  // Counting and faults apply to Duo's own paths, after body parsing (counters need the user).
  app.addHook('preHandler', async (request, reply) => {
    const path = pathOf(request);
    if (!DUO_PATHS.some((p) => path.startsWith(p))) return;
    const user = usernameFor(ctx, request, path);
    counters.record(path, user);
    const f = ref.get();
    const applies = faultApplies(f, path);
    if (applies && f.latencyMs) await new Promise((r) => setTimeout(r, f.latencyMs));
    if (applies && f.outage === '5xx')
      return duoFail(reply, 50001, undefined, f.outageStatus ?? 500);
    const rl = f.rateLimit;
    const sameUser = (a: string, b: string): boolean => {
      const ua = users.resolve(a)?.user;
      return ua !== undefined ? ua === users.resolve(b)?.user : a.toLowerCase() === b.toLowerCase();
    };
    if (rl && applies && (!rl.user || (user !== undefined && sameUser(rl.user, user)))) {
      if (rl.remaining !== undefined) {
        if (rl.remaining <= 0) ref.set({ ...ref.get(), rateLimit: undefined });
        else rl.remaining -= 1;
      }
      if (ref.get().rateLimit) {
        const secs = rl.retryAfterSec ?? 3;
        reply.header(
          'retry-after',
          rl.retryAfterDate ? new Date(ctx.nowMs() + secs * 1000).toUTCString() : String(secs),
        );
        return duoFail(reply, 42901);
      }
    }
    if (applies && f.malformedBody) malformedRequests.add(request);
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const bad = ref.get().malformedBody;
    if (malformedRequests.has(request) && bad) {
      const kind = bad;
      reply.header('content-type', kind === 'html' ? 'text/html' : 'application/json');
      return malformed(kind);
    }
    const path = pathOf(request);
    const f = ref.get();
    if (
      (f.hostileText === undefined && f.authApiAnswer === undefined) ||
      !DUO_PATHS.some((p) => path.startsWith(p)) ||
      !faultApplies(f, path) ||
      typeof payload !== 'string' ||
      !String(reply.getHeader('content-type') ?? '').includes('application/json')
    )
      return payload;
    let body: unknown;
    try {
      body = JSON.parse(payload);
    } catch {
      return payload;
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return payload;
    let out = body as Record<string, unknown>;
    if (f.hostileText !== undefined)
      out = withHostileText(out, f.hostileText === true ? HOSTILE_TEXT : f.hostileText);
    if (f.authApiAnswer !== undefined && path.startsWith('/auth/') && out['stat'] === 'OK')
      out = spoilAnswer(out, f.authApiAnswer);
    return JSON.stringify(out);
  });

  app.addHook('onResponse', async (request) => {
    if (ref.get().outage === 'refuse') request.raw.socket.destroy();
  });
}
