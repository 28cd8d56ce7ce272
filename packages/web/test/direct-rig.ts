/** The handler called directly, with a session manager of a few lines (ids in a Set). */
import { randomUUID } from 'node:crypto';
import type { HostSession } from '../src/index.js';
import {
  CookieJar,
  base,
  bodyInit,
  cookieIn,
  nextIp,
  tokenOf,
  type Client,
  type MakeRig,
} from './rig.js';

export const directRig: MakeRig = async (options = {}) => {
  const b = base(options);
  const sessions = new Set<string>();
  class TestSession implements HostSession {
    constructor(public id: string) {}
    async rotateId(): Promise<void> {
      sessions.delete(this.id);
      this.id = randomUUID();
      sessions.add(this.id);
    }
  }
  return {
    name: 'fetch handler',
    ...b,
    client(ip = nextIp()): Client {
      let jar: string | undefined;
      // The other cookies (the remembered-device one), as a browser keeps them.
      const others = new CookieJar();
      const open = (): TestSession => {
        if (jar === undefined || !sessions.has(jar)) {
          jar = randomUUID();
          sessions.add(jar);
        }
        return new TestSession(jar);
      };
      const withCookies = (request: Request): Request => {
        const cookie = others.header();
        if (cookie !== undefined) request.headers.set('cookie', cookie);
        return request;
      };
      const call = async (request: Request): Promise<Response> => {
        const s = open();
        const before = s.id;
        const response = await b.handler(withCookies(request), {
          session: s,
          peerAddress: '127.0.0.1',
        });
        others.take(response.headers.getSetCookie());
        // As a cookie-based server: only a rotation sets a new cookie.
        if (s.id !== before) {
          response.headers.append('set-cookie', `sid=${s.id}; HttpOnly`);
          jar = s.id;
        }
        return response;
      };
      const headersFor = (extra: Readonly<Record<string, string>> = {}) => ({
        'x-forwarded-for': ip,
        ...extra,
      });
      const client: Client = {
        ip,
        cookie: () => jar,
        setCookie: (v) => {
          jar = v;
        },
        adopt: (response) => {
          jar = cookieIn(response, 'sid') ?? jar;
        },
        jar: (name) => others.cookies.get(name),
        putCookie: (name, value) => {
          if (value === undefined) others.cookies.delete(name);
          else others.cookies.set(name, value);
        },
        visit: async () => {
          open();
        },
        login: async (user, headers = {}) => {
          const s = open();
          const request = withCookies(
            new Request('http://localhost/login', { headers: headersFor(headers) }),
          );
          const { started, setCookie } = await b.handler.beginSecondStep(
            request,
            { session: s, peerAddress: '127.0.0.1' },
            user,
          );
          others.take(setCookie);
          jar = s.id;
          return { ...started, setCookie };
        },
        account: async () =>
          new Response(null, { status: (await b.steps.isFullyAuthenticated(open())) ? 200 : 401 }),
        get: (path, headers) =>
          call(new Request(`http://localhost${path}`, { headers: headersFor(headers) })),
        post: async (path, body, o = {}) => {
          const csrf = o.csrf === undefined ? await tokenOf(client) : o.csrf;
          return call(
            new Request(`http://localhost${path}`, {
              method: 'POST',
              headers: headersFor({
                'content-type': o.contentType ?? 'application/json',
                ...(csrf === null ? {} : { 'x-csrf-token': csrf }),
                ...o.headers,
              }),
              ...bodyInit(body),
              ...(o.signal === undefined ? {} : { signal: o.signal }),
            }),
          );
        },
      };
      return client;
    },
    close: async () => undefined,
  };
};
