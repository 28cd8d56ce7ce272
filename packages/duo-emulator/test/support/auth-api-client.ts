/**
 * Test-only Duo Auth API signing client, written from duo-protocol.md §B.2 and deliberately
 * separate from the emulator's verifier (it encodes byte by byte instead of via
 * encodeURIComponent) so that the two can disagree if either is wrong.
 */
import { createHash, createHmac } from 'node:crypto';
import { httpsRequest, type TestResponse } from './https-client.js';

const UNRESERVED = /[A-Za-z0-9\-._~]/;

export function encodeRfc3986(s: string): string {
  let out = '';
  for (const ch of s) {
    if (UNRESERVED.test(ch)) {
      out += ch;
      continue;
    }
    for (const byte of Buffer.from(ch, 'utf8'))
      out += '%' + byte.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

export function signerCanon(params: Record<string, string>): string {
  return Object.keys(params)
    .sort()
    .map((k) => `${encodeRfc3986(k)}=${encodeRfc3986(params[k]!)}`)
    .join('&');
}

export interface SignOptions {
  ikey: string;
  skey: string;
  method: 'GET' | 'POST';
  host: string;
  path: string;
  params: Record<string, string>;
  date: string;
  version?: 2 | 5;
  hash?: 'sha512' | 'sha1';
}

export function signRequest(o: SignOptions): {
  authorization: string;
  body: string;
  contentType?: string;
} {
  const version = o.version ?? 2;
  const head = [o.date, o.method, o.host.toLowerCase(), o.path];
  let canonical: string;
  let body = '';
  let contentType: string | undefined;
  if (version === 5 && o.method === 'POST') {
    body = JSON.stringify(o.params);
    contentType = 'application/json';
    const sha = (t: string): string => createHash('sha512').update(t).digest('hex');
    canonical = [...head, '', sha(body), sha('')].join('\n');
  } else if (version === 5) {
    const sha = (t: string): string => createHash('sha512').update(t).digest('hex');
    canonical = [...head, signerCanon(o.params), sha(''), sha('')].join('\n');
  } else {
    canonical = [...head, signerCanon(o.params)].join('\n');
    if (o.method === 'POST') {
      body = signerCanon(o.params);
      contentType = 'application/x-www-form-urlencoded';
    }
  }
  const sig = createHmac(o.hash ?? 'sha512', o.skey)
    .update(canonical)
    .digest('hex');
  return {
    authorization: 'Basic ' + Buffer.from(`${o.ikey}:${sig}`).toString('base64'),
    body,
    ...(contentType ? { contentType } : {}),
  };
}

export interface AuthApiClientOptions {
  apiHost: string;
  ca: string;
  ikey: string;
  skey: string;
  /** Host to sign (default: apiHost without port). */
  signHost?: string;
  now?: () => Date;
  version?: 2 | 5;
}

export class TestAuthApiClient {
  constructor(readonly o: AuthApiClientOptions) {}

  async call(
    method: 'GET' | 'POST',
    path: string,
    params: Record<string, string> = {},
    tweak?: {
      skey?: string;
      date?: string;
      signHost?: string;
      tamper?: boolean;
      version?: 2 | 5;
      /** Send the date as X-Duo-Date (duo_unix) instead of Date. */
      xDuoDate?: boolean;
    },
  ): Promise<TestResponse> {
    const date = tweak?.date ?? (this.o.now?.() ?? new Date()).toUTCString();
    const signed = signRequest({
      ikey: this.o.ikey,
      skey: tweak?.skey ?? this.o.skey,
      method,
      host: tweak?.signHost ?? this.o.signHost ?? this.o.apiHost.split(':')[0]!,
      path,
      params,
      date,
      version: tweak?.version ?? this.o.version ?? 2,
    });
    let authorization = signed.authorization;
    if (tweak?.tamper) {
      const decoded = Buffer.from(authorization.slice(6), 'base64').toString();
      const last = decoded.at(-1) === '0' ? '1' : '0';
      authorization = 'Basic ' + Buffer.from(decoded.slice(0, -1) + last).toString('base64');
    }
    const query = method === 'GET' && Object.keys(params).length ? `?${signerCanon(params)}` : '';
    const headers: Record<string, string> = tweak?.xDuoDate
      ? { authorization, 'x-duo-date': date }
      : { authorization, date };
    if (signed.contentType) headers['content-type'] = signed.contentType;
    return httpsRequest(`https://${this.o.apiHost}${path}${query}`, {
      ca: this.o.ca,
      method,
      headers,
      ...(method === 'POST' ? { body: signed.body } : {}),
    });
  }
}
