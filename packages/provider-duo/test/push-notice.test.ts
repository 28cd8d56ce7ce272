// BF-05 through core with the real Duo provider against the emulator over HTTPS: pushes the
// user denies, ignores, or that the provider's cap refuses raise one `pushes-unanswered` notice
// (and one `push.unanswered` timeline entry), not one per push.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { SecurityNotice } from '@factorkit/core';
import {
  codeOf,
  duoHarness,
  duoUser,
  enrollLegacy,
  legacySettings,
  pollUntilDone,
  startEmulator,
} from './support/duo-test-kit.js';

const emu = await startEmulator({
  users: [
    { username: 'nora', devices: [{ name: 'Pixel' }], pushAnswer: 'approve' },
    { username: 'otto', devices: [{ name: 'Pixel' }], pushAnswer: 'approve' },
  ],
});
afterAll(() => emu.stop());
afterEach(async () => {
  await emu.faults.reset();
});

async function enrolled(name: string, extra: Record<string, unknown> = {}) {
  const notices: SecurityNotice[] = [];
  const h = duoHarness(legacySettings(emu, { factor: 'push', ...extra }), {
    policy: { throttle: { maxFailures: 50, freeFailures: 50, permanentLockAfter: 100 } },
    timeline: { notifier: { send: (n) => void notices.push(n) } },
  });
  const user = duoUser(name);
  expect((await enrollLegacy(h, user)).ok).toBe(true);
  const pushNotices = () => notices.filter((n) => n.kind === 'pushes-unanswered');
  const signIn = async () => {
    const ch = await h.service.beginChallenge(user, 'duo');
    return pollUntilDone(() => h.service.completeChallenge(ch.challengeId, user, { poll: true }));
  };
  return { h, user, pushNotices, signIn };
}

describe('BF-05 notices with the Duo Auth API', () => {
  it('BF-05: three denied Duo pushes send one pushes-unanswered notice and one timeline entry', async () => {
    const { h, user, pushNotices, signIn } = await enrolled('nora');
    emu.users.update('nora', { pushAnswer: 'deny' });
    try {
      for (let i = 0; i < 3; i++) expect(await codeOf(signIn())).toBe('PROVIDER_DENIED');
      expect(pushNotices()).toEqual([
        expect.objectContaining({ userId: user.id, providerId: 'duo', kind: 'pushes-unanswered' }),
      ]);
      const page = await h.service.securityTimeline(user);
      expect(page.events.filter((e) => e.type === 'push.unanswered')).toHaveLength(1);
    } finally {
      emu.users.update('nora', { pushAnswer: 'approve' });
    }
  });

  it('BF-05: Duo push timeouts notify at the third; the cap (PUSH_RATE_LIMITED) notifies too', async () => {
    const { pushNotices, signIn } = await enrolled('otto', { pushLimit: 2 });
    emu.users.update('otto', { pushAnswer: 'timeout' });
    try {
      expect(await codeOf(signIn())).toBe('CHALLENGE_EXPIRED');
      expect(await codeOf(signIn())).toBe('CHALLENGE_EXPIRED');
      expect(pushNotices()).toHaveLength(0);
      expect(await codeOf(signIn())).toBe('PUSH_RATE_LIMITED');
      expect(pushNotices()).toHaveLength(1);
    } finally {
      emu.users.update('otto', { pushAnswer: 'approve' });
    }
  });
});
