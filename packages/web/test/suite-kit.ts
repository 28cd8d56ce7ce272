/** What the route and attack checks share: a rig per test, error bodies, a pending login. */
import { afterEach, expect } from 'vitest';
import {
  enrolledUser,
  tokenOf,
  type Client,
  type MakeRig,
  type Rig,
  type RigOptions,
} from './rig.js';

export interface ErrorJson {
  error: { code: string; message: string; retryAfter?: number | null; requestId: string };
}

/** The `error` of a refusal, checking that nothing but `error` is in the body. */
export async function errorOf(r: Response): Promise<ErrorJson['error']> {
  const body = (await r.json()) as ErrorJson;
  expect(Object.keys(body)).toEqual(['error']);
  return body.error;
}

export type OpenRig = (options?: RigOptions) => Promise<Rig>;

/** A fresh rig per test, closed after it. */
export function useRig(make: MakeRig): OpenRig {
  let rig: Rig | undefined;
  afterEach(async () => {
    await rig?.close();
    rig = undefined;
  });
  return async (options) => {
    await rig?.close();
    rig = await make(options);
    return rig;
  };
}

/** A pending session of an enrolled user, with its challenge started. */
export async function pendingWithChallenge(r: Rig) {
  const e = await enrolledUser(r);
  const c = r.client();
  await c.visit();
  const started = await c.login(e.user);
  expect(started).toMatchObject({ requirement: { action: 'challenge' }, authenticated: false });
  const begun = await c.post('/2fa/challenge', {});
  expect(begun.status).toBe(201);
  return { ...e, c };
}

/** `GET /enroll/:providerId` with the session's CSRF token (it starts an activation). */
export async function enrollPrompt(c: Client, providerId = 'totp'): Promise<Response> {
  return c.get(`/2fa/enroll/${providerId}`, { 'x-csrf-token': await tokenOf(c) });
}

/** A fully authenticated session of an enrolled user (its second factor passed just now). */
export async function signedInSession(r: Rig) {
  const e = await pendingWithChallenge(r);
  const res = await e.c.post('/2fa/challenge/answer', { code: e.code() });
  expect(res.status).toBe(200);
  return e;
}

/** Past the audiences' default `stepUpSeconds` (600): the last second factor is stale. */
export function staleStepUp(r: Rig): void {
  r.clock.advance(601_000);
}

/** `POST /step-up` then the factor's code: the session has a recent second factor again. */
export async function stepUp(c: Client, code: () => string): Promise<Response> {
  const begun = await c.post('/2fa/step-up', {});
  expect(begun.status).toBe(201);
  const res = await c.post('/2fa/step-up/answer', { code: code() });
  expect(res.status).toBe(200);
  return res;
}
