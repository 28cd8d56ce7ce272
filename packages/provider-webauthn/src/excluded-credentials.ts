/**
 * `excludeCredentials` for a registration: the user's keys so far, from what core shows
 * `beginActivation` of them (`ctx.enrolled`, each made by the provider's `publicInfo`). The
 * authenticator then refuses to register one of them again (InvalidStateError in the browser);
 * the server refuses it as well, by the credential's lookup key (SECURITY.md WA-01, WA-12).
 */
import type { JsonValue, ProviderContext } from '@factorkit/core';

export interface ExcludedCredential {
  id: string;
  transports?: string[];
}

/** The public part of a key that `publicInfo` hands core: never its public key or flags. */
export function keyPublicInfo(credentialId: string, transports: readonly string[]): JsonValue {
  return { credentialId, transports: [...transports] };
}

/** The credential ids (with their transports) of every readable entry of `ctx.enrolled`. */
export function excludedCredentials(ctx: Pick<ProviderContext, 'enrolled'>): ExcludedCredential[] {
  const out: ExcludedCredential[] = [];
  for (const { publicInfo } of ctx.enrolled ?? []) {
    if (typeof publicInfo !== 'object' || publicInfo === null || Array.isArray(publicInfo))
      continue;
    const { credentialId, transports } = publicInfo;
    if (typeof credentialId !== 'string' || credentialId.length === 0) continue;
    const named = Array.isArray(transports)
      ? transports.filter((t): t is string => typeof t === 'string')
      : [];
    out.push({ id: credentialId, ...(named.length > 0 ? { transports: named } : {}) });
  }
  return out;
}
