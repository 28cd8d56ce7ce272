import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { RequestInfo } from '@factorkit/core';
import { InvalidArgumentError } from '@factorkit/core';
import proxyAddr from 'proxy-addr';

/** Longest request id taken from a trusted proxy; longer or odd ones are replaced by our own. */
const MAX_REQUEST_ID = 128;
const REQUEST_ID_SHAPE = /^[A-Za-z0-9._:-]+$/;

/**
 * Finds the client's address, user agent and request id for core's audit events. The address
 * is the TCP peer unless the peer is in `trustedProxies`; only then are `X-Forwarded-For` hops
 * read, from the nearest, and only up to the first hop that is not trusted. The request id of a
 * trusted proxy (`X-Request-Id`) is kept; any other request gets a fresh UUID.
 */
export class RequestInfoReader {
  private readonly trust: (addr: string, i: number) => boolean;

  /** @param trustedProxies addresses, CIDR ranges or `loopback`/`linklocal`/`uniquelocal`. */
  constructor(trustedProxies: readonly string[] = []) {
    try {
      this.trust = proxyAddr.compile([...trustedProxies]);
    } catch (err) {
      throw new InvalidArgumentError(
        `trustedProxies: ${(err as Error).message}. Allowed: IP addresses, CIDR ranges, or loopback, linklocal, uniquelocal.`,
      );
    }
  }

  /**
   * Whether the client reached us over TLS: the scheme of the request's own URL, unless the TCP
   * peer is a trusted proxy, whose `X-Forwarded-Proto` (the last value, the one it added) then
   * says. A client's own `X-Forwarded-Proto` is never believed.
   */
  isHttps(request: Request, peerAddress: string | undefined): boolean {
    const peer = peerAddress ?? '';
    const forwarded = request.headers.get('x-forwarded-proto');
    if (peer !== '' && forwarded !== null && this.trust(peer, 0)) {
      const nearest = forwarded.split(',').at(-1)!.trim().toLowerCase();
      if (nearest === 'https' || nearest === 'http') return nearest === 'https';
    }
    return new URL(request.url).protocol === 'https:';
  }

  read(request: Request, peerAddress: string | undefined): RequestInfo {
    const peer = peerAddress ?? '';
    const forwarded = request.headers.get('x-forwarded-for') ?? undefined;
    // proxy-addr reads a Node request; it needs only the peer and the forwarded header.
    const shaped = {
      headers: forwarded === undefined ? {} : { 'x-forwarded-for': forwarded },
      socket: { remoteAddress: peer },
      connection: { remoteAddress: peer },
    } as unknown as IncomingMessage;
    const ip = peer === '' ? undefined : proxyAddr(shaped, this.trust);
    const peerTrusted = peer !== '' && this.trust(peer, 0);
    const offered = request.headers.get('x-request-id');
    const requestId =
      peerTrusted &&
      offered !== null &&
      offered.length <= MAX_REQUEST_ID &&
      REQUEST_ID_SHAPE.test(offered)
        ? offered
        : randomUUID();
    const userAgent = request.headers.get('user-agent') ?? undefined;
    return {
      ...(ip === undefined ? {} : { ip }),
      ...(userAgent === undefined ? {} : { userAgent: userAgent.slice(0, 512) }),
      requestId,
    };
  }
}
