/**
 * `counterRegressionMeansClone` (SECURITY.md WA-09): for a provider whose counter is signed by
 * the authenticator over a fresh challenge, a counter that does not move forward is refused as
 * before, but audited `clone.suspected` with the enrollment and notified as `possible-cloned-key`;
 * every other provider keeps `replay.rejected` and `code-reused`.
 */
import { describe, expect, it } from 'vitest';
import { FactorkitError, Provider, type ProviderCapabilities } from '../src/index.js';
import { ProviderRegistry } from '../src/provider/registry.js';
import { FakeClock, testUser } from '../src/testing/index.js';
import type { SecurityNotice } from '../src/index.js';
import { KeyLikeProvider } from './support/key-like-provider.js';
import { clockHarness } from './support/setup.js';

@Provider()
class SignedCounterProvider extends KeyLikeProvider {
  override readonly id: string = 'clock-code';
  override readonly capabilities: ProviderCapabilities = {
    ...new KeyLikeProvider(new FakeClock()).capabilities,
    counterRegressionMeansClone: true,
  };
}

function setup(withFlag: boolean) {
  const notices: SecurityNotice[] = [];
  const h = clockHarness({
    ...(withFlag ? { providers: [SignedCounterProvider] } : {}),
    timeline: { notifier: { send: (n) => void notices.push(n) } },
  });
  return { h, notices };
}

async function replayOnce(h: ReturnType<typeof setup>['h']) {
  const user = testUser();
  await h.enroll(user);
  const code = h.code();
  for (const expected of ['ok', 'CODE_ALREADY_USED']) {
    const ch = await h.service.beginChallenge(user);
    const outcome = await h.service.completeChallenge(ch.challengeId, user, code).then(
      () => 'ok',
      (err: unknown) => (err instanceof FactorkitError ? err.code : 'thrown'),
    );
    expect(outcome).toBe(expected);
  }
  const [enrollment] = await h.stores.enrollments.listByUser(user.id);
  return { user, enrollment: enrollment! };
}

describe('counterRegressionMeansClone', () => {
  it('WA-09: a counter that did not move forward is clone.suspected with the enrollment, and notified', async () => {
    const { h, notices } = setup(true);
    const { user, enrollment } = await replayOnce(h);
    expect(h.audit.ofType('replay.rejected')).toEqual([]);
    expect(h.audit.ofType('clone.suspected')).toMatchObject([
      {
        userId: user.id,
        providerId: 'clock-code',
        enrollmentId: enrollment.id,
        counter: enrollment.counter,
        lastCounter: enrollment.counter,
      },
    ]);
    expect(notices.map((n) => [n.kind, n.enrollmentId])).toEqual([
      ['factor-added', enrollment.id],
      ['possible-cloned-key', enrollment.id],
    ]);
  });

  it('WA-09: without the capability a reused code stays replay.rejected and code-reused', async () => {
    const { h, notices } = setup(false);
    await replayOnce(h);
    expect(h.audit.ofType('clone.suspected')).toEqual([]);
    expect(h.audit.ofType('replay.rejected')).toHaveLength(1);
    expect(notices.map((n) => n.kind)).toEqual(['factor-added', 'code-reused']);
  });

  it('WA-09: a capability value other than a boolean fails registration', () => {
    const bad = new KeyLikeProvider(new FakeClock());
    Object.defineProperty(bad, 'capabilities', {
      value: { ...bad.capabilities, counterRegressionMeansClone: 'yes' },
    });
    expect(() => new ProviderRegistry().register(bad)).toThrow(
      /counterRegressionMeansClone must be a boolean/,
    );
  });
});
