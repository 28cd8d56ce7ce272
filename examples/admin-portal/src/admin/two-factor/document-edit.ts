/**
 * Edits of the stored deployment document made by the admin page (each returns a new document;
 * the running one is never touched before core's loader accepts the new one), and the list of
 * paths a change touched, for the audit log (paths only: never a value, so never a secret).
 */
import type { RawConfig } from '../../twofactor/deployment.js';

export interface ProviderEntry {
  enabled?: boolean;
  audiences?: string[];
  settings?: Record<string, unknown>;
  [key: string]: unknown;
}

export type AudiencePolicyDoc = Record<string, unknown>;

export function providerEntries(doc: RawConfig): Record<string, ProviderEntry> {
  return (doc['providers'] ?? {}) as Record<string, ProviderEntry>;
}

export function audiencePolicies(doc: RawConfig): Record<string, AudiencePolicyDoc> {
  const policy = (doc['policy'] ?? {}) as { audiences?: Record<string, AudiencePolicyDoc> };
  return policy.audiences ?? {};
}

/** The audiences the document defines (the portal's: client and admin). */
export function audienceNames(doc: RawConfig): string[] {
  return Object.keys(audiencePolicies(doc));
}

export function withProvider(
  doc: RawConfig,
  providerId: string,
  change: (entry: ProviderEntry) => ProviderEntry,
): RawConfig {
  const copy = structuredClone(doc);
  const providers = (copy['providers'] ??= {}) as Record<string, ProviderEntry>;
  providers[providerId] = change(structuredClone(providers[providerId] ?? {}));
  return copy;
}

export function withAudiencePolicy(
  doc: RawConfig,
  audience: string,
  change: (policy: AudiencePolicyDoc) => AudiencePolicyDoc,
): RawConfig {
  const copy = structuredClone(doc);
  const policy = (copy['policy'] ??= {}) as { audiences?: Record<string, AudiencePolicyDoc> };
  const audiences = (policy.audiences ??= {});
  audiences[audience] = change(structuredClone(audiences[audience] ?? {}));
  return copy;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Every leaf path whose value differs between the two documents (arrays compared whole). */
export function changedPaths(before: unknown, after: unknown, path = ''): string[] {
  if (isObject(before) && isObject(after)) {
    const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
    return [...keys]
      .sort()
      .flatMap((k) => changedPaths(before[k], after[k], path ? `${path}.${k}` : k));
  }
  return JSON.stringify(before) === JSON.stringify(after) ? [] : [path || '(root)'];
}
