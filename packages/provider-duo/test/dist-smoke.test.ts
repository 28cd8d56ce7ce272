// Smoke test of the built output (what ships): dist/ registers with core, signs the reference
// vector, and completes a Universal Prompt sign-in against the emulator.
import { describe, expect, it } from 'vitest';
import { createHarness, FakeClock } from '@factorkit/core/testing';
import * as built from '../dist/index.js';
import { duoUser, followPrompt, startEmulator, universalSettings } from './support/duo-test-kit.js';
import { NODE_V2 } from './vectors.js';

describe('dist smoke', () => {
  it('dist/ signs the Node v2 vector and runs a Universal sign-in end to end', async () => {
    expect(built.authorizationHeader(NODE_V2.ikey, NODE_V2.skey, built.canonicalV2(NODE_V2))).toBe(
      NODE_V2.authorization,
    );
    const emu = await startEmulator();
    try {
      const h = createHarness({
        providers: [built.DuoProvider],
        settings: { duo: universalSettings(emu) },
        clock: new FakeClock(Date.now()),
      });
      const user = duoUser('smoke');
      const a = await h.service.beginActivation(user, 'duo');
      const cb = await followPrompt(emu, (a.prompt as { url: string }).url);
      expect((await h.service.completeActivation(cb['state']!, user, cb)).ok).toBe(true);
      const ch = await h.service.beginChallenge(user, 'duo');
      const cb2 = await followPrompt(emu, (ch.prompt as { url: string }).url);
      expect(await h.service.completeChallenge(cb2['state']!, user, cb2)).toMatchObject({
        ok: true,
        method: 'duo',
      });
    } finally {
      await emu.stop();
    }
  });
});
