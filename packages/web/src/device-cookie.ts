import { InvalidArgumentError } from '@factorkit/core';
import { parseCookie, stringifySetCookie } from 'cookie';

/** The remembered-device cookie (`TwoFactorHandlerOptions.rememberDevice`). */
export interface RememberDeviceOptions {
  /**
   * The cookie's name. It is always sent as `__Host-<name>` with `Secure`, which a browser
   * accepts only from this very host, from a secure context, for `Path=/`.
   * @default 'factorkit_device'
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

/**
 * Reads, sets and clears the remembered-device cookie of one request. The cookie is always
 * `HttpOnly` (no script can read the token), `Path=/`, `SameSite`, `Secure` and `__Host-`
 * (SECURITY.md FL-16). Always, not "unless plain http on localhost": whether a request is local
 * can only be read from its Host header, which a TLS proxy in front (`proxy_pass
 * http://127.0.0.1:3000`) rewrites to loopback, and the token would then travel in clear to the
 * real site. Browsers treat http://localhost and loopback addresses as secure contexts and keep
 * such a cookie there (checked in Chromium), so a developer's machine still works.
 */
export class DeviceCookie {
  private readonly baseName: string;
  private readonly sameSite: 'strict' | 'lax';

  constructor(options: RememberDeviceOptions) {
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

  /** Always: see the class comment. Kept as a method so the attribute has one source. */
  secure(_request: Request, _peerAddress: string | undefined): boolean {
    return true;
  }

  /** The cookie's name on this request: `__Host-` prefixed (it is always Secure). */
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
