import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';

/** A Host header as a browser sends it: a name or IPv4 address, or a bracketed IPv6, and a port. */
const HOST_SHAPE = /^(?:[A-Za-z0-9.-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\])(?::[0-9]{1,5})?$/;

/**
 * The URL a Node request was sent to: the scheme of its own socket (TLS or not) and its Host.
 * A proxy's `X-Forwarded-Proto` is left to the handler, which believes it only from a trusted
 * proxy. A missing or odd Host becomes `unknown.invalid`, which is never taken for loopback.
 */
export function requestUrl(req: IncomingMessage, path: string): URL {
  const scheme = (req.socket as Partial<TLSSocket>).encrypted === true ? 'https' : 'http';
  const host = req.headers.host;
  const authority = host !== undefined && HOST_SHAPE.test(host) ? host : 'unknown.invalid';
  // Joined as text: a path like `//elsewhere/x` stays a path and never becomes the authority.
  return new URL(`${scheme}://${authority}${path.startsWith('/') ? path : `/${path}`}`);
}

/** The request's headers as Web-standard `Headers` (repeated ones kept). */
export function headersOf(req: IncomingMessage): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else if (value !== undefined) headers.set(name, String(value));
  }
  return headers;
}

/**
 * The login request as the handler's `beginSecondStep` reads it: URL and headers, no body (the
 * host's own route has read or will read that).
 */
export function headersOnlyRequest(req: IncomingMessage, path: string): Request {
  return new Request(requestUrl(req, path), { headers: headersOf(req) });
}
