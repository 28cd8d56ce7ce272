/**
 * One SDK client per Duo Universal configuration, reused across calls so that a sign-in reuses
 * the kept-alive TLS connection to Duo instead of building a client and doing a TLS handshake
 * for every health check, authorization URL and token exchange (issue 17: that made
 * `beginChallenge` cost 2.4 times the SDK's own calls on one client).
 *
 * Why reuse is safe: an SDK 3.0.0 `Client` keeps only its configuration (client id, secret, API
 * host, redirect URL) and its axios instance; the state, the nonce and every JWT's `jti` and
 * `iat` are made per call (the state is core's per-challenge pending id, DU-01, DU-02), so no
 * user's or challenge's data is shared between calls. A connection carries no credentials
 * either: every request is authenticated by its own signed client assertion.
 *
 * Keyed by client id + API host (one slot per integration); the slot also keeps everything else
 * the client was built from (the secret, the redirect URL, the custom CA, the socket timeout)
 * and compares it on every call, so a changed configuration (a rotated secret, another CA, even
 * settings edited in place) rebuilds the client and closes the old one's connections. The values
 * are compared, not hashed: hashing the CA bundle on every call cost more than the comparison,
 * and the client holds the same secret anyway. The secret is never a map key. At most
 * MAX_CLIENTS slots; the least recently used is closed first.
 */
import type { Client } from '@duosecurity/duo_universal';
import type { DuoSettings } from '../config/settings.js';
import { buildUniversalClient, socketTimeoutOf, type BuiltClient } from './universal-client.js';

/** Far more integrations than one deployment has; bounds memory if settings churn. */
export const MAX_CLIENTS = 16;

/** What a client is built from besides its key. */
type BuiltFrom = readonly [secret: string, redirectUrl: string, caPem: string, timeoutMs: number];

interface Slot extends BuiltClient {
  builtFrom: BuiltFrom;
}

const slots = new Map<string, Slot>();

function builtFromOf(s: DuoSettings): BuiltFrom {
  return [s.clientSecret ?? '', s.redirectUrl ?? '', s.caPem ?? '', socketTimeoutOf(s)];
}

function sameBuild(a: BuiltFrom, b: BuiltFrom): boolean {
  return a[0] === b[0] && a[1] === b[1] && a[2] === b[2] && a[3] === b[3];
}

/**
 * Retires a slot's connections without cutting a call in flight: `Agent.destroy()` would also
 * reset sockets in use, and another user's health check or token exchange would then end in
 * ECONNRESET, which is an outage and may fail open (OUT-02). Idle sockets close now; a socket in
 * use finishes its request and is then closed instead of being kept.
 */
function close(slot: Slot): void {
  slot.agent.keepSocketAlive = () => false;
  for (const sockets of Object.values(slot.agent.freeSockets)) {
    for (const socket of sockets ?? []) socket.destroy();
  }
}

/** The kept-alive SDK client for these settings, built (or rebuilt) when needed. */
export function universalClientFor(settings: DuoSettings): Client {
  // A NUL cannot occur in a client id or a host name, so the key is unambiguous.
  const key = `${settings.clientId ?? ''}\0${settings.apiHost}`;
  const builtFrom = builtFromOf(settings);
  const slot = slots.get(key);
  if (slot !== undefined) {
    slots.delete(key);
    if (sameBuild(slot.builtFrom, builtFrom)) {
      slots.set(key, slot); // most recently used last
      return slot.client;
    }
    close(slot);
  }
  // Builds first: a refused configuration throws here and leaves no slot behind.
  const built = buildUniversalClient(settings, { keepAlive: true });
  slots.set(key, { ...built, builtFrom });
  while (slots.size > MAX_CLIENTS) {
    const [oldestKey, oldest] = slots.entries().next().value as [string, Slot];
    slots.delete(oldestKey);
    close(oldest);
  }
  return built.client;
}

/** Closes every kept client's connections (for tests and hosts shutting down). */
export function closeUniversalClients(): void {
  for (const slot of slots.values()) close(slot);
  slots.clear();
}

/** How many clients are kept (for tests). */
export function keptUniversalClients(): number {
  return slots.size;
}
