/** A client over real HTTP with fetch and a one-cookie jar, for the Express and Fastify rigs. */
import type { TwoFactorUser } from '@factorkit/core';
import { bodyInit, cookieIn, nextIp, tokenOf, type Client } from './rig.js';

/** A client over real HTTP with fetch and a one-cookie jar; `users` is the host's user table. */
export function httpClient(
  origin: string,
  cookieName: string,
  users: Map<string, TwoFactorUser>,
  ip: string = nextIp(),
): Client {
  let jar: string | undefined;
  const send = async (path: string, init: RequestInit = {}): Promise<Response> => {
    const headers = new Headers(init.headers);
    headers.set('x-forwarded-for', ip);
    if (jar !== undefined) headers.set('cookie', `${cookieName}=${jar}`);
    const response = await fetch(origin + path, { ...init, headers, redirect: 'manual' });
    jar = cookieIn(response, cookieName) ?? jar;
    return response;
  };
  const client: Client = {
    ip,
    cookie: () => jar,
    setCookie: (v) => {
      jar = v;
    },
    adopt: (response) => {
      jar = cookieIn(response, cookieName) ?? jar;
    },
    visit: async () => {
      await send('/hello');
    },
    login: async (user) => {
      users.set(user.id, user);
      const r = await send('/login', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ userId: user.id }),
      });
      return (await r.json()) as { requirement: { action: string }; authenticated: boolean };
    },
    account: () => send('/account'),
    get: (path, headers) => send(path, { ...(headers ? { headers } : {}) }),
    post: async (path, body, o = {}) => {
      const csrf = o.csrf === undefined ? await tokenOf(client) : o.csrf;
      return send(path, {
        method: 'POST',
        headers: {
          'content-type': o.contentType ?? 'application/json',
          ...(csrf === null ? {} : { 'x-csrf-token': csrf }),
          ...o.headers,
        },
        ...bodyInit(body),
      });
    },
  };
  return client;
}
