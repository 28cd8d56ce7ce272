/**
 * The provider against the offline YubiCloud through a real TwoFactorService (createHarness):
 * real OTPs from software keys, real HTTP on loopback, the server's replay state and scripted
 * faults. Each test names the requirement it attacks (docs/SECURITY.md, YK rows).
 */
import { FactorkitError } from '@factorkit/core';
import { testUser } from '@factorkit/core/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SoftwareYubikey } from '../src/testing/index.js';
import { enroll, harness, outcomeOf, startRig, type Rig } from './helpers.js';

let rig: Rig;
beforeAll(async () => {
  rig = await startRig();
});
afterAll(async () => rig.cloud.close());
beforeEach(() => {
  rig.cloud.fault = null;
});

async function challenge(
  h: ReturnType<typeof harness>,
  user: ReturnType<typeof testUser>,
  otp: unknown,
) {
  const ch = await h.service.beginChallenge(user);
  return outcomeOf(h.service.completeChallenge(ch.challengeId, user, otp));
}

describe('sign-in with a YubiKey', () => {
  it('YK-07: a good OTP signs in once; the same OTP again is CODE_ALREADY_USED, counted and audited', async () => {
    const h = harness(rig.settings);
    const key = rig.newKey();
    const { user } = await enroll(h, key);
    const otp = key.press();
    expect(await challenge(h, user, otp)).toBe('SUCCESS');
    expect(h.audit.ofType('verified')).toHaveLength(1);
    const before = (await h.service.throttleStatus(user)).failures;
    expect(await challenge(h, user, otp)).toBe('CODE_ALREADY_USED');
    expect((await h.service.throttleStatus(user)).failures).toBe(before + 1);
    expect(h.audit.ofType('replay.rejected')).toHaveLength(1);
  });

  it('YK-07: the OTP that confirmed activation does not sign in', async () => {
    const h = harness(rig.settings);
    const key = rig.newKey();
    const user = testUser();
    const started = await h.service.beginActivation(user, 'yubikey');
    const first = key.press();
    await h.service.completeActivation(started.activationId, user, first);
    expect(await challenge(h, user, first)).toBe('CODE_ALREADY_USED');
  });

  it('YK-07: a server that lost its state says OK to old OTPs, and core still refuses them', async () => {
    const h = harness(rig.settings);
    const key = rig.newKey();
    const { user } = await enroll(h, key);
    const older = key.press(); // never sent
    const used = key.press();
    expect(await challenge(h, user, used)).toBe('SUCCESS');
    rig.cloud.fault = 'lose-state';
    expect(await challenge(h, user, used)).toBe('CODE_ALREADY_USED');
    expect(await challenge(h, user, older)).toBe('CODE_ALREADY_USED');
    // The server did say OK both times: only core's counter refused them.
    expect(await challenge(h, user, key.press())).toBe('SUCCESS');
  });

  it('YK-07: after a replug (usage counter + 1, session counter 0) the new OTP is accepted', async () => {
    const h = harness(rig.settings);
    const key = rig.newKey();
    const { user } = await enroll(h, key);
    for (let i = 0; i < 3; i++) expect(await challenge(h, user, key.press())).toBe('SUCCESS');
    key.replug();
    expect(key.counters.use).toBe(0);
    expect(await challenge(h, user, key.press())).toBe('SUCCESS');
  });

  it('YK-02: a genuine OTP of another YubiKey is refused before any network call, and counted', async () => {
    const h = harness(rig.settings);
    const { user } = await enroll(h, rig.newKey());
    const attackers = rig.newKey();
    const calls = rig.cloud.requests;
    const before = (await h.service.throttleStatus(user)).failures;
    expect(await challenge(h, user, attackers.press())).toBe('INVALID_CODE');
    expect(rig.cloud.requests).toBe(calls);
    expect((await h.service.throttleStatus(user)).failures).toBe(before + 1);
  });

  it('YK-02: a prefix of the bound public id, or an OTP without one, is refused before the network', async () => {
    const h = harness(rig.settings);
    const key = rig.newKey();
    const { user } = await enroll(h, key);
    const calls = rig.cloud.requests;
    const token = key.press().slice(-32);
    expect(await challenge(h, user, key.publicId.slice(0, 10) + token)).toBe('INVALID_CODE');
    expect(await challenge(h, user, token)).toBe('INVALID_CODE');
    expect(rig.cloud.requests).toBe(calls);
  });

  it.each([
    ['empty', ''],
    ['null', null],
    ['a number', 123],
    ['an object', { otp: 'x' }],
    ['31 characters', 'c'.repeat(31)],
    ['49 characters', 'c'.repeat(49)],
    ['non-modhex', 'cccccccccccca'.padEnd(44, 'c')],
    ['a query injection', 'cccccccccccc'.padEnd(40, 'c') + '&id=1'],
    ['a status-line injection', 'cccccccccccc'.padEnd(40, 'c') + '%0astatus=OK'],
    ['SQL', "cccccccccccc' OR '1'='1".padEnd(44, 'c')],
    ['one megabyte', 'c'.repeat(1 << 20)],
  ])('YK-01: %s is INVALID_FORMAT with no network call', async (_name, input) => {
    const h = harness(rig.settings);
    const { user } = await enroll(h, rig.newKey());
    const calls = rig.cloud.requests;
    expect(await challenge(h, user, input)).toBe('INVALID_FORMAT');
    expect(rig.cloud.requests).toBe(calls);
  });

  it("YK-01: an OTP in upper case with spaces and the YubiKey's Enter is normalised and accepted", async () => {
    const h = harness(rig.settings);
    const key = rig.newKey();
    const { user } = await enroll(h, key);
    expect(await challenge(h, user, `  ${key.press().toUpperCase()}\r\n`)).toBe('SUCCESS');
  });

  it('YK-04: an OTP typed on a Dvorak layout is normalised, so the echo check still matches', async () => {
    const h = harness(rig.settings);
    const key = rig.newKey();
    const { user } = await enroll(h, key);
    const dvorak = [...key.press()].map((c) => 'jxe.uidchtnbpygk'['cbdefghijklnrtuv'.indexOf(c)]);
    expect(await challenge(h, user, dvorak.join(''))).toBe('SUCCESS');
  });

  it('two keys for one user: each challenge is answered only by its own key', async () => {
    const h = harness(rig.settings);
    const a = rig.newKey();
    const b = rig.newKey();
    const { user, enrollmentId: idA } = await enroll(h, a);
    const { enrollmentId: idB } = await enroll(h, b, user);
    const labels = (await h.service.listEnrollments(user)).map((e) => e.label);
    expect(labels.sort()).toEqual([`YubiKey ${a.publicId}`, `YubiKey ${b.publicId}`].sort());
    const onA = await h.service.beginChallenge(user, { enrollmentId: idA });
    expect(await outcomeOf(h.service.completeChallenge(onA.challengeId, user, b.press()))).toBe(
      'INVALID_CODE',
    );
    expect(await outcomeOf(h.service.completeChallenge(onA.challengeId, user, a.press()))).toBe(
      'SUCCESS',
    );
    const onB = await h.service.beginChallenge(user, { enrollmentId: idB });
    expect(await outcomeOf(h.service.completeChallenge(onB.challengeId, user, b.press()))).toBe(
      'SUCCESS',
    );
  });
});

