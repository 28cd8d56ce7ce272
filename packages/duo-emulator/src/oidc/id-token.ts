import { randomBytes } from 'node:crypto';
import { SignJWT, UnsecuredJWT } from 'jose';
import { nowSec, type EmulatorContext } from '../context.js';
import type { WebSdkApp } from '../state/apps.js';
import { txid } from '../state/random.js';
import type { AuthResult, IssuedCode } from './flow-state.js';
import { LOGIN_DENIED } from './messages.js';

/**
 * The id_token (§A.6): HS512 with the client secret, Duo's claim set; faults spoil one check each.
 * Times as in Duo's tokens: `auth_time` is when the user answered the prompt, `iat` (and `nbf`,
 * as in the official SDKs' fixtures) when the token endpoint issued it, and `exp` counts from
 * `auth_time` (Duo's sample has exp − auth_time = 3600), so a code exchanged late does not make
 * the token live longer.
 */
export async function buildIdToken(
  ctx: EmulatorContext,
  app: WebSdkApp,
  host: string,
  issued: IssuedCode,
): Promise<string> {
  const fault = ctx.faults().tokenFault;
  let iat = nowSec(ctx);
  if (fault === 'expired') iat -= ctx.settings.idTokenTtlSec + 120;
  const authTime = fault === 'expired' ? iat : issued.authTimeSec;
  let preferred = issued.sentName;
  if (ctx.faults().aliasLowercase && issued.matchedBy === 'alias')
    preferred = preferred.toLowerCase();
  if (fault === 'wrong_preferred_username') preferred = 'mallory';
  const authResult: AuthResult =
    fault === 'auth_result_deny'
      ? { result: 'deny', status: 'deny', status_msg: LOGIN_DENIED }
      : issued.authResult;
  const timestamp = authTime;
  const claims: Record<string, unknown> = {
    iss:
      fault === 'wrong_iss'
        ? 'https://api-00000000.duosecurity.com/oauth/v1/token'
        : `https://${host}/oauth/v1/token`,
    sub: issued.user.username,
    aud: fault === 'wrong_aud' ? 'DIWRONGAUDIENCE00000' : app.clientId,
    exp: authTime + ctx.settings.idTokenTtlSec,
    iat,
    nbf: iat,
    auth_time: authTime,
    auth_result: authResult,
    auth_context: {
      txid: txid(),
      timestamp,
      user: { name: issued.user.username, key: issued.user.userId, groups: [] },
      application: { name: app.name, key: app.clientId },
      auth_device: {
        ip: null,
        location: { city: null, state: null, country: null },
        name: issued.user.devices[0]?.display_name ?? null,
        key: issued.user.devices[0]?.device ?? null,
      },
      access_device: {
        ip: '127.0.0.1',
        location: { city: null, state: null, country: null },
        hostname: null,
        epkey: null,
      },
      factor: issued.authResult.status_msg.startsWith('Bypass') ? 'bypass_code' : 'duo_push',
      event_type: 'authentication',
      result: authResult.result === 'allow' ? 'success' : 'denied',
      reason:
        authResult.result === 'allow'
          ? issued.authResult.status_msg.startsWith('Bypass')
            ? 'bypass_user'
            : 'user_approved'
          : 'user_denied',
      alias: issued.matchedBy === 'alias' ? issued.sentName : '',
      isotimestamp: new Date(timestamp * 1000).toISOString(),
      email: issued.user.email || null,
      ood_software: null,
    },
    preferred_username: preferred,
  };
  if (issued.nonce !== undefined && fault !== 'missing_nonce') claims['nonce'] = issued.nonce;
  const dropped = {
    missing_exp: 'exp',
    missing_iat: 'iat',
    missing_iss: 'iss',
    missing_aud: 'aud',
  } as const;
  if (fault !== undefined && fault in dropped)
    delete claims[dropped[fault as keyof typeof dropped]];
  // An unsecured JWT (RFC 7519 §6): header {"alg":"none"}, an empty signature.
  if (fault === 'alg_none') return new UnsecuredJWT(claims).encode();
  const secret =
    fault === 'wrong_key' ? randomBytes(40).toString('base64url').slice(0, 40) : app.clientSecret;
  return new SignJWT(claims)
    .setProtectedHeader({ alg: fault === 'alg_hs256' ? 'HS256' : 'HS512', typ: 'JWT' })
    .sign(new TextEncoder().encode(secret));
}
