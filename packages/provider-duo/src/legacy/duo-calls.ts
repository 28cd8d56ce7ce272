/** Calling the Auth API for the legacy flow: the client, and what Duo's answers mean to us. */
import { isIP } from 'node:net';
import { ProviderDeniedError, type ProviderContext, type TwoFactorUser } from '@factorkit/core';
import type { DuoSettings } from '../config/settings.js';
import { DuoCallError } from '../failure.js';
import { AuthApiClient, type AuthApiResult, type OutgoingRequest } from './auth-api-client.js';
import type { Params } from './signer.js';

export interface LegacyDeps {
  now(): number;
  onRequest?: (info: OutgoingRequest) => void;
  sleep?: (ms: number) => Promise<void>;
  warn(message: string, fields: Record<string, unknown>): void;
}

export type DuoRefusal = Extract<AuthApiResult, { ok: false }>;

export function legacyClient(settings: DuoSettings, deps: LegacyDeps, timeoutMs?: number) {
  return new AuthApiClient({
    apiHost: settings.apiHost,
    ikey: settings.integrationKey ?? '',
    skey: settings.secretKey ?? '',
    ...(settings.caPem !== undefined ? { caPem: settings.caPem } : {}),
    signatureVersion: settings.signatureVersion,
    timeoutMs: timeoutMs ?? settings.requestTimeoutMs,
    rateLimitBudgetMs: settings.rateLimitBudgetMs,
    maxRetries: settings.maxRetries,
    now: () => deps.now(),
    ...(deps.sleep ? { sleep: deps.sleep } : {}),
    ...(deps.onRequest ? { onRequest: deps.onRequest } : {}),
  });
}

/**
 * A Duo `stat: FAIL` answer as a classified failure. A 401 is our configuration (keys or clock):
 * when Duo's clock differs from ours by more than its 300 s window, the log says CLOCK_SKEW
 * (DA-02). Never an outage, so never failmode.
 */
export async function failed(
  client: AuthApiClient,
  r: DuoRefusal,
  deps: LegacyDeps,
): Promise<DuoCallError> {
  const f = r.failure;
  let hint: string | undefined;
  if (f.httpStatus === 401) {
    const duoTime = await client.ping().catch(() => undefined);
    if (duoTime !== undefined && Math.abs(duoTime - deps.now() / 1000) > 300) {
      hint = 'CLOCK_SKEW';
      deps.warn('duo: request refused and our clock differs from Duo by more than 300 s', {
        hint,
        skewSeconds: Math.round(deps.now() / 1000 - duoTime),
      });
    }
  }
  const kind = f.httpStatus === 401 || f.httpStatus === 403 ? 'config' : 'protocol';
  return new DuoCallError(
    kind,
    `Duo refused the request: HTTP ${f.httpStatus} ${f.code ?? ''} ${f.message}`,
    {
      ...(hint ? { hint } : {}),
    },
  );
}

export async function callOk(
  client: AuthApiClient,
  deps: LegacyDeps,
  method: 'GET' | 'POST',
  path: string,
  params: Params,
): Promise<Record<string, unknown>> {
  const r = await client.call(method, path, params);
  if (!r.ok) throw await failed(client, r, deps);
  if (typeof r.response !== 'object' || r.response === null || Array.isArray(r.response))
    throw new DuoCallError(
      'malformed',
      `Duo answered ${path} with a response that is not an object`,
    );
  return r.response as Record<string, unknown>;
}

/** `400 no capable device` is a denial (the user's devices cannot do this factor). */
export function deniedOrFailed(err: DuoCallError, r: DuoRefusal): Error {
  if (r.failure.httpStatus === 400 && /no capable device/i.test(r.failure.message)) {
    return new ProviderDeniedError('No Duo device of this account can use this method.', {
      details: { duo: 'no-capable-device' },
    });
  }
  return err;
}

/**
 * The client IP sent as `ipaddr` (Duo's IP policies, DA-06): the one the host passed
 * with the call (core's request info, from its trusted proxy chain), else the user attribute.
 */
export function clientIp(
  ctx: ProviderContext<DuoSettings>,
  user: TwoFactorUser,
): string | undefined {
  const fromRequest = ctx.request?.ip;
  if (typeof fromRequest === 'string' && isIP(fromRequest) !== 0) return fromRequest;
  const ip = Object.hasOwn(user.attributes ?? {}, ctx.config.ipAttribute)
    ? user.attributes?.[ctx.config.ipAttribute]
    : undefined;
  return typeof ip === 'string' && isIP(ip) !== 0 ? ip : undefined;
}
