/**
 * The `Host` header check. A Host without a port means the scheme's default port (RFC 9110
 * §7.2; 443 for https), so on port 443 `Host: 127.0.0.1` names us, on any other port it does
 * not. Only our own loopback names are accepted (this also stops DNS-rebinding pages).
 */
export const OWN_HOST_NAMES = ['127.0.0.1', 'localhost'] as const;
export const HTTPS_DEFAULT_PORT = 443;

export interface ParsedHost {
  /** Lower-cased host name (an IPv6 literal keeps its brackets). */
  name: string;
  /** The explicit port, or the https default when the header has none. */
  port: number;
  /** True when the header carried a port. */
  explicitPort: boolean;
}

/** Parses a Host header value; undefined when it is not `name` or `name:digits`. */
export function parseHost(value: string | undefined): ParsedHost | undefined {
  const host = (value ?? '').trim().toLowerCase();
  const m = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::(\d{1,5}))?$/.exec(host);
  if (!m) return undefined;
  if (m[2] === undefined) return { name: m[1]!, port: HTTPS_DEFAULT_PORT, explicitPort: false };
  const port = Number(m[2]);
  return port > 0 && port <= 65535 ? { name: m[1]!, port, explicitPort: true } : undefined;
}

/** The host without its port: what Duo clients put in the signed canonical string. */
export function hostWithoutPort(value: string): string {
  return parseHost(value)?.name ?? value.toLowerCase();
}

/** True when the Host header names this emulator listening on `port`. */
export function isOwnHost(value: string | undefined, port: number): boolean {
  const parsed = parseHost(value);
  return (
    parsed !== undefined &&
    (OWN_HOST_NAMES as readonly string[]).includes(parsed.name) &&
    parsed.port === port
  );
}

/** `name:port`, or just `name` on the default port (how a client writes the API hostname). */
export function hostFor(name: string, port: number): string {
  return port === HTTPS_DEFAULT_PORT ? name : `${name}:${port}`;
}
