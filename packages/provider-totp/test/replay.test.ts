/**
 * Replay across instances: RFC 6238 §5.2 ("The verifier MUST NOT accept the second attempt of the
 * OTP after the successful validation has been issued for the first OTP"), ASVS 6.5.1,
 * RP-01, RP-02, CK-04. Two TwoFactorService instances (separate registries, containers and
 * provider instances) share one MemoryStore, clock and key, as two app processes share a database.
 */
import { FactorkitError } from '@factorkit/core';
import { testUser } from '@factorkit/core/testing';
import { describe, expect, it } from 'vitest';
import { appCode, enrollmentOf, instance, shared } from './helpers.js';

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof FactorkitError) return err.code;
    throw err;
  }
  return 'OK';
}

async function setup() {
  const s = shared();
  const a = instance(s);
  const b = instance(s);
  const user = testUser();
  const started = await a.service.beginActivation(user, 'totp');
  const e = enrollmentOf(started.prompt);
  const done = await a.service.completeActivation(
    started.activationId,
    user,
    appCode(e, s.clock.now()),
  );
  expect(done.ok).toBe(true);
  return { s, a, b, user, e };
}

describe('replay protection across two service instances sharing one store', () => {
  it('RP-02: the code that confirmed activation on A is refused at the first sign-in on B', async () => {
    const { s, b, user, e } = await setup();
    const ch = await b.service.beginChallenge(user);
    expect(
      await codeOf(b.service.completeChallenge(ch.challengeId, user, appCode(e, s.clock.now()))),
    ).toBe('CODE_ALREADY_USED');
  });

  it('RP-01 (a): a code accepted on A is refused on B, and again on A, within its window', async () => {
    const { s, a, b, user, e } = await setup();
    s.clock.advance(30_000);
    const code = appCode(e, s.clock.now());
    const c1 = await a.service.beginChallenge(user);
    const c2 = await b.service.beginChallenge(user);
    const c3 = await a.service.beginChallenge(user);
    expect(await codeOf(a.service.completeChallenge(c1.challengeId, user, code))).toBe('OK');
    expect(await codeOf(b.service.completeChallenge(c2.challengeId, user, code))).toBe(
      'CODE_ALREADY_USED',
    );
    s.clock.advance(35_000); // the next step: the code is still inside the 1-step window
    expect(await codeOf(a.service.completeChallenge(c3.challengeId, user, code))).toBe(
      'CODE_ALREADY_USED',
    );
    expect(b.audit.ofType('replay.rejected')).toHaveLength(1);
    expect(a.audit.ofType('replay.rejected')).toHaveLength(1);
  });

  it('RP-01 (c): another spelling of the accepted code is refused (CODE_ALREADY_USED or INVALID_FORMAT)', async () => {
    const { s, a, b, user, e } = await setup();
    s.clock.advance(30_000);
    const code = appCode(e, s.clock.now());
    const first = await a.service.beginChallenge(user);
    expect(await codeOf(a.service.completeChallenge(first.challengeId, user, code))).toBe('OK');
    const fullWidth = [...code].map((d) => String.fromCharCode(0xff10 + Number(d))).join('');
    const spellings: [unknown, string][] = [
      [` ${code}`, 'CODE_ALREADY_USED'],
      [`${code.slice(0, 3)} ${code.slice(3)}`, 'CODE_ALREADY_USED'],
      [`${code}\n`, 'INVALID_FORMAT'],
      [`\u00a0${code}`, 'INVALID_FORMAT'],
      [fullWidth, 'INVALID_FORMAT'],
      [Number(code), 'INVALID_FORMAT'],
      [[code], 'INVALID_FORMAT'],
    ];
    for (const [spelling, expected] of spellings) {
      const ch = await b.service.beginChallenge(user);
      expect(
        await codeOf(b.service.completeChallenge(ch.challengeId, user, spelling)),
        JSON.stringify(spelling),
      ).toBe(expected);
    }
  });

  it("RP-01 (b): after step n is accepted on A, step n-1's still-in-window code is refused on B", async () => {
    const { s, a, b, user, e } = await setup();
    s.clock.advance(60_000);
    const older = appCode(e, s.clock.now() - 30_000); // step n-1, inside the 1-step window
    const current = appCode(e, s.clock.now());
    expect(older).not.toBe(current);
    const c1 = await a.service.beginChallenge(user);
    expect(await codeOf(a.service.completeChallenge(c1.challengeId, user, current))).toBe('OK');
    const c2 = await b.service.beginChallenge(user);
    expect(await codeOf(b.service.completeChallenge(c2.challengeId, user, older))).toBe(
      'CODE_ALREADY_USED',
    );
  });

  it('control: the next step after an accepted one is accepted on the other instance (no false replay)', async () => {
    const { s, a, b, user, e } = await setup();
    s.clock.advance(30_000);
    const c1 = await a.service.beginChallenge(user);
    expect(
      await codeOf(a.service.completeChallenge(c1.challengeId, user, appCode(e, s.clock.now()))),
    ).toBe('OK');
    s.clock.advance(30_000);
    const c2 = await b.service.beginChallenge(user);
    expect(
      await codeOf(b.service.completeChallenge(c2.challengeId, user, appCode(e, s.clock.now()))),
    ).toBe('OK');
  });

  it('CK-04: after the server clock steps back, codes for steps at or before the accepted one stay refused', async () => {
    const { s, a, b, user, e } = await setup();
    s.clock.advance(10 * 30_000);
    const c1 = await a.service.beginChallenge(user);
    expect(
      await codeOf(a.service.completeChallenge(c1.challengeId, user, appCode(e, s.clock.now()))),
    ).toBe('OK');
    s.clock.advance(-5 * 30_000); // NTP step backwards
    for (const inst of [a, b]) {
      const ch = await inst.service.beginChallenge(user);
      expect(
        await codeOf(
          inst.service.completeChallenge(ch.challengeId, user, appCode(e, s.clock.now())),
        ),
      ).toBe('CODE_ALREADY_USED');
    }
    s.clock.advance(6 * 30_000); // past the accepted step again: works
    const ch = await b.service.beginChallenge(user);
    expect(
      await codeOf(b.service.completeChallenge(ch.challengeId, user, appCode(e, s.clock.now()))),
    ).toBe('OK');
  });

  it('CC-01 (in one process): parallel submissions of one code on both instances succeed exactly once', async () => {
    const { s, a, b, user, e } = await setup();
    s.clock.advance(30_000);
    const code = appCode(e, s.clock.now());
    const challenges = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).service.beginChallenge(user)),
    );
    const results = await Promise.all(
      challenges.map((ch, i) =>
        codeOf((i % 2 ? a : b).service.completeChallenge(ch.challengeId, user, code)),
      ),
    );
    expect(results.filter((r) => r === 'OK')).toHaveLength(1);
    expect(results.filter((r) => r === 'CODE_ALREADY_USED')).toHaveLength(9);
  });
});
