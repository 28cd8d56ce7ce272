/** Deployments with an attestation policy, and registrations whose refusal reason tests read. */
import { FactorkitError } from '@factorkit/core';
import { testUser, type Harness } from '@factorkit/core/testing';
import { vi } from 'vitest';
import type { SoftwareAuthenticator, Tamper, TestAttestationCa } from '../src/testing/index.js';
import type { WebauthnEnrollment } from '../src/enrollment.js';
import { harness, optionsOf } from './helpers.js';

/** The model the tests' allow-list names, and one it does not. */
export const LISTED = '2fc0579f-8113-47ea-b116-bb5a8db9202a';
export const UNLISTED = 'ee882879-721c-4913-9775-3dfcce97072a';
/** U2F keys carry no AAGUID: authData holds zeros. */
export const ZERO_AAGUID = '00000000-0000-0000-0000-000000000000';

/** A deployment that accepts `aaguids` attested under `anchors`. */
export function attestedHarness(anchors: TestAttestationCa[], aaguids = [LISTED]): Harness {
  return harness({
    attestation: { allowedAaguids: aaguids, trustAnchors: anchors.map((ca) => ca.pem) },
  });
}

export interface Registration {
  /** 'SUCCESS', or the error code. */
  outcome: string;
  /** `details.reason` of the error, if any. */
  reason?: unknown;
  /** What the provider handed core to store. */
  enrollment?: WebauthnEnrollment;
  options: Record<string, unknown>;
}

/** Registers `key` for a new user and reports how it went. */
export async function registration(
  h: Harness,
  key: SoftwareAuthenticator,
  t: Tamper = {},
): Promise<Registration> {
  const provider = h.registry.get('webauthn');
  const spy = vi.spyOn(provider, 'completeActivation');
  const user = testUser();
  const started = await h.service.beginActivation(user, 'webauthn');
  const options = optionsOf(started);
  try {
    const done = await h.service.completeActivation(
      started.activationId,
      user,
      key.register(options, t),
    );
    const returned = (await spy.mock.results[0]?.value) as { enrollment?: WebauthnEnrollment };
    return {
      outcome: done.ok === true ? 'SUCCESS' : 'NOT_OK',
      ...(returned.enrollment ? { enrollment: returned.enrollment } : {}),
      options,
    };
  } catch (err) {
    if (!(err instanceof FactorkitError)) throw err;
    return { outcome: err.code, reason: err.details['reason'], options };
  } finally {
    spy.mockRestore();
  }
}
