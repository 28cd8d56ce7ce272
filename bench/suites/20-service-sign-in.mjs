// What factorkit's service adds around one TOTP check, memory stores: a whole sign-in step
// (beginChallenge + completeChallenge with a wrong code: throttle reserve, atomic pending take,
// enrollment open, provider verify, audit, pending restore) against the provider's verify alone.
import { ProviderRegistry, TwoFactorService } from '@factorkit/core';
import { TotpProvider } from '@factorkit/provider-totp';
import { enrolledUser } from '../lib/sign-in.mjs';

export default {
  id: 'service',
  async run(b) {
    const { h, user, app } = await enrolledUser(undefined);
    h.clock.advance(30_000);
    const right = app.generate({ timestamp: h.clock.now() });
    const wrong = right === '000000' ? '111111' : '000000';

    // The harness's audit sink keeps every event for tests to read, and the fake clock never
    // moves, so nothing expires: measured as is, the heap grows by two events and one abandoned
    // step per iteration and the row measures the garbage collector walking them. A host's sink
    // hands each event on (here: counts it), and its pending steps expire; the abandoned step is
    // dropped below as the expiry sweep would drop it.
    let events = 0;
    const service = new TwoFactorService({
      registry: h.registry,
      config: h.config,
      stores: h.stores,
      audit: { emit: () => void events++ },
    });

    const registry = new ProviderRegistry({ clock: h.clock });
    registry.register(TotpProvider);
    const provider = registry.get('totp');
    const ctx = {
      providerId: 'totp',
      config: h.config.providers['totp'].settings,
      audience: 'client',
      constants: {},
    };
    const enrollment = { secret: app.secret.base32, algorithm: 'SHA1', digits: 6, period: 30 };

    let failures = 0;
    await b.compare({
      id: 'service.memory.wrong',
      title: 'beginChallenge + completeChallenge (wrong code), memory stores',
      baseline: {
        label: 'TotpProvider.verify',
        fn: () => provider.verify(ctx, user, enrollment, null, wrong),
      },
      subject: {
        label: 'service step',
        fn: async () => {
          const ch = await service.beginChallenge(user);
          try {
            await service.completeChallenge(ch.challengeId, user, wrong);
          } catch {
            // INVALID_CODE is the expected answer
          }
          await h.stores.pending.take(ch.challengeId, user.id, 'challenge');
          // The policy allows 100 failures; clear them now and then, outside most iterations.
          if (++failures % 50 === 0)
            await h.stores.throttle.reset(`user:${encodeURIComponent(user.id)}`);
        },
      },
      goal: { max: 3 },
    });
  },
};
