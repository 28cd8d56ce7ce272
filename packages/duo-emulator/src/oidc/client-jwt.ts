import { compactVerify, decodeJwt } from 'jose';
import type { EmulatorContext } from '../context.js';
import type { WebSdkApp } from '../state/apps.js';
import { INVALID_CLIENT, ISS_MISMATCH } from './messages.js';

export type JwtClaims = Record<string, unknown>;

/** Duo clients send `exp` as an integer, a float (Python) or a numeric string (C#). */
export function numericClaim(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && /^\d+(\.\d+)?$/.test(value)) return Number(value);
  return undefined;
}

/**
 * Verifies an HMAC JWT signed with a client secret. Duo's clients sign with HS512; Duo's Postman
 * collection may use HS256, so both are accepted, nothing else (`alg: none` included).
 * Claims are checked by the caller because their types vary between official SDKs.
 */
export async function verifyClientJwt(
  token: string,
  secret: string,
): Promise<JwtClaims | undefined> {
  try {
    const { payload } = await compactVerify(token, new TextEncoder().encode(secret), {
      algorithms: ['HS512', 'HS256'],
    });
    const claims: unknown = JSON.parse(new TextDecoder().decode(payload));
    return claims && typeof claims === 'object' && !Array.isArray(claims)
      ? (claims as JwtClaims)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Unverified read of `iss`, for clients that omit `client_id` (Java at /token). */
export function unverifiedIssuer(token: string): string | undefined {
  try {
    const iss = decodeJwt(token).iss;
    return typeof iss === 'string' ? iss : undefined;
  } catch {
    return undefined;
  }
}

export function unverifiedClaim(token: string, name: string): unknown {
  try {
    return decodeJwt(token)[name];
  } catch {
    return undefined;
  }
}

/**
 * `detail` says what was wrong (for diagnostics); `description` is what Duo answers: its text for
 * an `iss` that is not the client_id, otherwise its catch-all (duo_universal_csharp#25).
 */
export type AssertionResult =
  { ok: true; app: WebSdkApp } | { ok: false; detail: string; description: string };

const refused = (detail: string): AssertionResult => ({
  ok: false,
  detail,
  description: detail === ISS_MISMATCH ? ISS_MISMATCH : INVALID_CLIENT,
});

/** Seen `jti`s per client, kept until their assertion expires. */
export class JtiCache {
  private readonly seen = new Map<string, number>();

  /** Records the jti; false when it was already used and has not expired. */
  remember(clientId: string, jti: string, expSec: number, nowSec: number): boolean {
    for (const [k, exp] of this.seen) if (exp < nowSec) this.seen.delete(k);
    const k = `${clientId}\u0000${jti}`;
    if (this.seen.has(k)) return false;
    this.seen.set(k, expSec);
    return true;
  }
}

/**
 * Checks a client assertion the way Duo does (duo-protocol.md §A.2.1): HMAC with the client's
 * secret, `iss` (and `sub`) = client_id, `aud` = the exact endpoint URL including the port,
 * `exp` in the future (and at most ~1 h ahead), a `jti` that was not used before.
 */
export async function verifyClientAssertion(
  ctx: EmulatorContext,
  jtis: JtiCache,
  input: {
    assertion: string | undefined;
    clientId: string | undefined;
    host: string;
    path: string;
  },
): Promise<AssertionResult> {
  if (!input.assertion) return refused('The client_assertion is missing.');
  const clientId = input.clientId ?? unverifiedIssuer(input.assertion);
  const app = clientId ? ctx.apps.get(clientId) : undefined;
  if (!app || app.type !== 'websdk') return refused('The provided client_assertion was invalid.');
  const claims = await verifyClientJwt(input.assertion, app.clientSecret);
  if (!claims) return refused('The provided client_assertion was invalid.');
  if (claims['iss'] !== app.clientId) return refused(ISS_MISMATCH);
  if (claims['sub'] !== undefined && claims['sub'] !== app.clientId) {
    return refused('Invalid Client assertion: The `sub` claim must match the supplied client_id');
  }
  const aud = claims['aud'];
  const expectedAud = `https://${input.host}${input.path}`;
  const audOk = Array.isArray(aud)
    ? aud.length === 1 && aud[0] === expectedAud
    : aud === expectedAud;
  if (!audOk) return refused('Invalid Client assertion: The `aud` claim is invalid');
  const now = ctx.nowMs() / 1000;
  const exp = numericClaim(claims['exp']);
  if (exp === undefined) return refused('Invalid Client assertion: The `exp` claim is missing');
  if (exp <= now - ctx.settings.jwtLeewaySec) {
    return refused('Invalid Client assertion: The `exp` claim has expired');
  }
  if (exp > now + 3600 + ctx.settings.jwtLeewaySec) {
    return refused('Invalid Client assertion: The `exp` claim is too far in the future');
  }
  const jti = claims['jti'];
  if (typeof jti !== 'string' || jti.length === 0) {
    return refused('Invalid Client assertion: The `jti` claim is missing');
  }
  if (
    ctx.settings.enforceJtiUniqueness &&
    !jtis.remember(app.clientId, jti, Math.ceil(exp), Math.floor(now))
  ) {
    return refused('Invalid Client assertion: The `jti` claim was already used');
  }
  return { ok: true, app };
}