describe('activation', () => {
  it('YK-13: an OTP the validation server refuses (unknown key) enrolls nothing', async () => {
    const h = harness(rig.settings);
    const user = testUser();
    const stranger = new SoftwareYubikey(); // never given to the cloud
    const started = await h.service.beginActivation(user, 'yubikey');
    expect(
      await outcomeOf(h.service.completeActivation(started.activationId, user, stranger.press())),
    ).toBe('INVALID_CODE');
    expect(await h.service.listEnrollments(user)).toEqual([]);
  });

  it('YK-13: a key reprogrammed with another AES secret (same public id) enrolls nothing', async () => {
    const h = harness(rig.settings);
    const key = rig.newKey();
    const reprogrammed = new SoftwareYubikey({ publicId: key.publicId, privateId: key.privateId });
    const user = testUser();
    const started = await h.service.beginActivation(user, 'yubikey');
    expect(
      await outcomeOf(
        h.service.completeActivation(started.activationId, user, reprogrammed.press()),
      ),
    ).toBe('INVALID_CODE');
    expect(await h.service.listEnrollments(user)).toEqual([]);
  });
});

describe('a validation server that lies or breaks', () => {
  it.each([
    ['wrong-signature', 'YK-03'],
    ['wrong-nonce', 'YK-04'],
    ['other-otp', 'YK-04'],
  ] as const)('%s: %s — a signed OK is PROVIDER_ERROR, never a success', async (fault, _id) => {
    const h = harness(rig.settings);
    const key = rig.newKey();
    const { user } = await enroll(h, key);
    rig.cloud.fault = fault;
    expect(await challenge(h, user, key.press())).toBe('PROVIDER_ERROR');
  });

  it('YK-03: an early error signed with the empty key (unknown client) is PROVIDER_ERROR', async () => {
    const h = harness({ ...rig.settings, clientId: '99' });
    const user = testUser();
    const started = await h.service.beginActivation(user, 'yubikey');
    expect(
      await outcomeOf(
        h.service.completeActivation(started.activationId, user, rig.newKey().press()),
      ),
    ).toBe('PROVIDER_ERROR');
  });

  it.each([
    ['BAD_OTP', 'INVALID_CODE'],
    ['REPLAYED_OTP', 'INVALID_CODE'],
    ['BAD_SIGNATURE', 'PROVIDER_ERROR'],
    ['MISSING_PARAMETER', 'PROVIDER_ERROR'],
    ['NO_SUCH_CLIENT', 'PROVIDER_ERROR'],
    ['OPERATION_NOT_ALLOWED', 'PROVIDER_ERROR'],
    ['REPLAYED_REQUEST', 'PROVIDER_ERROR'],
    ['DELAYED_OTP', 'PROVIDER_ERROR'],
    ['ok', 'PROVIDER_ERROR'],
    ['FOO', 'PROVIDER_ERROR'],
    ['OK', 'PROVIDER_ERROR'], // an OK without the signed session counters
    ['BACKEND_ERROR', 'PROVIDER_UNAVAILABLE'],
    ['NOT_ENOUGH_ANSWERS', 'PROVIDER_UNAVAILABLE'],
  ])(
    'YK-06: a correctly signed %s is %s, counted only when it is the answer that is wrong',
    async (status, expected) => {
      const h = harness(rig.settings);
      const key = rig.newKey();
      const { user } = await enroll(h, key);
      rig.cloud.fault = { status };
      const before = (await h.service.throttleStatus(user)).failures;
      expect(await challenge(h, user, key.press())).toBe(expected);
      // Only BAD_OTP and REPLAYED_OTP speak of the user's answer; the rest are the service's.
      const counted = status === 'BAD_OTP' || status === 'REPLAYED_OTP';
      expect((await h.service.throttleStatus(user)).failures).toBe(before + (counted ? 1 : 0));
    },
  );

  it.each(['down', 'hang', 'http500'] as const)(
    'YK-10: %s is PROVIDER_UNAVAILABLE within the deadline, not counted',
    async (fault) => {
      const h = harness(rig.settings);
      const key = rig.newKey();
      const { user } = await enroll(h, key);
      rig.cloud.fault = fault;
      const before = (await h.service.throttleStatus(user)).failures;
      const started = performance.now();
      expect(await challenge(h, user, key.press())).toBe('PROVIDER_UNAVAILABLE');
      expect(performance.now() - started).toBeLessThan(1000 + 1000);
      expect((await h.service.throttleStatus(user)).failures).toBe(before);
    },
  );

  it('YK-10: failmode is closed by default; open only for the audience that names it', async () => {
    const failOpenPossible = async (settings: Record<string, unknown>, audience: string) => {
      const h = harness(settings);
      const key = rig.newKey();
      const { user } = await enroll(h, key, testUser({ audience }));
      rig.cloud.fault = 'down';
      const ch = await h.service.beginChallenge(user);
      try {
        await h.service.completeChallenge(ch.challengeId, user, key.press());
      } catch (err) {
        rig.cloud.fault = null;
        if (err instanceof FactorkitError && err.code === 'PROVIDER_UNAVAILABLE')
          return (err.details as { failOpenPossible?: boolean }).failOpenPossible;
        throw err;
      }
      throw new Error('expected PROVIDER_UNAVAILABLE');
    };
    expect(await failOpenPossible(rig.settings, 'client')).toBe(false);
    expect(
      await failOpenPossible({ ...rig.settings, failmode: { client: 'open' } }, 'client'),
    ).toBe(true);
    expect(await failOpenPossible({ ...rig.settings, failmode: { '*': 'open' } }, 'admin')).toBe(
      false,
    );
  });
});
