// One account looping sign-ins must not be able to push the integration into Duo's rate limit,
// which would look like an outage and could open failmode for everyone (OUT-04,
// invariant 7; ASVS 2.4.1 anti-automation).
import { afterAll, describe, expect, it } from 'vitest';
import { duoHarness, duoUser, startEmulator, legacySettings } from './support/duo-test-kit.js';

const emu = await startEmulator({
  users: [{ username: 'pia', passcodes: ['111111', '222222', '333333'] }],
});
afterAll(() => emu.stop());

describe('legacy preauth calls are capped per user', () => {
  it('OUT-04: after the per-user budget, beginChallenge is refused without calling Duo', async () => {
    const h = duoHarness(legacySettings(emu, { factor: 'passcode' }));
    const user = duoUser('pia');
    const a = await h.service.beginActivation(user, 'duo');
    expect((await h.service.completeActivation(a.activationId, user, '111111')).ok).toBe(true);
    const before = emu.counters.count('/auth/v2/preauth', 'pia');
    const results: string[] = [];
    for (let i = 0; i < 25; i++) {
      results.push(
        await h.service.beginChallenge(user, 'duo').then(
          () => 'ok',
          (e: { code?: string }) => e.code ?? 'error',
        ),
      );
    }
    const ok = results.filter((r) => r === 'ok').length;
    expect(ok).toBe(19); // 20 per window, one spent by the activation
    expect(new Set(results.slice(ok))).toEqual(new Set(['PUSH_RATE_LIMITED']));
    expect(emu.counters.count('/auth/v2/preauth', 'pia') - before).toBe(ok);
  });
});
