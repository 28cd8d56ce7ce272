/**
 * Pending state (ASVS 2.3.1 steps in order; 6.6.2 bound to the original request; FL-05,
 * FL-08, DU-01): server-side, bound to the user, single use, consumed atomically.
 */
import { describe, expect, it } from 'vitest';
import { FactorkitError } from '../src/index.js';
import { testUser } from '../src/testing/index.js';
import { clockHarness } from './support/setup.js';

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (err) {
    return (err as FactorkitError).code;
  }
}

describe('pending challenge ids', () => {
  it('an unknown, tampered or malformed id is CHALLENGE_NOT_FOUND and does not touch the real one', async () => {
    const h = clockHarness();
    const user = testUser();
    await h.enroll(user);
    const ch = await h.service.beginChallenge(user);
    const flipped = ch.challengeId.slice(0, -1) + (ch.challengeId.endsWith('A') ? 'B' : 'A');
    for (const bad of [
      flipped,
      'x'.repeat(43),
      '',
      'short',
      ch.challengeId + '=',
      42,
      null,
      { id: ch.challengeId },
      [ch.challengeId],
    ]) {
      expect(await codeOf(h.service.completeChallenge(bad as string, user, h.code()))).toBe(
        'CHALLENGE_NOT_FOUND',
      );
    }
    expect((await h.service.throttleStatus(user)).failures).toBe(0);
    expect((await h.service.completeChallenge(ch.challengeId, user, h.code())).ok).toBe(true);
    expect(h.audit.ofType('pending.rejected').map((e) => e.why)).toEqual(Array(9).fill('unknown'));
  });

  it("a foreign id (another user's challenge) is refused, audited, and not consumed (DU-01)", async () => {
    const h = clockHarness();
    const alice = testUser();
    const mallory = testUser();
    await h.enroll(alice);
    await h.enroll(mallory);
    const ch = await h.service.beginChallenge(alice);
    expect(await codeOf(h.service.completeChallenge(ch.challengeId, mallory, h.code()))).toBe(
      'CHALLENGE_NOT_FOUND',
    );
    expect(h.audit.ofType('pending.rejected')).toEqual([
      expect.objectContaining({ userId: mallory.id, why: 'foreign' }),
    ]);
    expect((await h.service.completeChallenge(ch.challengeId, alice, h.code())).ok).toBe(true);
  });

  it('an expired id is CHALLENGE_EXPIRED (FL-08) and is not counted as a guess', async () => {
    const h = clockHarness({ policy: { pending: { ttlSeconds: 60 } } });
    const user = testUser();
    await h.enroll(user);
    const ch = await h.service.beginChallenge(user);
    h.clock.advance(60_000);
    expect(await codeOf(h.service.completeChallenge(ch.challengeId, user, h.code()))).toBe(
      'CHALLENGE_EXPIRED',
    );
    expect((await h.service.throttleStatus(user)).failures).toBe(0);
  });

  it('a used id is CHALLENGE_NOT_FOUND', async () => {
    const h = clockHarness();
    const user = testUser();
    await h.enroll(user);
    const ch = await h.service.beginChallenge(user);
    await h.service.completeChallenge(ch.challengeId, user, h.code());
    expect(await codeOf(h.service.completeChallenge(ch.challengeId, user, h.code()))).toBe(
      'CHALLENGE_NOT_FOUND',
    );
  });

  it('a wrong answer keeps the challenge for a retry until the attempt limit', async () => {
    const h = clockHarness({ policy: { pending: { maxAttempts: 2 } } });
    const user = testUser();
    await h.enroll(user);
    const ch = await h.service.beginChallenge(user);
    expect(await codeOf(h.service.completeChallenge(ch.challengeId, user, '000000'))).toBe(
      'INVALID_CODE',
    );
    expect(await codeOf(h.service.completeChallenge(ch.challengeId, user, '000000'))).toBe(
      'INVALID_CODE',
    );
    expect(await codeOf(h.service.completeChallenge(ch.challengeId, user, h.code()))).toBe(
      'CHALLENGE_NOT_FOUND',
    );
  });

  it('a challenge whose enrollment was reset in the meantime cannot complete (EN-03)', async () => {
    const h = clockHarness();
    const user = testUser();
    await h.enroll(user);
    const ch = await h.service.beginChallenge(user);
    await h.service.adminReset({ actorId: 'admin', reason: 'lost phone' }, user);
    expect(await codeOf(h.service.completeChallenge(ch.challengeId, user, h.code()))).toBe(
      'CHALLENGE_NOT_FOUND',
    );
  });

  it('challenge ids carry 256 bits from the CSPRNG and never repeat (ASVS 11.5.1)', async () => {
    const h = clockHarness();
    const user = testUser();
    await h.enroll(user);
    const ids = new Set<string>();
    for (let i = 0; i < 200; i++) ids.add((await h.service.beginChallenge(user)).challengeId);
    expect(ids.size).toBe(200);
    for (const id of ids) expect(Buffer.from(id, 'base64url')).toHaveLength(32);
  });
});

describe('pending id handed to providers', () => {
  it('is the same one-time id the host gets back (a redirect provider uses it as OAuth state)', async () => {
    const h = clockHarness();
    const user = testUser();
    const seen: (string | undefined)[] = [];
    const begin = h.provider.beginChallenge.bind(h.provider);
    const verify = h.provider.verify.bind(h.provider);
    h.provider.beginChallenge = async (ctx, ...rest) => {
      seen.push(ctx.pendingId);
      return begin(ctx, ...rest);
    };
    h.provider.verify = async (ctx, ...rest) => {
      seen.push(ctx.pendingId);
      return verify(ctx, ...rest);
    };
    await h.enroll(user);
    const ch = await h.service.beginChallenge(user);
    await h.service.completeChallenge(ch.challengeId, user, h.code());
    expect(seen).toEqual([ch.challengeId, ch.challengeId]);
  });
});

describe('retry on the same challenge, per outcome', () => {
  it('a provider may mark one wrong answer retryable or not, whatever its default', async () => {
    const h = clockHarness();
    const user = testUser();
    await h.enroll(user);
    const ch = await h.service.beginChallenge(user);
    h.provider.behaviour = {
      kind: 'verify-returns',
      value: { ok: false, reason: 'INVALID_CODE', retry: false },
    };
    await expect(h.service.completeChallenge(ch.challengeId, user, '000000')).rejects.toMatchObject(
      {
        code: 'INVALID_CODE',
        details: { retryable: false },
      },
    );
    h.provider.behaviour = { kind: 'normal' };
    await expect(h.service.completeChallenge(ch.challengeId, user, h.code())).rejects.toMatchObject(
      {
        code: 'CHALLENGE_NOT_FOUND',
      },
    );
    Object.defineProperty(h.provider, 'capabilities', {
      value: { ...h.provider.capabilities, retryableChallenge: false },
    });
    const ch2 = await h.service.beginChallenge(user);
    h.provider.behaviour = {
      kind: 'verify-returns',
      value: { ok: false, reason: 'INVALID_CODE', retry: true },
    };
    await expect(
      h.service.completeChallenge(ch2.challengeId, user, '000000'),
    ).rejects.toMatchObject({
      details: { retryable: true },
    });
    h.provider.behaviour = { kind: 'normal' };
    expect((await h.service.completeChallenge(ch2.challengeId, user, h.code())).ok).toBe(true);
  });
});
