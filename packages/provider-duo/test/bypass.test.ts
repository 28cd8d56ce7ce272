// A Duo "allow" without a second factor is a bypass, on both transports (DA-03, DU-05;
// NIST SP 800-63B-4 §5.1: a session is never at a higher AAL than its authentication).
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  codeOf,
  duoHarness,
  duoUser,
  enrollUniversal,
  followPrompt,
  startEmulator,
  universalSettings,
} from './support/duo-test-kit.js';

const emu = await startEmulator({
  users: [
    { username: 'dora', devices: [{ name: 'iPhone' }] },
    { username: 'erin', devices: [{ name: 'iPhone' }] },
    { username: 'otto', status: 'bypass', devices: [] },
  ],
});
afterAll(() => emu.stop());
afterEach(async () => {
  emu.users.update('dora', { status: 'active' });
  await emu.faults.reset();
});

async function signIn(h: ReturnType<typeof duoHarness>, user: ReturnType<typeof duoUser>) {
  const ch = await h.service.beginChallenge(user, 'duo');
  const cb = await followPrompt(emu, (ch.prompt as { url: string }).url, 'approve');
  return h.service.completeChallenge(cb['state']!, user, cb);
}

describe('Universal Prompt: Duo bypass is not a second factor', () => {
  it('DA-03 parity: an enrolled user later put in bypass status at Duo is refused by default', async () => {
    const h = duoHarness(universalSettings(emu));
    const user = duoUser('dora');
    expect((await enrollUniversal(h, emu, user)).ok).toBe(true);
    emu.users.update('dora', { status: 'bypass' });
    expect(await codeOf(signIn(h, user))).toBe('PROVIDER_DENIED');
    expect(h.audit.ofType('verified')).toHaveLength(0);
  });

  it('with acceptBypass it signs in, recorded as method duo-bypass (never as duo)', async () => {
    const h = duoHarness(universalSettings(emu, { acceptBypass: true }));
    const user = duoUser('erin');
    expect((await enrollUniversal(h, emu, user)).ok).toBe(true);
    emu.users.update('erin', { status: 'bypass' });
    const r = await signIn(h, user);
    expect(r).toMatchObject({ ok: true, method: 'duo-bypass' });
    // AS-05: a bypass proves the password alone, whatever Duo as a whole claims.
    expect(r).toMatchObject({ assurance: { aal: 1, phishingResistant: false }, amr: [] });
    emu.users.update('erin', { status: 'active' });
  });

  it('AS-05: an audience asking for AAL2 refuses a bypass even with acceptBypass, uncounted', async () => {
    const h = duoHarness(universalSettings(emu, { acceptBypass: true }), {
      policy: { audiences: { client: { minAal: 2 } } },
    });
    const user = duoUser('erin');
    expect((await enrollUniversal(h, emu, user)).ok).toBe(true);
    emu.users.update('erin', { status: 'bypass' });
    expect(await codeOf(signIn(h, user))).toBe('POLICY_DENIED');
    expect((await h.service.throttleStatus(user)).failures).toBe(0);
    emu.users.update('erin', { status: 'active' });
    const ok = await signIn(h, user);
    expect(ok).toMatchObject({ ok: true, method: 'duo', assurance: { aal: 2 }, amr: ['mca'] });
  });

  it('a bypass user can never activate (nothing was proven, nothing may be linked), even with acceptBypass', async () => {
    const h = duoHarness(universalSettings(emu, { acceptBypass: true }));
    const user = duoUser('otto');
    expect(await codeOf(enrollUniversal(h, emu, user))).toBe('PROVIDER_DENIED');
    expect(await h.service.listEnrollments(user)).toEqual([]);
  });
});
