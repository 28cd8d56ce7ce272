/**
 * One in-process TwoFactorService (TOTP) on given stores, with a clock the test sets, plus the
 * small helpers the fault tests share: enroll a user, run a call and read its outcome.
 */
import {
  FactorkitError,
  ProviderRegistry,
  TwoFactorService,
  loadDeploymentConfig,
  type ActivationCompleted,
  type ActivationStarted,
  type FactorkitStores,
  type QrEnrollmentPrompt,
} from '@factorkit/core';
import { FakeClock } from '@factorkit/core/testing';
import { TotpProvider } from '@factorkit/provider-totp';
import { encryptionKey, totpCode } from '../multi-instance/rig.js';

export const STEP = 30_000;
/** Five seconds into a 30 s step. */
export const T0 = Math.floor(Date.UTC(2026, 5, 1, 12) / STEP) * STEP + 5_000;

export interface Rig {
  readonly service: TwoFactorService;
  readonly clock: FakeClock;
}

/** The key ring: one random key by default; a rotation test gives its own (old and new). */
export interface Ring {
  readonly activeKeyId: string;
  readonly keys: Readonly<Record<string, string>>;
}

export function serviceOn(
  stores: FactorkitStores,
  key = encryptionKey(),
  ring: Ring = { activeKeyId: 'k1', keys: { k1: key } },
): Rig {
  const clock = new FakeClock(T0);
  const registry = new ProviderRegistry({ clock });
  registry.register(TotpProvider);
  const config = loadDeploymentConfig(
    {
      providers: { totp: { enabled: true, settings: { issuer: 'factorkit fault test' } } },
      policy: {
        throttle: { maxFailures: 5, freeFailures: 5, lockSeconds: 900, permanentLockAfter: 100 },
        pending: { ttlSeconds: 300, maxAttempts: 5 },
      },
      encryption: { activeKeyId: ring.activeKeyId, keys: { ...ring.keys } },
    },
    registry,
  );
  return { service: new TwoFactorService({ registry, config, stores }), clock };
}

let seq = 0;
export const newUser = (tag: string) => ({
  id: `fault-${tag}-${process.pid}-${++seq}`,
  audience: 'client',
  username: `${tag}${seq}@example.test`,
});
export type User = ReturnType<typeof newUser>;

export async function enroll(
  rig: Rig,
  user: User,
): Promise<{ uri: string; done: ActivationCompleted }> {
  const started: ActivationStarted = await rig.service.beginActivation(user, 'totp');
  const uri = (started.prompt as QrEnrollmentPrompt).otpauthUri;
  const done = (await rig.service.completeActivation(
    started.activationId,
    user,
    totpCode(uri, rig.clock.now()),
  )) as ActivationCompleted;
  return { uri, done };
}

/** 'ok', or the FactorkitError code the call failed with (anything else is rethrown). */
export async function outcome(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return 'ok';
  } catch (err) {
    if (err instanceof FactorkitError) return err.code;
    throw err;
  }
}

/** Retries while the store reports STORE_UNAVAILABLE (a pool reconnecting after a restart). */
export async function retryWhileUnavailable<T>(call: () => Promise<T>): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await call();
    } catch (err) {
      if ((err as { code?: string }).code !== 'STORE_UNAVAILABLE' || i >= 50) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
