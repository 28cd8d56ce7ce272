/** Harnesses of the WebAuthn provider and a software authenticator for its RP. */
import { FactorkitError, type WebauthnAuthenticationPrompt } from '@factorkit/core';
import { createHarness, testUser, type Harness } from '@factorkit/core/testing';
import {
  SoftwareAuthenticator,
  type AuthenticatorOptions,
  type Tamper,
} from '../src/testing/index.js';
import { WebauthnProvider } from '../src/webauthn-provider.js';

export const RP_ID = 'example.com';
export const ORIGIN = 'https://login.example.com';
export const SETTINGS = { rpId: RP_ID, rpName: 'Example', origins: [ORIGIN] };

export function harness(
  extra: Record<string, unknown> = {},
  policy?: Record<string, unknown>,
): Harness {
  return createHarness({
    providers: [WebauthnProvider],
    settings: { webauthn: { ...SETTINGS, ...extra } },
    ...(policy ? { policy } : {}),
  });
}

export function authenticator(options: Partial<AuthenticatorOptions> = {}): SoftwareAuthenticator {
  return new SoftwareAuthenticator({ rpId: RP_ID, origin: ORIGIN, ...options });
}

type Prompted = { prompt: unknown };
export const optionsOf = (started: Prompted) =>
  (started.prompt as WebauthnAuthenticationPrompt).optionsJSON as { challenge: string } & Record<
    string,
    unknown
  >;

/** Registers `key` for `user` (a new one by default). */
export async function enroll(
  h: Harness,
  key: SoftwareAuthenticator,
  user = testUser(),
  t: Tamper = {},
) {
  const started = await h.service.beginActivation(user, 'webauthn');
  const done = await h.service.completeActivation(
    started.activationId,
    user,
    key.register(optionsOf(started), t),
  );
  if (done.ok !== true) throw new Error('activation did not complete');
  return { user, enrollmentId: done.enrollmentId };
}

/** The error code a call fails with, or 'SUCCESS'. */
export async function outcomeOf(call: Promise<unknown>): Promise<string> {
  try {
    const result = (await call) as { ok?: unknown };
    return result.ok === true ? 'SUCCESS' : 'NOT_OK';
  } catch (err) {
    if (err instanceof FactorkitError) return err.code;
    throw err;
  }
}

/** Starts a challenge for `enrollmentId` and answers it with `key` (tampered with `t`). */
export async function signIn(
  h: Harness,
  key: SoftwareAuthenticator,
  user: ReturnType<typeof testUser>,
  enrollmentId: string,
  t: Tamper = {},
) {
  const started = await h.service.beginChallenge(user, { enrollmentId });
  const answer = key.authenticate(optionsOf(started), t);
  return {
    started,
    answer,
    result: outcomeOf(h.service.completeChallenge(started.challengeId, user, answer)),
  };
}

/** The fields of registration options the tests read. */
export interface RegistrationOptions {
  challenge: string;
  timeout: number;
  rp: unknown;
  attestation: string;
  authenticatorSelection: { residentKey?: string; userVerification?: string };
  pubKeyCredParams: { alg: number }[];
}
export const registrationOptionsOf = (started: Prompted) =>
  optionsOf(started) as unknown as RegistrationOptions;
