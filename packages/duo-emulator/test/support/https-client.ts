/** Minimal HTTPS client for tests: trusts only the given CA, never follows redirects. */
import https from 'node:https';

/** The JSON shapes the emulator answers with (Duo envelopes, OAuth errors, admin answers). */
export interface DuoJson {
  stat: string;
  code: number;
  message: string;
  message_detail?: string;
  error: string;
  error_description: string;
  apiHost: string;
  users: Array<{ username: string }>;
  response: {
    time: number;
    timestamp: number;
    result: string;
    status: string;
    status_msg: string;
    txid: string;
    auth_delayed: boolean;
    enroll_portal_url: string;
    devices: Array<{ device: string; type: string; number: string; capabilities: string[] }>;
  };
}

export interface TestResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The raw body (for binary answers such as /auth/v2/logo). */
  bytes: Buffer;
  json<T = DuoJson>(): T;
}

export function httpsRequest(
  url: string,
  init: {
    ca: string;
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    servername?: string;
  },
): Promise<TestResponse> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      {
        method: init.method ?? 'GET',
        headers: init.headers,
        ca: init.ca,
        agent: false,
        ...(init.servername ? { servername: init.servername } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const bytes = Buffer.concat(chunks);
          const text = bytes.toString('utf8');
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text,
            bytes,
            json<T>(): T {
              return JSON.parse(text) as T;
            },
          });
        });
      },
    );
    req.on('error', reject);
    if (init.body !== undefined) req.write(init.body);
    req.end();
  });
}
