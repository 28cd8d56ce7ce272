/** The handler called directly, with a session manager of a few lines (ids in a Set). */
import { randomUUID } from 'node:crypto';
import type { HostSession } from '../src/index.js';
import { base, bodyInit, cookieIn, nextIp, tokenOf, type Client, type MakeRig } from './rig.js';

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
      const open = (): TestSession => {
        if (jar === undefined || !sessions.has(jar)) {
          jar = randomUUID();
          sessions.add(jar);
        }
        return new TestSession(jar);
      };
      const call = async (request: Request): Promise<Response> => {
        const s = open();
        const before = s.id;
        const response = await b.handler(request, { session: s, peerAddress: '127.0.0.1' });
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
        visit: async () => {
          open();
        },
        login: async (user) => {
          const s = open();
          const started = await b.steps.beginSecondStep(s, user);
          jar = s.id;
          return started;
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
            }),
          );
        },
      };
      return client;
    },
    close: async () => undefined,
  };
};
