// Duo Universal Prompt through core's TwoFactorService against the emulator over real HTTPS.
// Requirements (docs/SECURITY.md): DU-01, DU-02, DU-03, DU-04, DU-05, DU-07, DU-08, DU-09, RP-05,
// CK-03.
import { randomBytes } from 'node:crypto';
import { MemoryStore } from '@factorkit/core';
import { FakeClock, createHarness } from '@factorkit/core/testing';
import { DuoProvider } from '../src/index.js';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  REDIRECT_URL,
  codeOf,
  duoHarness,
  duoUser,
  enrollUniversal,
  followPrompt,
  startEmulator,
  universalSettings,
  type DuoHarness,
} from './support/duo-test-kit.js';

const emu = await startEmulator({
  webSdkApps: [{ name: 'Portal A' }, { name: 'Portal B' }],
  users: [
    { username: 'alice', devices: [{ name: 'iPhone' }] },
    { username: 'bob', devices: [{ name: 'Pixel' }] },
    { username: 'mallory', devices: [{ name: 'Burner' }] },
    { username: 'carol', aliases: ['Carol.Admin@Example.test'], devices: [{ name: 'iPad' }] },
  ],
});
afterAll(() => emu.stop());
afterEach(async () => {
  await emu.faults.reset();
});

const tokenCalls = () => emu.counters.count('/oauth/v1/token');

async function enrolled(name: string, extra: Record<string, unknown> = {}) {
  const h = duoHarness(universalSettings(emu, extra));
  const user = duoUser(name);
  const done = await enrollUniversal(h, emu, user);
  expect(done.ok).toBe(true);
  return { h, user };
}

async function challenge(
  h: DuoHarness,
  user: ReturnType<typeof duoUser>,
  decision: 'approve' | 'deny' = 'approve',
) {
  const ch = await h.service.beginChallenge(user, 'duo');
  expect(ch.prompt.kind).toBe('redirect');
  const url = (ch.prompt as { url: string }).url;
  const cb = await followPrompt(emu, url, decision);
  return { ch, cb, url };
}

describe('Universal Prompt: approve and deny', () => {
  it('activation is one round trip that links the Duo username; sign-in then succeeds (method duo)', async () => {
    const { h, user } = await enrolled('alice');
    const [e] = await h.service.listEnrollments(user);
    expect(e?.providerId).toBe('duo');
    expect(e?.label).toBe('Duo (alice)');
    const { ch, cb } = await challenge(h, user);
    expect(cb['state']).toBe(ch.challengeId);
    const before = tokenCalls();
    const ok = await h.service.completeChallenge(cb['state']!, user, cb);
    expect(ok).toMatchObject({ ok: true, providerId: 'duo', method: 'duo', failOpen: false });
    expect(tokenCalls()).toBe(before + 1);
  });

  it('DU-07a a denied prompt comes back as ?error=access_denied: PROVIDER_DENIED, no token call', async () => {
    const { h, user } = await enrolled('bob');
    const { cb } = await challenge(h, user, 'deny');
    expect(cb['error']).toBe('access_denied');
    const before = tokenCalls();
    expect(await codeOf(h.service.completeChallenge(cb['state']!, user, cb))).toBe(
      'PROVIDER_DENIED',
    );
    expect(tokenCalls()).toBe(before);
    expect((await h.service.throttleStatus(user)).failures).toBe(1);
  });

  it('DU-07a the error_description is never reflected unescaped (HTML and escape sequences)', async () => {
    const { h, user } = await enrolled('alice');
    const ch = await h.service.beginChallenge(user, 'duo');
    const ctx = {
      providerId: 'duo',
      config: h.config.providers['duo']!.settings as never,
      audience: 'client',
      constants: {},
      pendingId: ch.challengeId,
    };
    const out = await h.provider.verify(
      ctx,
      user,
      { username: 'alice' },
      {
        t: 'universal',
        username: 'alice',
        clientId: emu.webSdkApp!.clientId,
        apiHost: emu.apiHost,
        state: ch.challengeId,
      },
      {
        state: ch.challengeId,
        error: 'access_denied',
        error_description: '<script>alert(1)</script>\u001b]8;;http://evil\u0007x\u001b[31m',
      },
    );
    expect(out).toMatchObject({ ok: false, reason: 'DENIED' });
    const detail = (out as { detail: string }).detail;
    expect(detail).not.toContain('<script>');
    expect(detail).not.toContain('\u001b');
    expect(detail).not.toContain('\u0007');
    expect(detail).toContain('&lt;script&gt;');
  });
});

