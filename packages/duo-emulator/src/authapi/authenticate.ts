/**
 * What every signed Auth API endpoint does first: verify the request signature for an Auth API
 * application, and read the user the request names (`username` xor `user_id`). Both send Duo's
 * error envelope themselves and return undefined/null when the request must stop.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { EmulatorContext } from '../context.js';
import { hostWithoutPort } from '../http/host.js';
import {
  allPairs,
  bodyOf,
  firstParam,
  pathOf,
  queryPairs,
  type ParamPairs,
} from '../http/params.js';
import type { AuthApiApp } from '../state/apps.js';
import type { ResolvedUser } from '../state/users.js';
import { duoFail } from './envelope.js';
import { verifyAuthApiSignature } from './signature.js';

/** Verifies the request signature; sends Duo's error and returns undefined on failure. */
export function authenticate(
  ctx: EmulatorContext,
  request: FastifyRequest,
  reply: FastifyReply,
): AuthApiApp | undefined {
  const body = bodyOf(request);
  const headers: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(request.headers))
    headers[k] = Array.isArray(v) ? v.join(', ') : v;
  const result = verifyAuthApiSignature(
    {
      method: request.method,
      host: hostWithoutPort(request.headers.host ?? ''),
      path: pathOf(request),
      params: body?.kind === 'json' ? queryPairs(request) : allPairs(request),
      jsonBody: body?.kind === 'json' ? body.raw : '',
      otherBody: body && body.kind !== 'json' ? body.raw : '',
      headers,
    },
    {
      lookupSkey: (ikey) => {
        const a = ctx.apps.get(ikey);
        return a ? (a.type === 'authapi' ? a.skey : a.clientSecret) : undefined;
      },
      nowMs: ctx.nowMs(),
      windowSec: ctx.settings.dateWindowSec,
    },
  );
  if (!result.ok) {
    void duoFail(reply, result.code);
    return undefined;
  }
  const found = ctx.apps.get(result.ikey);
  if (!found || found.type !== 'authapi') {
    void duoFail(reply, 40301, 'Wrong integration type for this API.');
    return undefined;
  }
  return found;
}

/** `username` xor `user_id`; sends 40001/40002 and returns null when invalid. */
export function resolveUser(
  ctx: EmulatorContext,
  pairs: ParamPairs,
  reply: FastifyReply,
): { name: string; found: ResolvedUser | undefined } | null {
  const username = firstParam(pairs, 'username');
  const userId = firstParam(pairs, 'user_id');
  if (username === undefined && userId === undefined) {
    void duoFail(reply, 40001, 'user_id or username');
    return null;
  }
  if (username !== undefined && userId !== undefined) {
    void duoFail(reply, 40002, 'Only one of user_id or username may be given');
    return null;
  }
  if (userId !== undefined) {
    const user = ctx.users.byId(userId);
    if (!user) {
      void duoFail(reply, 40002, 'user_id');
      return null;
    }
    return {
      name: user.username,
      found: { user, sentName: user.username, matchedBy: 'username' },
    };
  }
  return { name: username!, found: ctx.users.resolve(username!) };
}
