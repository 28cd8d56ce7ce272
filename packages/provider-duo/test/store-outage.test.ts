// OUT-05 and OUT-03 for the Duo provider: a shared store that fails mid-flow never turns
// into an accepted second factor (STORE_UNAVAILABLE, nothing granted), and Duo answering slowly
// is cut at our own deadline.
import { MemoryStore, type FactorkitStores } from '@factorkit/core';
import { FakeClock, createHarness } from '@factorkit/core/testing';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { DuoProvider } from '../src/index.js';
import {
  codeOf,
  duoHarness,
  duoUser,
  enrollUniversal,
  followPrompt,
  legacySettings,
  startEmulator,
  universalSettings,
} from './support/duo-test-kit.js';

const emu = await startEmulator({
  users: [
    { username: 'alice', devices: [{ name: 'iPhone' }], pushAnswer: 'approve' },
    { username: 'dave', devices: [{ name: 'Pixel' }] },
  ],
});
afterAll(() => emu.stop());
afterEach(async () => {
  await emu.faults.reset();
});

/** A memory store whose named operations throw while listed in `failing` (a store outage). */
function faultyStore(failing: Set<string>): FactorkitStores {
  const base = new MemoryStore();
  const wrap = <T extends object>(part: T, name: string): T =>
    new Proxy(part, {
      get(target, prop, receiver) {
        const v = Reflect.get(target, prop, receiver) as unknown;
        if (typeof v !== 'function') return v;
        return (...args: unknown[]) => {
          if (failing.has(`${name}.${String(prop)}`))
            return Promise.reject(new Error('store down'));
          return (v as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  return {
    pending: wrap(base.pending, 'pending'),
    enrollments: wrap(base.enrollments, 'enrollments'),
    throttle: wrap(base.throttle, 'throttle'),
  };
}

function harnessWith(stores: FactorkitStores, settings: Record<string, unknown>) {
  return createHarness({
    providers: [DuoProvider],
    settings: { duo: settings },
    stores,
    clock: new FakeClock(Date.now()),
  });
}

describe('store outage during a Duo sign-in (OUT-05)', () => {
  it('OUT-05 throttle store down: STORE_UNAVAILABLE before any Duo call; the callback still works after', async () => {
    const failing = new Set<string>();
    const h = harnessWith(faultyStore(failing), universalSettings(emu));
    const user = duoUser('alice');
    expect(
      (await enrollUniversal({ ...h, provider: h.registry.get('duo') as DuoProvider }, emu, user))
        .ok,
    ).toBe(true);
    const ch = await h.service.beginChallenge(user, 'duo');
    const cb = await followPrompt(emu, (ch.prompt as { url: string }).url);
    const before = emu.counters.count('/oauth/v1/token');
    failing.add('throttle.reserve');
    expect(await codeOf(h.service.completeChallenge(cb['state']!, user, cb))).toBe(
      'STORE_UNAVAILABLE',
    );
    expect(emu.counters.count('/oauth/v1/token')).toBe(before);
    failing.clear();
    expect((await h.service.completeChallenge(cb['state']!, user, cb)).ok).toBe(true);
  });

  it('OUT-05 store down after Duo said allow: STORE_UNAVAILABLE, never a success', async () => {
    const failing = new Set<string>();
    const h = harnessWith(faultyStore(failing), universalSettings(emu));
    const user = duoUser('alice');
    await enrollUniversal({ ...h, provider: h.registry.get('duo') as DuoProvider }, emu, user);
    const ch = await h.service.beginChallenge(user, 'duo');
    const cb = await followPrompt(emu, (ch.prompt as { url: string }).url);
    failing.add('enrollments.touch');
    expect(await codeOf(h.service.completeChallenge(cb['state']!, user, cb))).toBe(
      'STORE_UNAVAILABLE',
    );
    expect(h.audit.ofType('verified')).toHaveLength(0);
  });

  it('OUT-05 legacy: the push quota lives in the store; store down means no push is sent', async () => {
    const failing = new Set<string>();
    const h = harnessWith(faultyStore(failing), legacySettings(emu, { factor: 'push' }));
    const user = duoUser('alice');
    const a = await h.service.beginActivation(user, 'duo');
    let done;
    for (let i = 0; i < 10 && !done?.ok; i++)
      done = await h.service.completeActivation(a.activationId, user, { poll: true });
    expect(done?.ok).toBe(true);
    const before = emu.counters.count('/auth/v2/auth', 'alice');
    failing.add('throttle.takeQuota');
    expect(await codeOf(h.service.beginChallenge(user, 'duo'))).toBe('STORE_UNAVAILABLE');
    expect(emu.counters.count('/auth/v2/auth', 'alice')).toBe(before);
  });
});

describe('slow Duo is cut at our deadline (OUT-03)', () => {
  it('OUT-03 universal: a 3 s health check is abandoned after healthTimeoutMs (300 ms)', async () => {
    const h = duoHarness(universalSettings(emu, { healthTimeoutMs: 300 }));
    const user = duoUser('alice');
    await enrollUniversal(h, emu, user);
    await emu.faults.set({ latencyMs: 3000 });
    const t0 = Date.now();
    expect(await codeOf(h.service.beginChallenge(user, 'duo'))).toBe('PROVIDER_UNAVAILABLE');
    expect(Date.now() - t0).toBeLessThan(1500);
  });

  it('OUT-03 universal: a slow token endpoint is abandoned after requestTimeoutMs', async () => {
    const h = duoHarness(universalSettings(emu, { requestTimeoutMs: 600 }));
    const user = duoUser('alice');
    await enrollUniversal(h, emu, user);
    const ch = await h.service.beginChallenge(user, 'duo');
    const cb = await followPrompt(emu, (ch.prompt as { url: string }).url);
    await emu.faults.set({ latencyMs: 3000, endpoints: ['/oauth/v1/token'] });
    const t0 = Date.now();
    expect(await codeOf(h.service.completeChallenge(cb['state']!, user, cb))).toBe(
      'PROVIDER_UNAVAILABLE',
    );
    expect(Date.now() - t0).toBeLessThan(1800);
  });

  it('OUT-03 legacy: a slow preauth is abandoned after requestTimeoutMs (600 ms)', async () => {
    const h = duoHarness(legacySettings(emu, { factor: 'push', requestTimeoutMs: 600 }));
    const user = duoUser('alice');
    const a = await h.service.beginActivation(user, 'duo');
    let done;
    for (let i = 0; i < 10 && !done?.ok; i++)
      done = await h.service.completeActivation(a.activationId, user, { poll: true });
    await emu.faults.set({ latencyMs: 3000, endpoints: ['/auth/v2/preauth'] });
    const t0 = Date.now();
    expect(await codeOf(h.service.beginChallenge(user, 'duo'))).toBe('PROVIDER_UNAVAILABLE');
    expect(Date.now() - t0).toBeLessThan(1500);
  });

  it('OUT-03 legacy: a long-polled auth_status that outlasts our deadline is still WAITING, not an outage', async () => {
    const h = duoHarness(legacySettings(emu, { factor: 'push', requestTimeoutMs: 500 }));
    const user = duoUser('dave');
    const a = await h.service.beginActivation(user, 'duo');
    for (const tx of emu.pushes.pending())
      if (tx.username === 'dave') emu.pushes.answer(tx.txid, 'approve');
    let done;
    for (let i = 0; i < 10 && !done?.ok; i++)
      done = await h.service.completeActivation(a.activationId, user, { poll: true });
    expect(done?.ok).toBe(true);
    const ch = await h.service.beginChallenge(user, 'duo');
    await emu.faults.set({ latencyMs: 2000, endpoints: ['/auth/v2/auth_status'] });
    expect(await h.service.completeChallenge(ch.challengeId, user, { poll: true })).toMatchObject({
      waiting: true,
    });
    await emu.faults.reset();
    for (const tx of emu.pushes.pending())
      if (tx.username === 'dave') emu.pushes.answer(tx.txid, 'deny');
  });
});
