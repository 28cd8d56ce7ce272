/**
 * An offline YubiCloud: `/wsapi/2.0/verify` with yubikey-val's checks, state and signing, on a
 * loopback HTTP port. It decrypts OTPs with the keys it was given, keeps (ctr, use, nonce) per
 * public id, signs every answer with the client's key (early errors with an empty key, as
 * yubikey-val does) and can be told to misbehave (`fault`).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { modhexDecode, normaliseOtp, publicIdOf } from '../modhex.js';
import { sign } from '../signature.js';
import { decryptBlock, parseToken } from '../token.js';

export type Fault =
  /** The connection is dropped as soon as a request arrives. */
  | 'down'
  /** The request is never answered. */
  | 'hang'
  | 'http500'
  /** The answer's `h` is replaced by a signature over other content. */
  | 'wrong-signature'
  /** The answer echoes another nonce (a replayed older answer). */
  | 'wrong-nonce'
  /** The answer echoes another OTP (a cut-and-paste answer). */
  | 'other-otp'
  /** The replay state is forgotten before every request (a restored database). */
  | 'lose-state'
  /** Every answer carries this status, correctly signed. */
  | { status: string };

export interface KnownKey {
  publicId: string;
  privateId: string;
  aesKey: string;
}

type Seen = { counter: number; use: number; nonce: string };
export type Answer = Map<string, string>;

const NONCE = /^[A-Za-z0-9]{16,40}$/;
const CLIENT_ID = /^[0-9]{1,10}$/;

export class OfflineYubiCloud {
  /** Misbehaviour for every following request; null answers as yubikey-val would. */
  fault: Fault | null = null;
  /** Requests received, for tests that prove no network call was made. */
  requests = 0;
  /** The nonce of every request received, in order (empty string when it had none). */
  readonly nonces: string[] = [];
  /** Milliseconds to wait before answering (a slow server, a sync in progress). */
  delayMs = 0;
  private readonly clients = new Map<string, string>();
  private readonly keys = new Map<string, KnownKey>();
  private readonly seen = new Map<string, Seen>();
  private server: Server | undefined;

  constructor(private readonly now: () => number = () => Date.now()) {}

  addClient(id: string, apiKeyBase64: string): this {
    this.clients.set(id, apiKeyBase64);
    return this;
  }

  addKey(key: KnownKey): this {
    this.keys.set(key.publicId, { ...key });
    return this;
  }

  /** Forgets every (ctr, use) seen, as a validation server restored from a backup. */
  loseState(): void {
    this.seen.clear();
  }

  /** The answer to one verify request, signed (yubikey-val's verify.php order of checks). */
  verify(params: URLSearchParams): Answer {
    const id = params.get('id') ?? '';
    const rawOtp = params.get('otp') ?? '';
    const nonce = params.get('nonce') ?? '';
    if (!CLIENT_ID.test(id) || Number(id) === 0) return this.answer('', 'MISSING_PARAMETER');
    const otp = normaliseOtp(rawOtp);
    if (otp === null) return this.answer('', 'BAD_OTP');
    if (!NONCE.test(nonce)) return this.answer('', 'MISSING_PARAMETER');
    const apiKey = this.clients.get(id);
    if (apiKey === undefined) return this.answer('', 'NO_SUCH_CLIENT');
    const echo = { otp, nonce };
    const h = params.get('h');
    if (h !== null) {
      const received = new Map([...params.entries()]);
      if (sign(received, apiKey) !== h) return this.answer(apiKey, 'BAD_SIGNATURE', echo);
    }
    if (this.fault !== null && typeof this.fault === 'object')
      return this.answer(apiKey, this.fault.status, echo);
    const key = this.keys.get(publicIdOf(otp));
    const token = key
      ? parseToken(decryptBlock(Buffer.from(key.aesKey, 'hex'), modhexDecode(otp.slice(-32))))
      : null;
    if (!key || !token || token.privateId !== key.privateId)
      return this.answer(apiKey, 'BAD_OTP', echo);
    const counter = token.counter & 0x7fff;
    const extra: Record<string, string> =
      params.get('timestamp') === '1'
        ? {
            timestamp: String(token.timestamp),
            sessioncounter: String(counter),
            sessionuse: String(token.use),
          }
        : {};
    const last = this.seen.get(key.publicId);
    if (last && last.counter === counter && last.use === token.use && last.nonce === nonce)
      return this.answer(apiKey, 'REPLAYED_REQUEST', { ...echo, ...extra });
    if (last && (last.counter > counter || (last.counter === counter && last.use >= token.use)))
      return this.answer(apiKey, 'REPLAYED_OTP', { ...echo, ...extra });
    this.seen.set(key.publicId, { counter, use: token.use, nonce });
    return this.answer(apiKey, 'OK', { ...echo, sl: '100', ...extra });
  }

  private answer(apiKey: string, status: string, fields: Record<string, string> = {}): Answer {
    const pairs = new Map<string, string>([['t', this.t()], ...Object.entries(fields)]);
    pairs.set('status', status);
    pairs.set('h', sign(pairs, apiKey));
    return pairs;
  }

  /** yubikey-val's `t`: UTC seconds, `Z`, then four digits of milliseconds. */
  private t(): string {
    const iso = new Date(this.now()).toISOString();
    return `${iso.slice(0, 19)}Z0${iso.slice(20, 23)}`;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    this.requests++;
    const url = new URL(req.url ?? '/', 'http://localhost');
    this.nonces.push(url.searchParams.get('nonce') ?? '');
    if (this.fault === 'down') return void req.socket.destroy();
    if (this.fault === 'hang') return;
    if (this.fault === 'http500') return void res.writeHead(500).end();
    if (url.pathname !== '/wsapi/2.0/verify' || req.method !== 'GET')
      return void res.writeHead(404).end();
    if (this.fault === 'lose-state') this.loseState();
    const answer = this.verify(url.searchParams);
    if (this.fault === 'wrong-signature')
      answer.set('h', sign(answer, Buffer.from('not the client key').toString('base64')));
    if (this.fault === 'wrong-nonce')
      this.tamper(answer, url, 'nonce', 'ffffffffffffffffffffffffffffffff');
    if (this.fault === 'other-otp')
      this.tamper(answer, url, 'otp', 'cccccccccccc' + 'c'.repeat(32));
    let body = '';
    for (const [k, value] of answer) body += `${k}=${value}\r\n`;
    const send = () => {
      if (!res.destroyed) res.writeHead(200, { 'content-type': 'text/plain' }).end(body);
    };
    if (this.delayMs > 0) setTimeout(send, this.delayMs);
    else send();
  }

  /** Changes one echoed field and signs again with the right key: only the echo check catches it. */
  private tamper(answer: Answer, url: URL, field: string, value: string): void {
    answer.set(field, value);
    answer.delete('h');
    answer.set('h', sign(answer, this.apiKeyOf(url)));
  }

  private apiKeyOf(url: URL): string {
    return this.clients.get(url.searchParams.get('id') ?? '') ?? '';
  }

  /** Listens on 127.0.0.1 and returns the verify URL. */
  async start(): Promise<string> {
    const server = createServer((req, res) => this.handle(req, res));
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `${this.url}`;
  }

  get url(): string {
    if (!this.server) throw new Error('the offline YubiCloud is not started');
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}/wsapi/2.0/verify`;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
