/**
 * Failmode per audience, for providers that call a remote service (Duo, YubiCloud): what a
 * provider's `failOpenAllowed` answers when that service is unreachable. One rule for every such
 * provider, so "`*` never covers admin" cannot differ between them (SECURITY.md OUT-02, CF-01).
 */

export const FAILMODES = ['closed', 'open'] as const;
export type Failmode = (typeof FAILMODES)[number];

/** An audience name as policy writes it, or `*` for every audience without its own entry. */
const AUDIENCE_KEY = /^(?:\*|[a-z][a-z0-9_-]{0,31})$/;

/** Why a failmode map is invalid (for a settings `@Check`), or null. */
export function failmodeProblem(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return 'must be an object of audience -> \'closed\' | \'open\' (e.g. { "client": "open" })';
  for (const [k, m] of Object.entries(value)) {
    if (!AUDIENCE_KEY.test(k)) return `has an invalid audience name "${k.slice(0, 32)}"`;
    if (!(FAILMODES as readonly string[]).includes(m as string))
      return `${k} must be 'closed' or 'open'`;
  }
  return null;
}

/** The audience's own entry, else `*` (never for `admin`, which fails open only when named), else closed. */
export function failmodeFor(map: Readonly<Record<string, Failmode>>, audience: string): Failmode {
  const own = Object.hasOwn(map, audience) ? map[audience] : undefined;
  if (own) return own;
  if (audience === 'admin') return 'closed';
  return (Object.hasOwn(map, '*') ? map['*'] : undefined) ?? 'closed';
}
