/**
 * Challenges of a `statelessChallenge` provider are stored without an AES-GCM envelope (nothing
 * in them is secret), only tagged with an HMAC, and nothing about that can be turned into a way
 * in: the generation cannot be altered nor a row minted or moved (EN-05, SS-03), a plain row on
 * any other step is refused as tampering, such a provider can never store state, and a plain row
 * is never an outage marker.
 */
import { describe, expect, it } from 'vitest';
import { Clock, Provider, type PendingRecord, type TwoFactorUser } from '../src/index.js';
import { createHarness, testUser, type Harness } from '../src/testing/index.js';
import { ClockCodeProvider, codeAt } from './support/clock-code-provider.js';
import { StatelessCodeProvider } from './support/stateless-code-provider.js';

type Rows = Map<string, PendingRecord>;
const rowsOf = (h: Harness) => (h.stores.pending as unknown as { pendingRows: Rows }).pendingRows;

const TAGGED = /^fk0\.[A-Za-z0-9_-]+\.(0|[1-9][0-9]*)\.[A-Za-z0-9_-]{43}$/;

async function enrolled(providerId: string) {
  const h = createHarness({ providers: [ClockCodeProvider, StatelessCodeProvider] });
  const user = testUser();
  const a = await h.service.beginActivation(user, providerId);
  await h.service.completeActivation(a.activationId, user, codeAt(h.clock.now()));
  h.clock.advance(30_000);
  return { h, user };
}

const failures = async (h: Harness, user: TwoFactorUser) =>
  (await h.service.throttleStatus(user)).failures;

