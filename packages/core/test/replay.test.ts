/**
 * Replay protection (RFC 6238 §5.2 "MUST NOT accept the second attempt", ASVS 5.0 6.5.1,
 * NIST SP 800-63B-4 §3.1.4.2): core advances a per-enrollment counter with an atomic
 * compare-and-set, so a code (or an older step's code) is accepted once only, across instances.
 */
import { describe, expect, it } from 'vitest';
import { FactorkitError, TwoFactorService } from '../src/index.js';
import { testUser } from '../src/testing/index.js';
import { clockHarness } from './support/setup.js';
import { STEP_MS, codeAt } from './support/clock-code-provider.js';

async function attempt(
  service: TwoFactorService,
  user: ReturnType<typeof testUser>,
  input: string,
): Promise<string> {
  const ch = await service.beginChallenge(user);
  try {
    const r = await service.completeChallenge(ch.challengeId, user, input);
    return r.ok ? 'ok' : 'waiting';
  } catch (err) {
    return (err as FactorkitError).code;
  }
}

describe('replay protection', () => {
  it('RP-02: the code that confirmed activation is refused at the first sign-in', async () => {
    const h = clockHarness();
    const user = testUser();
    const a = await h.service.beginActivation(user, 'clock-code');
    const c = h.code();
    await h.service.completeActivation(a.activationId, user, c);
    expect(await attempt(h.service, user, c)).toBe('CODE_ALREADY_USED');
    expect(h.audit.ofType('replay.rejected')).toHaveLength(1);
  });

  it('RP-01a: an accepted code is refused in a second sign-in within its window', async () => {
    const h = clockHarness();
    const user = testUser();
    await h.enroll(user);
    const c = h.code();
    expect(await attempt(h.service, user, c)).toBe('ok');
    h.clock.advance(STEP_MS - 1); // still inside the window of one step back
    expect(await attempt(h.service, user, c)).toBe('CODE_ALREADY_USED');
  });

  it("RP-01b: after step n is accepted, step n-1's still-valid code is refused", async () => {
    const h = clockHarness();
    const user = testUser();
    await h.enroll(user);
    h.clock.advance(STEP_MS);
    const previous = codeAt(h.clock.now() - STEP_MS);
    expect(await attempt(h.service, user, h.code())).toBe('ok');
    expect(await attempt(h.service, user, previous)).toBe('CODE_ALREADY_USED');
  });

  it('a replay counts as a failed attempt and is audited', async () => {
    const h = clockHarness();
    const user = testUser();
    await h.enroll(user);
    const c = h.code();
    await attempt(h.service, user, c);
    await attempt(h.service, user, c);
    expect((await h.service.throttleStatus(user)).failures).toBe(1);
    expect(h.audit.ofType('failed').map((e) => e.reason)).toEqual(['CODE_ALREADY_USED']);
  });

  it('holds across two service instances sharing one store (CC-01, single process)', async () => {
    const h = clockHarness();
    const second = new TwoFactorService({
      registry: h.registry,
      config: h.config,
      stores: h.stores,
    });
    const user = testUser();
    await h.enroll(user);
    const c = h.code();
    expect(await attempt(h.service, user, c)).toBe('ok');
    expect(await attempt(second, user, c)).toBe('CODE_ALREADY_USED');
  });

  it('CK-04: after the server clock steps backwards, codes for accepted steps stay refused', async () => {
    const h = clockHarness();
    const user = testUser();
    await h.enroll(user);
    h.clock.advance(5 * STEP_MS);
    expect(await attempt(h.service, user, h.code())).toBe('ok');
    h.clock.advance(-3 * STEP_MS);
    expect(await attempt(h.service, user, h.code())).toBe('CODE_ALREADY_USED');
  });

  it('RP-01: a replay ends its challenge and says so (retryable: false), so no page offers it again', async () => {
    const h = clockHarness();
    const user = testUser();
    await h.enroll(user);
    const c = h.code();
    expect(await attempt(h.service, user, c)).toBe('ok');
    const ch = await h.service.beginChallenge(user);
    const refused = await h.service
      .completeChallenge(ch.challengeId, user, c)
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(FactorkitError);
    expect((refused as FactorkitError).code).toBe('CODE_ALREADY_USED');
    expect((refused as FactorkitError).details['retryable']).toBe(false);
    // It is true: the same challenge cannot be answered again, even with the right next code.
    h.clock.advance(STEP_MS);
    const again = await h.service
      .completeChallenge(ch.challengeId, user, h.code())
      .catch((e: unknown) => e);
    expect((again as FactorkitError).code).toBe('CHALLENGE_NOT_FOUND');
  });
});
