/**
 * EN-05 at its edges: steps sealed before steps carried a generation (a rolling upgrade), and
 * sign-in challenges (a removal of another factor while a push is polled or an answer checked).
 */
import { describe, expect, it } from 'vitest';
import { MemoryStore, SecretBox, type PendingKind, type TwoFactorUser } from '../src/index.js';
import { FakeClock, onceBefore, testUser } from '../src/testing/index.js';
import { ClockCodeProvider } from './support/clock-code-provider.js';
import { SecondCodeProvider } from './support/second-code-provider.js';
import { clockHarness, type ClockHarness } from './support/setup.js';

/** Rewrites a stored step as the previous version sealed it: without a generation. */
async function sealWithoutGeneration(
  h: ClockHarness,
  id: string,
  user: TwoFactorUser,
  kind: PendingKind,
) {
  const box = new SecretBox(h.config.encryption, h.registry.random);
  const r = (await h.stores.pending.take(id, user.id, kind))!;
  const context = ['pending', r.id, r.userId, r.providerId, r.kind];
  const { g: _dropped, ...old } = JSON.parse(box.open(r.payload, context)) as Record<
    string,
    unknown
  >;
  expect(_dropped).toBe(0);
  await h.stores.pending.restore({ ...r, payload: box.seal(JSON.stringify(old), context) });
}

const reset = (h: ClockHarness, user: TwoFactorUser) =>
  h.service.adminReset({ actorId: 'admin-1', reason: 'lost device' }, user);

describe('a reset ends steps sealed without a generation', () => {
  it('EN-05: an old-format activation checked across a reset binds nothing', async () => {
    const gate = onceBefore(new MemoryStore(), 'enrollments', 'activate');
    const h = clockHarness({ stores: gate.stores });
    const user = testUser();
    const a = await h.service.beginActivation(user, 'clock-code');
    await sealWithoutGeneration(h, a.activationId, user, 'activation');
    gate.arm(() => reset(h, user));
    await expect(
      h.service.completeActivation(a.activationId, user, h.code()),
    ).rejects.toMatchObject({ code: 'CHALLENGE_NOT_FOUND' });
    expect(await h.service.listEnrollments(user)).toHaveLength(0);
  });

  it('EN-05: an old-format waiting activation put back across a reset is gone', async () => {
    const gate = onceBefore(new MemoryStore(), 'pending', 'restore');
    const h = clockHarness({ stores: gate.stores });
    const user = testUser();
    const a = await h.service.beginActivation(user, 'clock-code');
    h.provider.behaviour = { kind: 'activation-returns', value: { ok: false, reason: 'WAITING' } };
    // The rewrite itself restores: arm the gate only after it.
    await sealWithoutGeneration(h, a.activationId, user, 'activation');
    gate.arm(() => reset(h, user));
    await expect(
      h.service.completeActivation(a.activationId, user, { poll: true }),
    ).rejects.toMatchObject({ code: 'CHALLENGE_NOT_FOUND' });
    h.provider.behaviour = { kind: 'normal' };
    await expect(
      h.service.completeActivation(a.activationId, user, h.code()),
    ).rejects.toMatchObject({ code: 'CHALLENGE_NOT_FOUND' });
    expect(await h.service.listEnrollments(user)).toHaveLength(0);
  });
});

describe('a removal ends sign-in challenges in flight', () => {
  function twoFactors(on: 'restore' | 'advanceCounter') {
    const clock = new FakeClock();
    const gate = onceBefore(new MemoryStore(), on === 'restore' ? 'pending' : 'enrollments', on);
    const h = clockHarness({
      clock,
      stores: gate.stores,
      providers: [ClockCodeProvider, new SecondCodeProvider(clock)],
      policy: { audiences: { client: { force: false, allowUserDisable: true } } },
    });
    return { h, gate };
  }

  async function enrollBoth(h: ClockHarness, user: TwoFactorUser) {
    await h.enroll(user);
    const b = await h.service.beginActivation(user, 'clock-two');
    expect((await h.service.completeActivation(b.activationId, user, h.code())).ok).toBe(true);
    h.clock.advance(30_000);
  }

  it('EN-05: a push poll put back while the user removed another factor ends', async () => {
    const { h, gate } = twoFactors('restore');
    const user = testUser();
    await enrollBoth(h, user);
    const ch = await h.service.beginChallenge(user, 'clock-code');
    h.provider.behaviour = { kind: 'verify-returns', value: { ok: false, reason: 'WAITING' } };
    gate.arm(() => h.service.disable(user, 'clock-two'));
    await expect(
      h.service.completeChallenge(ch.challengeId, user, { poll: true }),
    ).rejects.toMatchObject({ code: 'CHALLENGE_NOT_FOUND' });
    h.provider.behaviour = { kind: 'normal' };
    await expect(h.service.completeChallenge(ch.challengeId, user, h.code())).rejects.toMatchObject(
      { code: 'CHALLENGE_NOT_FOUND' },
    );
    expect(h.audit.ofType('verified')).toHaveLength(0);
  });

  it('EN-05: a right answer being committed while another factor is removed does not sign in, and is not counted', async () => {
    const { h, gate } = twoFactors('advanceCounter');
    const user = testUser();
    await enrollBoth(h, user);
    const ch = await h.service.beginChallenge(user, 'clock-code');
    gate.arm(() => h.service.disable(user, 'clock-two'));
    await expect(h.service.completeChallenge(ch.challengeId, user, h.code())).rejects.toMatchObject(
      { code: 'CHALLENGE_NOT_FOUND' },
    );
    expect(h.audit.ofType('verified')).toHaveLength(0);
    expect((await h.service.throttleStatus(user)).failures).toBe(0);
    // A challenge begun after the removal signs in as usual.
    h.clock.advance(30_000);
    const again = await h.service.beginChallenge(user, 'clock-code');
    expect((await h.service.completeChallenge(again.challengeId, user, h.code())).ok).toBe(true);
  });
});