describe('statelessChallenge: challenges stored without an envelope', () => {
  it('the step is stored as fk0.<keyId>.<generation>.<mac>, a wrong code keeps it, the right code signs in', async () => {
    const { h, user } = await enrolled('stateless-code');
    const ch = await h.service.beginChallenge(user);
    const payload = rowsOf(h).get(ch.challengeId)!.payload;
    expect(payload).toMatch(TAGGED);
    expect(payload.split('.')[2]).toBe('0');
    await expect(h.service.completeChallenge(ch.challengeId, user, '000000')).rejects.toMatchObject(
      { code: 'INVALID_CODE', details: { retryable: true } },
    );
    expect(rowsOf(h).get(ch.challengeId)).toMatchObject({ payload, attempts: 1 });
    await expect(
      h.service.completeChallenge(ch.challengeId, user, codeAt(h.clock.now())),
    ).resolves.toMatchObject({ ok: true, providerId: 'stateless-code' });
  });

  it("a plain payload on a sealed provider's challenge is refused as tampering, and is no guess", async () => {
    const { h, user } = await enrolled('clock-code');
    const ch = await h.service.beginChallenge(user);
    const row = rowsOf(h).get(ch.challengeId)!;
    expect(row.payload.startsWith('fk1.')).toBe(true);
    rowsOf(h).set(ch.challengeId, { ...row, payload: 'fk0.0' });
    await expect(
      h.service.completeChallenge(ch.challengeId, user, codeAt(h.clock.now())),
    ).rejects.toMatchObject({ code: 'SECRET_DECRYPT_FAILED' });
    expect(await failures(h, user)).toBe(0);
  });

  it('EN-05: a step taken before a removal cannot be put back, nor its generation rewritten to the new one', async () => {
    const { h, user } = await enrolled('stateless-code');
    const other = await h.service.beginActivation(user, 'clock-code');
    await h.service.completeActivation(other.activationId, user, codeAt(h.clock.now()));
    h.clock.advance(30_000);
    const mine = (await h.service.listEnrollments(user)).find(
      (e) => e.providerId === 'stateless-code',
    )!;
    const ch = await h.service.beginChallenge(user, { enrollmentId: mine.id });
    const saved = rowsOf(h).get(ch.challengeId)!;
    const otherId = (await h.service.listEnrollments(user)).find(
      (e) => e.providerId === 'clock-code',
    )!;
    await h.service.removeEnrollment(user, otherId.id);
    // A store writer puts the old row back: its generation is stale.
    rowsOf(h).set(ch.challengeId, saved);
    await expect(
      h.service.completeChallenge(ch.challengeId, user, codeAt(h.clock.now())),
    ).rejects.toMatchObject({ code: 'CHALLENGE_NOT_FOUND' });
    // ... or rewrites the generation to the current one, keeping the tag: the tag no longer holds.
    for (let g = 1; g <= 3; g++) {
      const parts = saved.payload.split('.');
      parts[2] = String(g);
      rowsOf(h).set(ch.challengeId, { ...saved, payload: parts.join('.') });
      await expect(
        h.service.completeChallenge(ch.challengeId, user, codeAt(h.clock.now())),
      ).rejects.toMatchObject({ code: 'SECRET_DECRYPT_FAILED' });
    }
  });

  it('a plain row cannot be minted without the key ring, nor moved to another step', async () => {
    const { h, user } = await enrolled('stateless-code');
    const first = await h.service.beginChallenge(user);
    const firstRow = rowsOf(h).get(first.challengeId)!;
    const keyId = firstRow.payload.split('.')[1];
    const second = await h.service.beginChallenge(user);
    const secondRow = rowsOf(h).get(second.challengeId)!;
    const payloads = [
      `fk0.${keyId}.0.${'A'.repeat(43)}`, // minted: any MAC
      firstRow.payload, // moved from another step of the same user
    ];
    for (const payload of payloads) {
      rowsOf(h).set(second.challengeId, { ...secondRow, payload });
      await expect(
        h.service.completeChallenge(second.challengeId, user, codeAt(h.clock.now())),
      ).rejects.toMatchObject({ code: 'SECRET_DECRYPT_FAILED' });
    }
    expect(await failures(h, user)).toBe(0);
  });

  it('a malformed plain payload is refused', async () => {
    const { h, user } = await enrolled('stateless-code');
    for (const payload of [
      'fk0.',
      'fk0.01',
      'fk0.-1',
      'fk0.1.2',
      'fk0.1e3',
      `fk0.${'9'.repeat(16)}`,
    ]) {
      const ch = await h.service.beginChallenge(user);
      const row = rowsOf(h).get(ch.challengeId)!;
      rowsOf(h).set(ch.challengeId, { ...row, payload });
      await expect(
        h.service.completeChallenge(ch.challengeId, user, codeAt(h.clock.now())),
      ).rejects.toMatchObject({ code: 'SECRET_DECRYPT_FAILED' });
    }
  });

  it('a plain payload is never an activation', async () => {
    const h = createHarness({ providers: [StatelessCodeProvider] });
    const user = testUser();
    const a = await h.service.beginActivation(user, 'stateless-code');
    const row = rowsOf(h).get(a.activationId)!;
    expect(row.payload.startsWith('fk1.')).toBe(true);
    rowsOf(h).set(a.activationId, { ...row, payload: 'fk0.0' });
    await expect(
      h.service.completeActivation(a.activationId, user, codeAt(h.clock.now())),
    ).rejects.toMatchObject({ code: 'SECRET_DECRYPT_FAILED' });
    expect(await h.service.listEnrollments(user)).toHaveLength(0);
  });

  it('a provider that declares it and returns challenge state anyway is a provider error: nothing is stored', async () => {
    const { h, user } = await enrolled('stateless-code');
    (h.registry.get('stateless-code') as StatelessCodeProvider).challengeState = { nonce: 'n' };
    const before = rowsOf(h).size;
    await expect(h.service.beginChallenge(user)).rejects.toMatchObject({ code: 'PROVIDER_ERROR' });
    expect(rowsOf(h).size).toBe(before);
  });

  it('a plain step is not an outage marker: failOpen refuses it', async () => {
    const { h, user } = await enrolled('stateless-code');
    const ch = await h.service.beginChallenge(user);
    await expect(h.service.failOpen(ch.challengeId, user)).rejects.toMatchObject({
      code: 'POLICY_DENIED',
      message: 'Failing open applies only to a challenge that met an outage.',
    });
  });

  it('registration refuses the capability on an out-of-band provider or as a non-boolean', () => {
    @Provider({ inject: [Clock] })
    class PushStateless extends StatelessCodeProvider {
      override readonly id: string = 'push-stateless';
      override readonly capabilities = {
        interactive: false,
        outOfBand: 'push' as const,
        replayCounter: false,
        retryableChallenge: false,
        statelessChallenge: true,
      };
    }
    @Provider({ inject: [Clock] })
    class OddStateless extends StatelessCodeProvider {
      override readonly id: string = 'odd-stateless';
      override readonly capabilities = {
        interactive: true,
        outOfBand: 'none' as const,
        replayCounter: true,
        retryableChallenge: true,
        statelessChallenge: 'yes' as unknown as boolean,
      };
    }
    expect(() => createHarness({ providers: [PushStateless] })).toThrow(/statelessChallenge/);
    expect(() => createHarness({ providers: [OddStateless] })).toThrow(/statelessChallenge/);
  });
});
