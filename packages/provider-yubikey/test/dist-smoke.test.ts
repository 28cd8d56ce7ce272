// Smoke test of the built output (what ships): dist/ registers with core through tsc's decorator
// metadata, and the testing export's software key and offline YubiCloud run a sign-in end to end.
import { randomBytes } from 'node:crypto';
import { createHarness, testUser } from '@factorkit/core/testing';
import { describe, expect, it } from 'vitest';
import * as built from '../dist/index.js';
import * as testing from '../dist/testing/index.js';

describe('dist smoke', () => {
  it('dist/ enrolls a software key and signs in once against the offline YubiCloud', async () => {
    const apiKey = randomBytes(20).toString('base64');
    const key = new testing.SoftwareYubikey();
    const cloud = new testing.OfflineYubiCloud().addClient('7', apiKey).addKey(key);
    const url = await cloud.start();
    try {
      const h = createHarness({
        providers: [built.YubikeyProvider],
        settings: {
          yubikey: { clientId: '7', apiKey, apiUrls: [url], allowInsecureHttpForTests: true },
        },
      });
      const user = testUser();
      const a = await h.service.beginActivation(user, 'yubikey');
      expect((await h.service.completeActivation(a.activationId, user, key.press())).ok).toBe(true);
      const ch = await h.service.beginChallenge(user);
      const otp = key.press();
      expect(await h.service.completeChallenge(ch.challengeId, user, otp)).toMatchObject({
        ok: true,
        method: 'yubikey-otp',
      });
      const again = await h.service.beginChallenge(user);
      await expect(h.service.completeChallenge(again.challengeId, user, otp)).rejects.toMatchObject(
        { code: 'CODE_ALREADY_USED' },
      );
    } finally {
      await cloud.close();
    }
  });
});
