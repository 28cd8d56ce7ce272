/**
 * The plain-object rule (SECURITY.md FL-03, ASVS 16.5.3): a provider answer is a success only when
 * it is a plain object whose own data property `ok` is `true`. A provider that returns its HTTP
 * response by mistake (a fetch Response has `ok === true` for any 200) must not sign anyone in.
 */
import { describe, expect, it } from 'vitest';
import { Provider, type ProviderCapabilities } from '../src/index.js';
import { testUser } from '../src/testing/index.js';
import { ClockCodeProvider } from './support/clock-code-provider.js';
import { clockHarness } from './support/setup.js';

/** Without a replay counter, nothing but the answer itself stands between a bug and a sign-in. */
@Provider()
class CounterlessCode extends ClockCodeProvider {
  override readonly capabilities: ProviderCapabilities = {
    interactive: true,
    outOfBand: 'none',
    replayCounter: false,
    retryableChallenge: true,
  };
}

class Answer {
  ok = true;
  counter = 999_999_999;
  enrollment = { seed: 'x' };
}

const notPlain: [string, () => unknown][] = [
  ['a fetch Response with status 200', () => new Response('{}', { status: 200 })],
  [
    'an object that inherits ok',
    () => Object.create({ ok: true, counter: 999_999_999 }) as unknown,
  ],
  [
    'a getter for ok',
    () => ({
      get ok() {
        return true;
      },
      counter: 999_999_999,
      enrollment: { seed: 'x' },
    }),
  ],
  ['a class instance with an own ok', () => new Answer()],
  [
    'a plain object whose counter is a getter',
    () => ({
      ok: true,
      get counter() {
        return 999_999_999;
      },
    }),
  ],
];

describe('the plain-object rule', () => {
  for (const [what, make] of notPlain) {
    it(`FL-03: verify returning ${what} is PROVIDER_ERROR, and counted`, async () => {
      const h = clockHarness({ providers: [CounterlessCode] });
      const user = testUser();
      await h.enroll(user);
      const ch = await h.service.beginChallenge(user);
      h.provider.behaviour = { kind: 'verify-returns', value: make() };
      await expect(
        h.service.completeChallenge(ch.challengeId, user, h.code()),
      ).rejects.toMatchObject({ code: 'PROVIDER_ERROR' });
      expect(h.audit.ofType('verified')).toHaveLength(0);
      expect((await h.service.throttleStatus(user)).failures).toBe(1);
    });

    it(`FL-03: completeActivation returning ${what} binds nothing`, async () => {
      const h = clockHarness();
      const user = testUser();
      const a = await h.service.beginActivation(user, 'clock-code');
      h.provider.behaviour = { kind: 'activation-returns', value: make() };
      await expect(
        h.service.completeActivation(a.activationId, user, h.code()),
      ).rejects.toMatchObject({ code: 'PROVIDER_ERROR' });
      expect(await h.service.listEnrollments(user)).toHaveLength(0);
      expect(h.audit.ofType('activated')).toHaveLength(0);
    });
  }

  it('FL-03: a plain object with a null prototype and own ok is still read', async () => {
    const h = clockHarness();
    const user = testUser();
    await h.enroll(user);
    const ch = await h.service.beginChallenge(user);
    const answer = Object.assign(Object.create(null) as object, {
      ok: true,
      counter: Math.floor(h.clock.now() / 30_000),
    });
    h.provider.behaviour = { kind: 'verify-returns', value: answer };
    const r = await h.service.completeChallenge(ch.challengeId, user, h.code());
    expect(r.ok).toBe(true);
  });
});
