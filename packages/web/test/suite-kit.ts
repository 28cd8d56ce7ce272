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