describe('Universal Prompt: state (DU-01, DU-02, DU-09, RP-05)', () => {
  it('DU-01 a callback whose state is not this challenge: STATE_MISMATCH before any token call', async () => {
    const { h, user } = await enrolled('alice');
    const { ch, cb } = await challenge(h, user);
    const before = tokenCalls();
    const forged = { ...cb, state: 'A'.repeat(43) };
    expect(await codeOf(h.service.completeChallenge(ch.challengeId, user, forged))).toBe(
      'STATE_MISMATCH',
    );
    expect(tokenCalls()).toBe(before);
  });

  it('DU-01 a callback without state is refused as malformed, with no token call', async () => {
    const { h, user } = await enrolled('alice');
    const { ch, cb } = await challenge(h, user);
    const before = tokenCalls();
    const { state: _drop, ...noState } = cb;
    expect(await codeOf(h.service.completeChallenge(ch.challengeId, user, noState))).toBe(
      'INVALID_FORMAT',
    );
    expect(tokenCalls()).toBe(before);
  });

  it('DU-01 login CSRF: a foreign state never consumes the real pending login, which still completes', async () => {
    const { h, user: alice } = await enrolled('alice');
    const mallory = duoUser('mallory');
    expect((await enrollUniversal(h, emu, mallory)).ok).toBe(true);
    const attacker = await challenge(h, mallory);
    const victim = await challenge(h, alice);
    const before = tokenCalls();
    // The host passes the callback's state as the challenge id: Mallory's state is not Alice's.
    expect(
      await codeOf(h.service.completeChallenge(attacker.cb['state']!, alice, attacker.cb)),
    ).toBe('CHALLENGE_NOT_FOUND');
    expect(tokenCalls()).toBe(before);
    expect(h.audit.ofType('pending.rejected').at(-1)).toMatchObject({ why: 'foreign' });
    const ok = await h.service.completeChallenge(victim.cb['state']!, alice, victim.cb);
    expect(ok.ok).toBe(true);
  });

  it("DU-01 / FL-05 a callback for another user: Mallory cannot finish Alice's challenge, Alice still can", async () => {
    const { h, user: alice } = await enrolled('alice');
    const mallory = duoUser('mallory');
    await enrollUniversal(h, emu, mallory);
    const { cb } = await challenge(h, alice);
    expect(await codeOf(h.service.completeChallenge(cb['state']!, mallory, cb))).toBe(
      'CHALLENGE_NOT_FOUND',
    );
    expect((await h.service.completeChallenge(cb['state']!, alice, cb)).ok).toBe(true);
  });

  it('DU-01 a state past its lifetime: CHALLENGE_EXPIRED, no token call', async () => {
    const { h, user } = await enrolled('alice');
    const { cb } = await challenge(h, user);
    h.clock.advance(h.config.policy.pending.ttlSeconds * 1000 + 1);
    const before = tokenCalls();
    expect(await codeOf(h.service.completeChallenge(cb['state']!, user, cb))).toBe(
      'CHALLENGE_EXPIRED',
    );
    expect(tokenCalls()).toBe(before);
  });

  it('RP-05a a replayed callback (back button, history): CHALLENGE_NOT_FOUND and no token call', async () => {
    const { h, user } = await enrolled('alice');
    const { cb } = await challenge(h, user);
    expect((await h.service.completeChallenge(cb['state']!, user, cb)).ok).toBe(true);
    const before = tokenCalls();
    expect(await codeOf(h.service.completeChallenge(cb['state']!, user, cb))).toBe(
      'CHALLENGE_NOT_FOUND',
    );
    expect(tokenCalls()).toBe(before);
  });

  it("RP-05b a stolen duo_code in the attacker's own flow: USERNAME_MISMATCH if first, PROVIDER_ERROR (invalid_grant) after", async () => {
    const { h, user: alice } = await enrolled('alice');
    const mallory = duoUser('mallory');
    await enrollUniversal(h, emu, mallory);
    // Attacker redeems Alice's code first, in a flow of their own.
    const victim = await challenge(h, alice);
    const own = await challenge(h, mallory);
    const injected = { duo_code: victim.cb['duo_code']!, state: own.cb['state']! };
    expect(await codeOf(h.service.completeChallenge(own.cb['state']!, mallory, injected))).toBe(
      'USERNAME_MISMATCH',
    );
    // The code is single use: Alice's own callback now fails, closed.
    expect(await codeOf(h.service.completeChallenge(victim.cb['state']!, alice, victim.cb))).toBe(
      'PROVIDER_ERROR',
    );
    // After the victim redeemed it, the attacker gets invalid_grant.
    const v2 = await challenge(h, alice);
    expect((await h.service.completeChallenge(v2.cb['state']!, alice, v2.cb)).ok).toBe(true);
    const own2 = await challenge(h, mallory);
    expect(
      await codeOf(
        h.service.completeChallenge(own2.cb['state']!, mallory, {
          duo_code: v2.cb['duo_code']!,
          state: own2.cb['state']!,
        }),
      ),
    ).toBe('PROVIDER_ERROR');
  });

  it('DU-02 the state is core’s 256-bit one-time id (43 base64url chars), unique per challenge', async () => {
    const { h, user } = await enrolled('alice');
    const seen = new Set<string>();
    for (let i = 0; i < 25; i++) {
      const ch = await h.service.beginChallenge(user, 'duo');
      const url = new URL((ch.prompt as { url: string }).url);
      const request = url.searchParams.get('request')!;
      const claims = JSON.parse(Buffer.from(request.split('.')[1]!, 'base64url').toString()) as {
        state: string;
        redirect_uri: string;
      };
      expect(claims.state).toBe(ch.challengeId);
      expect(claims.state).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(claims.redirect_uri).toBe(REDIRECT_URL);
      seen.add(claims.state);
    }
    expect(seen.size).toBe(25);
  });

  it('DU-09 two parallel callbacks with the same state: exactly one reaches the token endpoint', async () => {
    const { h, user } = await enrolled('alice');
    const { cb } = await challenge(h, user);
    const before = tokenCalls();
    const results = await Promise.allSettled([
      h.service.completeChallenge(cb['state']!, user, cb),
      h.service.completeChallenge(cb['state']!, user, cb),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect((rejected.reason as { code: string }).code).toBe('CHALLENGE_NOT_FOUND');
    expect(tokenCalls()).toBe(before + 1);
  });
});

describe('Universal Prompt: username (DU-03)', () => {
  it('DU-03a preferred_username of another account: USERNAME_MISMATCH, no session', async () => {
    const { h, user } = await enrolled('alice');
    const { cb } = await challenge(h, user);
    await emu.faults.set({ tokenFault: 'wrong_preferred_username' });
    expect(await codeOf(h.service.completeChallenge(cb['state']!, user, cb))).toBe(
      'USERNAME_MISMATCH',
    );
  });

  it('DU-03b an alias login is accepted when the name sent is the alias as stored at Duo', async () => {
    const h = duoHarness(universalSettings(emu, { usernameTemplate: { '*': '{email}' } }));
    const user = duoUser('carol-portal', { email: 'Carol.Admin@Example.test' });
    expect((await enrollUniversal(h, emu, user)).ok).toBe(true);
    const { cb } = await challenge(h, user);
    expect((await h.service.completeChallenge(cb['state']!, user, cb)).ok).toBe(true);
  });

  it('DU-03a Duo lower-casing an alias answer is refused (exact rule); lowercaseUsername opts in', async () => {
    const h = duoHarness(universalSettings(emu, { usernameTemplate: { '*': '{email}' } }));
    const user = duoUser('carol-portal', { email: 'Carol.Admin@Example.test' });
    await enrollUniversal(h, emu, user);
    await emu.faults.set({ aliasLowercase: true });
    const { cb } = await challenge(h, user);
    expect(await codeOf(h.service.completeChallenge(cb['state']!, user, cb))).toBe(
      'USERNAME_MISMATCH',
    );

    const lower = duoHarness(
      universalSettings(emu, { usernameTemplate: { '*': '{email}' }, lowercaseUsername: true }),
    );
    const user2 = duoUser('carol-portal2', { email: 'Carol.Admin@Example.test' });
    expect((await enrollUniversal(lower, emu, user2)).ok).toBe(true);
    const again = await challenge(lower, user2);
    expect((await lower.service.completeChallenge(again.cb['state']!, user2, again.cb)).ok).toBe(
      true,
    );
  });

  it('DU-03c a username with surrounding whitespace or control characters is never sent to Duo', async () => {
    const h = duoHarness(universalSettings(emu));
    const before = emu.counters.count('/oauth/v1/health_check');
    for (const bad of [' alice', 'alice ', 'ali\u0000ce', 'alice\nbob', 'alice|bob']) {
      const user = duoUser('x', { username: bad });
      expect(await codeOf(h.service.beginActivation(user, 'duo'))).toBe('PROVIDER_ERROR');
    }
    expect(emu.counters.count('/oauth/v1/health_check')).toBe(before);
  });
});

describe('Universal Prompt: id_token checks (DU-04, DU-05, DU-07b, CK-03)', () => {
  it.each(['wrong_key', 'wrong_iss', 'wrong_aud', 'alg_hs256', 'expired'] as const)(
    'DU-04 tampered or mis-addressed id_token (%s): PROVIDER_ERROR and the state is consumed',
    async (fault) => {
      const { h, user } = await enrolled('alice');
      const { cb } = await challenge(h, user);
      await emu.faults.set({ tokenFault: fault });
      expect(await codeOf(h.service.completeChallenge(cb['state']!, user, cb))).toBe(
        'PROVIDER_ERROR',
      );
      await emu.faults.reset();
      expect(await codeOf(h.service.completeChallenge(cb['state']!, user, cb))).toBe(
        'CHALLENGE_NOT_FOUND',
      );
    },
  );

  it('DU-05 a valid id_token whose auth_result is deny: PROVIDER_DENIED (the SDK does not check it)', async () => {
    const { h, user } = await enrolled('alice');
    const { cb } = await challenge(h, user);
    await emu.faults.set({ tokenFault: 'auth_result_deny' });
    expect(await codeOf(h.service.completeChallenge(cb['state']!, user, cb))).toBe(
      'PROVIDER_DENIED',
    );
  });

  it('DU-07b an expired code (invalid_grant): PROVIDER_ERROR, not an outage', async () => {
    const { h, user } = await enrolled('alice');
    const { cb } = await challenge(h, user);
    await emu.faults.set({ clockSkewSec: 120 }); // past the emulator's 60 s code lifetime
    expect(await codeOf(h.service.completeChallenge(cb['state']!, user, cb))).toBe(
      'PROVIDER_ERROR',
    );
  });

  it.each(['html', 'empty', 'truncated_json'] as const)(
    'DU-07b the token endpoint answers a %s body: PROVIDER_ERROR (fails closed, no crash)',
    async (kind) => {
      const { h, user } = await enrolled('alice');
      const { cb } = await challenge(h, user);
      await emu.faults.set({ malformedBody: kind, endpoints: ['/oauth/v1/token'] });
      expect(await codeOf(h.service.completeChallenge(cb['state']!, user, cb))).toBe(
        'PROVIDER_ERROR',
      );
    },
  );

  it('DU-07b / OUT-02 the token endpoint answers 500: PROVIDER_UNAVAILABLE (the only case failmode may apply)', async () => {
    const { h, user } = await enrolled('alice');
    const { cb } = await challenge(h, user);
    await emu.faults.set({ outage: '5xx', endpoints: ['/oauth/v1/token'] });
    expect(await codeOf(h.service.completeChallenge(cb['state']!, user, cb))).toBe(
      'PROVIDER_UNAVAILABLE',
    );
    expect((await h.service.throttleStatus(user)).failures).toBe(0);
  });

  it.each([
    [30, true],
    [-30, true],
    [90, false],
    [-90, false],
  ] as const)('CK-03 Duo clock off by %i s: accepted = %s', async (skew, accepted) => {
    const { h, user } = await enrolled('alice');
    await emu.faults.set({ clockSkewSec: skew });
    const { cb } = await challenge(h, user);
    const p = h.service.completeChallenge(cb['state']!, user, cb);
    if (accepted) expect((await p).ok).toBe(true);
    else expect(await codeOf(p)).toBe('PROVIDER_ERROR');
  });
});

describe('Universal Prompt: redirect URI (DU-06)', () => {
  it('DU-06 redirect_uri comes only from config and is the same at authorize and token (Duo matches it exactly)', async () => {
    const app = emu.apps.createWebSdk({ name: 'Exact redirect', redirectUris: [REDIRECT_URL] });
    const creds = { clientId: app.clientId, clientSecret: app.clientSecret };
    const good = duoHarness(universalSettings(emu, creds));
    const user = duoUser('alice');
    expect((await enrollUniversal(good, emu, user)).ok).toBe(true); // token exchange used the same URI
    const other = duoHarness(
      universalSettings(emu, { ...creds, redirectUrl: 'https://portal.example.test/elsewhere' }),
    );
    const started = await other.service.beginActivation(duoUser('alice'), 'duo');
    await expect(followPrompt(emu, (started.prompt as { url: string }).url)).rejects.toThrow(
      /HTTP 400/,
    );
    // The callback input cannot choose a redirect target: unknown keys are ignored.
    const ch = await good.service.beginChallenge(user, 'duo');
    const cb = await followPrompt(emu, (ch.prompt as { url: string }).url);
    const r = await good.service.completeChallenge(cb['state']!, user, {
      ...cb,
      redirect_uri: 'https://evil.example/',
      returnTo: '//evil.example',
    });
    expect(r.ok).toBe(true);
  });
});

describe('Universal Prompt: integrations (DU-08)', () => {
  it("DU-08 A's state at B's callback (two Duo integrations, one store): aborted, no token call", async () => {
    const appB = emu.apps.list().filter((a) => a.type === 'websdk')[1] as {
      clientId: string;
      clientSecret: string;
    };
    const stores = new MemoryStore();
    const key = randomBytes(32).toString('base64');
    const user = duoUser('alice');
    // Two deployments sharing one store and key, so B can open A's pending record.
    const clock = new FakeClock(Date.now());
    const make = (settings: Record<string, unknown>) =>
      createHarness({
        providers: [DuoProvider],
        settings: { duo: settings },
        stores,
        encryptionKey: key,
        clock,
      });
    const hA = make(universalSettings(emu));
    const hB = make(
      universalSettings(emu, { clientId: appB.clientId, clientSecret: appB.clientSecret }),
    );
    expect(
      (await enrollUniversal({ ...hA, provider: hA.registry.get('duo') as never }, emu, user)).ok,
    ).toBe(true);
    const ch = await hA.service.beginChallenge(user, 'duo');
    const cb = await followPrompt(emu, (ch.prompt as { url: string }).url);
    const before = tokenCalls();
    expect(await codeOf(hB.service.completeChallenge(cb['state']!, user, cb))).toBe(
      'PROVIDER_ERROR',
    );
    expect(tokenCalls()).toBe(before);
  });
});
