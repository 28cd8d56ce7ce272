import { isIPv4 } from 'node:net';
import { InvalidArgumentError } from '@factorkit/core';
import { parseCookie, stringifySetCookie } from 'cookie';
import type { RequestInfoReader } from './request-info.js';

/** The remembered-device cookie (`TwoFactorHandlerOptions.rememberDevice`). */
export interface RememberDeviceOptions {
  /**
   * The cookie's name. Where the cookie is `Secure` (everywhere but plain http on a loopback
   * host) it is sent as `__Host-<name>`, which a browser accepts only from this very host, over
   * TLS, for `Path=/`. @default 'factorkit_device'
   */
  readonly cookieName?: string;
  /**
   * `strict` keeps the cookie off every cross-site request; `lax` sends it on a top-level
   * navigation from another site too (a login form posted from elsewhere is never one).
   * @default 'strict'
   */
  readonly sameSite?: 'strict' | 'lax';
}

/** RFC 6265 token characters; the `__Host-`/`__Secure-` prefixes are ours to add. */
const COOKIE_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}$/;
/** Far above core's 43 characters: longer is not ours, and is not handed on. */
const MAX_TOKEN = 256;

/** Where a browser treats plain http as a secure context: localhost names and loopback IPs. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost') || host === '[::1]') return true;
  return isIPv4(host) && host.startsWith('127.');
}

/**
 * Reads, sets and clears the remembered-device cookie of one request. The cookie is always
 * `HttpOnly` (no script can read the token), `Path=/` and `SameSite`, and `Secure` unless the
 * request came over plain http to a loopback host (a developer's machine); the protocol comes
 * from the request or a trusted proxy only (SECURITY.md FL-16).
 */
export class DeviceCookie {
  private readonly baseName: string;
  private readonly sameSite: 'strict' | 'lax';

  constructor(
    options: RememberDeviceOptions,
    private readonly reader: RequestInfoReader,
  ) {
    const name = options.cookieName ?? 'factorkit_device';
    if (!COOKIE_NAME.test(name) || /^__(host|secure)-/i.test(name))
      throw new InvalidArgumentError(
        `rememberDevice.cookieName must be 1 to 64 cookie-name characters without a __Host- or __Secure- prefix (it is added); got "${name}".`,
      );
    const sameSite = options.sameSite ?? 'strict';
    if (sameSite !== 'strict' && sameSite !== 'lax')
      throw new InvalidArgumentError(
        `rememberDevice.sameSite must be "strict" or "lax"; got "${String(sameSite)}".`,
      );
    this.baseName = name;
    this.sameSite = sameSite;
  }

  /** Secure everywhere except plain http to a loopback host. */
  secure(request: Request, peerAddress: string | undefined): boolean {
    if (this.reader.isHttps(request, peerAddress)) return true;
    return !isLoopbackHost(new URL(request.url).hostname);
  }

  /** The cookie's name on this request: `__Host-` prefixed when Secure. */
  name(request: Request, peerAddress: string | undefined): string {
    return this.secure(request, peerAddress) ? `__Host-${this.baseName}` : this.baseName;
  }

  /**
   * The value the browser sent, for core to judge (a malformed one is rejected and audited
   * there). Only the name this request would set is read: over TLS an unprefixed cookie, which
   * a sibling subdomain could have planted, is never taken for ours.
   */
  read(request: Request, peerAddress: string | undefined): string | undefined {
    const header = request.headers.get('cookie');
    if (header === null) return undefined;
    const value = parseCookie(header)[this.name(request, peerAddress)];
    return value === undefined ? undefined : value.slice(0, MAX_TOKEN);
  }

  /** `Set-Cookie` for a new token, living `maxAgeSeconds` (the device's absolute expiry). */
  set(request: Request, peerAddress: string | undefined, token: string, maxAgeSeconds: number) {
    return this.line(request, peerAddress, token, Math.max(0, Math.floor(maxAgeSeconds)));
  }

  /** `Set-Cookie` that makes the browser forget the cookie. */
  clear(request: Request, peerAddress: string | undefined): string {
    return this.line(request, peerAddress, '', 0);
  }

  private line(request: Request, peer: string | undefined, value: string, maxAge: number) {
    const secure = this.secure(request, peer);
    return stringifySetCookie({
      name: secure ? `__Host-${this.baseName}` : this.baseName,
      value,
      path: '/',
      maxAge,
      httpOnly: true,
      secure,
      sameSite: this.sameSite,
    });
  }
}
