/**
 * core's conformance kit against the provider and the offline YubiCloud. One software key
 * answers for every user (the kit presses it once per answer, as a person touches the key);
 * the wrong answer is a well-formed OTP of the same public id under another AES key, so it
 * reaches the server and is refused there (BAD_OTP).
 */
import { describeProviderConformance } from '@factorkit/core/testing';
import { afterAll, describe, it } from 'vitest';
import { SoftwareYubikey } from '../src/testing/index.js';
import { YubikeyProvider } from '../src/yubikey-provider.js';
import { startRig } from './helpers.js';

const rig = await startRig();
afterAll(async () => rig.cloud.close());
const key = rig.newKey();
const impostor = new SoftwareYubikey({ publicId: key.publicId, privateId: key.privateId });

describeProviderConformance(
  'YubiKey provider against the offline YubiCloud',
  {
    provider: YubikeyProvider,
    settings: rig.settings,
    answerActivation: () => key.press(),
    answerChallenge: () => key.press(),
    wrongAnswer: () => impostor.press(),
  },
  { describe, it },
);
