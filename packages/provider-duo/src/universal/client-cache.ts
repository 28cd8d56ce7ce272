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
 * Keyed by client id + API host (one slot per integration); the slot also keeps a SHA-256
 * fingerprint of everything else the client is built from (the secret, the redirect URL, the
 * custom CA, the socket timeout), so a changed configuration (a rotated secret, another CA)
 * rebuilds the client and closes the old one's connections. The secret is never a map key.
 * At most MAX_CLIENTS slots; the least recently used is closed first.
 */
import { createHash } from 'node:crypto';
import type { Client } from '@duosecurity/duo_universal';
import type { DuoSettings } from '../config/settings.js';
import { buildUniversalClient, socketTimeoutOf, type BuiltClient } from './universal-client.js';

/** Far more integrations than one deployment has; bounds memory if settings churn. */
export const MAX_CLIENTS = 16;

interface Slot extends BuiltClient {
  fingerprint: string;
}

const slots = new Map<string, Slot>();

function fingerprintOf(s: DuoSettings): string {
  return createHash('sha256')
    .update(
      JSON.stringify([
        s.clientSecret ?? '',
        s.redirectUrl ?? '',
        s.caPem ?? '',
        socketTimeoutOf(s),
      ]),
    )
    .digest('base64');
}

function close(slot: Slot): void {
  slot.agent.destroy();
}

/** The kept-alive SDK client for these settings, built (or rebuilt) when needed. */
export function universalClientFor(settings: DuoSettings): Client {
  const key = JSON.stringify([settings.clientId ?? '', settings.apiHost]);
  const fingerprint = fingerprintOf(settings);
  const slot = slots.get(key);
  if (slot !== undefined) {
    slots.delete(key);
    if (slot.fingerprint === fingerprint) {
      slots.set(key, slot); // most recently used last
      return slot.client;
    }
    close(slot);
  }
  // Builds first: a refused configuration throws here and leaves no slot behind.
  const built = buildUniversalClient(settings, { keepAlive: true });
  slots.set(key, { ...built, fingerprint });
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
