/** A running offline YubiCloud, a client of it, and harnesses of the provider pointed at it. */
import { randomBytes } from 'node:crypto';
import { FactorkitError } from '@factorkit/core';
import { createHarness, testUser, type Harness } from '@factorkit/core/testing';
import { OfflineYubiCloud, SoftwareYubikey } from '../src/testing/index.js';
import { YubikeyProvider } from '../src/yubikey-provider.js';

export const CLIENT_ID = '1851';
export const API_KEY = randomBytes(20).toString('base64');

export interface Rig {
  cloud: OfflineYubiCloud;
  settings: Record<string, unknown>;
  /** A software key the cloud knows. */
  newKey(): SoftwareYubikey;
}

export async function startRig(extra: Record<string, unknown> = {}): Promise<Rig> {
  const cloud = new OfflineYubiCloud().addClient(CLIENT_ID, API_KEY);
  const url = await cloud.start();
  return {
    cloud,
    settings: {
      clientId: CLIENT_ID,
      apiKey: API_KEY,
      apiUrls: [url],
      allowInsecureHttpForTests: true,
      requestTimeoutMs: 500,
      deadlineMs: 1000,
      ...extra,
    },
    newKey() {
      const key = new SoftwareYubikey();
      cloud.addKey(key);
      return key;
    },
  };
}

export function harness(
  settings: Record<string, unknown>,
  policy?: Record<string, unknown>,
): Harness {
  return createHarness({
    providers: [YubikeyProvider],
    settings: { yubikey: settings },
    ...(policy ? { policy } : {}),
  });
}

/** Enrolls `key` for a new user (or the given one) with one press. */
export async function enroll(h: Harness, key: SoftwareYubikey, user = testUser()) {
  const started = await h.service.beginActivation(user, 'yubikey');
  const done = await h.service.completeActivation(started.activationId, user, key.press());
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
