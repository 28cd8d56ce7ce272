/** A client over real HTTP with fetch and a cookie jar, for the Express and Fastify rigs. */
import type { TwoFactorUser } from '@factorkit/core';
import { CookieJar, bodyInit, nextIp, tokenOf, type Client, type LoginAnswer } from './rig.js';

/** A client over real HTTP with fetch and a cookie jar; `users` is the host's user table. */
export function httpClient(
  origin: string,
  cookieName: string,
  users: Map<string, TwoFactorUser>,
  ip: string = nextIp(),
): Client {
  const jar = new CookieJar();
  const send = async (path: string, init: RequestInit = {}): Promise<Response> => {
    const headers = new Headers(init.headers);
    headers.set('x-forwarded-for', ip);
    const cookie = jar.header();
    if (cookie !== undefined) headers.set('cookie', cookie);
    const response = await fetch(origin + path, { ...init, headers, redirect: 'manual' });
    jar.take(response.headers.getSetCookie());
    return response;
  };
  const put = (name: string, value: string | undefined): void => {
    if (value === undefined) jar.cookies.delete(name);
    else jar.cookies.set(name, value);
  };
  const client: Client = {
    ip,
    cookie: () => jar.cookies.get(cookieName),
    setCookie: (v) => put(cookieName, v),
    adopt: (response) => {
      const sid = response.headers
        .getSetCookie()
        .filter((line) => line.startsWith(`${cookieName}=`));
      jar.take(sid);
    },
    jar: (name) => jar.cookies.get(name),
    putCookie: put,
    visit: async () => {
      await send('/hello');
    },
    login: async (user, headers = {}) => {
      users.set(user.id, user);
      const r = await send('/login', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ userId: user.id }),
      });
      const started = (await r.json()) as Omit<LoginAnswer, 'setCookie'>;
      return { ...started, setCookie: r.headers.getSetCookie() };
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
        ...(o.signal === undefined ? {} : { signal: o.signal }),
      });
    },
  };
  return client;
}
