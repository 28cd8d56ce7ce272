// A wrong legacy passcode may be retried on the same challenge (a redirect may not): counted
// each time against the user's budget (DA-07, BF-01).
import { afterAll, describe, expect, it } from 'vitest';
import {
  codeOf,
  duoHarness,
  duoUser,
  legacySettings,
  startEmulator,
} from './support/duo-test-kit.js';

const emu = await startEmulator({
  users: [{ username: 'quinn', passcodes: ['111111', '222222', '333333'] }],
});
afterAll(() => emu.stop());

describe('legacy passcode retry', () => {
  it('a wrong passcode leaves the challenge open for another, and is counted', async () => {
    const h = duoHarness(legacySettings(emu, { factor: 'passcode' }));
    const user = duoUser('quinn');
    const a = await h.service.beginActivation(user, 'duo');
    expect((await h.service.completeActivation(a.activationId, user, '111111')).ok).toBe(true);
    const ch = await h.service.beginChallenge(user, 'duo');
    expect(await codeOf(h.service.completeChallenge(ch.challengeId, user, '999999'))).toBe(
      'INVALID_CODE',
    );
    expect((await h.service.throttleStatus(user)).failures).toBe(1);
    expect(await h.service.completeChallenge(ch.challengeId, user, '222222')).toMatchObject({
      ok: true,
      method: 'duo-passcode',
    });
    expect((await h.service.throttleStatus(user)).failures).toBe(0);
  });
});
