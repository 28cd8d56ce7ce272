import { isIP } from 'node:net';
import type { RequestInfo } from '../../provider/contract.js';

/**
 * Cuts a host-supplied string to `max` UTF-16 units first, then removes control characters
 * (ASVS 16.4.1: no log injection). Cutting first keeps the cost bounded: a 10 MB header costs no
 * more than a short one (SECURITY.md LG-01).
 */
export function printable(value: unknown, max: number): string | undefined {
  if (typeof value !== 'string') return undefined;
  let cut = value.length > max ? value.slice(0, max) : value;
  // Never leave half of a surrogate pair at the cut.
  const last = cut.charCodeAt(cut.length - 1);
  if (cut.length < value.length && last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
  // eslint-disable-next-line no-control-regex
  const text = cut.replace(/[\u0000-\u001f\u007f]/g, '').trim();
  return text.length > 0 ? text : undefined;
}

/**
 * Keeps what a host says about a request to plain, short, printable text: it ends up in audit
 * events and logs and, for the IP, in provider calls (Duo's `ipaddr`).
 */
export function sanitizeRequest(request: RequestInfo | undefined): RequestInfo | undefined {
  if (!request || typeof request !== 'object') return undefined;
  const ip = printable(request.ip, 64);
  const userAgent = printable(request.userAgent, 256);
  const requestId = printable(request.requestId, 128);
  const out = {
    // Only a real IPv4 or IPv6 address (with a zone id) goes on to providers and the trail.
    ...(ip && isIP(ip) !== 0 ? { ip } : {}),
    ...(userAgent ? { userAgent } : {}),
    ...(requestId ? { requestId } : {}),
  };
  return Object.keys(out).length > 0 ? out : undefined;
}
