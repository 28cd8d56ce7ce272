/**
 * Several enrollments of one provider per user (two authenticator apps): labels, the login
 * chooser, challenges bound to one enrollment, and removal one at a time (SECURITY.md EN-07,
 * EN-08, EN-09, FL-06).
 */
import { describe, expect, it } from 'vitest';
import type { Requirement, TwoFactorUser } from '../src/index.js';
import { createHarness, testUser, type Harness } from '../src/testing/index.js';
import { KeyedCodeProvider, keyedCode } from './support/keyed-code-provider.js';

const STEP = 30_000;

interface Setup extends Harness {
  provider: KeyedCodeProvider;
}

function setup(policy?: Record<string, unknown>, maxEnrollments?: number): Setup {
  const h = createHarness({
    providers: [KeyedCodeProvider],
    ...(policy ? { policy } : {}),
    ...(maxEnrollments === undefined ? {} : { maxEnrollments: { 'keyed-code': maxEnrollments } }),
  });
  return { ...h, provider: h.registry.get('keyed-code') as KeyedCodeProvider };
}

const FORCED = { audiences: { client: { force: true } } };

/** An app: the key it scanned and the enrollment it became. */
interface App {
  key: string;
  enrollmentId: string;
  label: string | null;
}

async function enroll(h: Setup, user: TwoFactorUser, label?: string): Promise<App> {
  const a = await h.service.beginActivation(user, 'keyed-code');
  const key = h.provider.issuedKeys.at(-1)!;
  const code = keyedCode(key, h.clock.now());
  const done = await h.service.completeActivation(
    a.activationId,
    user,
    code,
    undefined,
    label === undefined ? undefined : { label },
  );
  if (done.ok !== true) throw new Error('enrollment did not complete');
  // The activation code seeded this enrollment's counter: sign in from the next step on.
  h.clock.advance(STEP);
  return { key, enrollmentId: done.enrollmentId, label: done.label };
}

async function signInWith(h: Setup, user: TwoFactorUser, app: App) {
  const c = await h.service.beginChallenge(user, { enrollmentId: app.enrollmentId });
  return h.service.completeChallenge(c.challengeId, user, keyedCode(app.key, h.clock.now()));
}

const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: { code?: string }) => e.code ?? 'untyped',
  );

const errorOf = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: { code?: string; message?: string; details?: unknown }) => ({
      code: e.code,
      message: e.message,
      details: e.details,
    }),
  );

describe('two apps of one provider', () => {
  it('EN-09: both enroll with their labels, the chooser lists both oldest first, and each signs in', async () => {
    const h = setup();
    const user = testUser();
    const phone = await enroll(h, user, '  Phone ');
    const tablet = await enroll(h, user, 'Tablet');
    expect([phone.label, tablet.label]).toEqual(['Phone', 'Tablet']);
    const req: Requirement = await h.service.requirement(user);
    expect(req).toEqual({
      action: 'challenge',
      providers: ['keyed-code'],
      factors: [
        { enrollmentId: phone.enrollmentId, providerId: 'keyed-code', label: 'Phone' },
        { enrollmentId: tablet.enrollmentId, providerId: 'keyed-code', label: 'Tablet' },
      ],
      recoveryCodes: 10,
    });
    expect((await signInWith(h, user, phone)).ok).toBe(true);
    expect((await signInWith(h, user, tablet)).ok).toBe(true);
    // A provider id still picks its first (oldest) enrollment.
    const byProvider = await h.service.beginChallenge(user, 'keyed-code');
    expect(byProvider.enrollmentId).toBe(phone.enrollmentId);
    expect((await h.service.beginChallenge(user)).enrollmentId).toBe(phone.enrollmentId);
  });

  it("EN-09: a challenge for one app is answered by that app only: the other app's code is refused and counted", async () => {
    const h = setup();
    const user = testUser();
    const phone = await enroll(h, user, 'Phone');
    const tablet = await enroll(h, user, 'Tablet');
    const c = await h.service.beginChallenge(user, { enrollmentId: phone.enrollmentId });
    expect(c.enrollmentId).toBe(phone.enrollmentId);
    expect(h.audit.ofType('challenge.started').at(-1)).toMatchObject({
      providerId: 'keyed-code',
      enrollmentId: phone.enrollmentId,
    });
    const wrongApp = keyedCode(tablet.key, h.clock.now());
    expect(wrongApp).not.toBe(keyedCode(phone.key, h.clock.now()));
    expect(await codeOf(h.service.completeChallenge(c.challengeId, user, wrongApp))).toBe(
      'INVALID_CODE',
    );
    expect((await h.service.throttleStatus(user)).failures).toBe(1);
    // The right app still answers the same (retryable) challenge.
    const right = keyedCode(phone.key, h.clock.now());
    expect((await h.service.completeChallenge(c.challengeId, user, right)).ok).toBe(true);
    // The tablet's code was never accepted: its counter is untouched and its code still works.
    expect((await h.stores.enrollments.get(tablet.enrollmentId))?.lastUsedAt).toBeNull();
  });

  it('EN-09: replay counters are per enrollment: each app once per step, never twice', async () => {
    const h = setup();
    const user = testUser();
    const phone = await enroll(h, user, 'Phone');
    const tablet = await enroll(h, user, 'Tablet');
    expect((await signInWith(h, user, phone)).ok).toBe(true);
    expect((await signInWith(h, user, tablet)).ok).toBe(true);
    expect(await codeOf(signInWith(h, user, phone))).toBe('CODE_ALREADY_USED');
    expect(await codeOf(signInWith(h, user, tablet))).toBe('CODE_ALREADY_USED');
  });

  it("EN-08: another user's or an unknown enrollment id gets the same answer everywhere and changes nothing", async () => {
    const h = setup({ audiences: { client: { force: false } } });
    const alice = testUser();
    const mallory = testUser();
    const alicesApp = await enroll(h, alice, 'Phone');
    await enroll(h, mallory, 'Mine');
    const foreign = { enrollmentId: alicesApp.enrollmentId };
    const unknown = { enrollmentId: 'no-such-enrollment' };
    for (const calls of [
      (c: { enrollmentId: string }) => h.service.beginChallenge(mallory, c),
      (c: { enrollmentId: string }) => h.service.removeEnrollment(mallory, c.enrollmentId),
      (c: { enrollmentId: string }) =>
        h.service.renameEnrollment(mallory, c.enrollmentId, 'Gotcha'),
    ]) {
      const a = await errorOf(calls(foreign));
      const b = await errorOf(calls(unknown));
      expect(a).toMatchObject({ code: 'NOT_ENROLLED' });
      expect(a).toEqual(b);
    }
    expect(await h.service.listEnrollments(alice)).toMatchObject([
      { id: alicesApp.enrollmentId, label: 'Phone' },
    ]);
    expect(h.audit.events.filter((e) => e.type === 'deactivated')).toHaveLength(0);
  });

  it('EN-08: a foreign enrollment id cannot begin a challenge whose answer signs the attacker in', async () => {
    const h = setup();
    const alice = testUser();
    const mallory = testUser();
    const alicesApp = await enroll(h, alice);
    await enroll(h, mallory);
    expect(
      await codeOf(h.service.beginChallenge(mallory, { enrollmentId: alicesApp.enrollmentId })),
    ).toBe('NOT_ENROLLED');
    expect(await codeOf(h.service.beginChallenge(mallory, { enrollmentId: 42 } as never))).toBe(
      'INVALID_ARGUMENT',
    );
  });
});

describe('removal one at a time', () => {
  it("EN-08: parallel removals of each of a forced user's two factors leave exactly one", async () => {
    const h = setup(FORCED);
    const user = testUser();
    const phone = await enroll(h, user, 'Phone');
    const tablet = await enroll(h, user, 'Tablet');
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        codeOf(h.service.removeEnrollment(user, (i % 2 ? phone : tablet).enrollmentId)),
      ),
    );
    expect(results.filter((r) => r === 'ok')).toHaveLength(1);
    expect(results.every((r) => ['ok', 'POLICY_DENIED', 'NOT_ENROLLED'].includes(r))).toBe(true);
    expect(await h.service.listEnrollments(user)).toHaveLength(1);
    expect(h.audit.events.filter((e) => e.type === 'deactivated')).toHaveLength(1);
    expect((await h.service.recoveryCodeStatus(user)).remaining).toBe(10);
  });

  it('EN-08: removing one factor keeps the other, ends pending steps and emits deactivated for it', async () => {
    const h = setup(FORCED);
    const user = testUser();
    const phone = await enroll(h, user, 'Phone');
    const tablet = await enroll(h, user, 'Tablet');
    const pendingOnTablet = await h.service.beginChallenge(user, {
      enrollmentId: tablet.enrollmentId,
    });
    await h.service.removeEnrollment(user, phone.enrollmentId);
    expect((await h.service.listEnrollments(user)).map((e) => e.id)).toEqual([tablet.enrollmentId]);
    expect(
      await codeOf(
        h.service.completeChallenge(
          pendingOnTablet.challengeId,
          user,
          keyedCode(tablet.key, h.clock.now()),
        ),
      ),
    ).toBe('CHALLENGE_NOT_FOUND');
    expect(h.audit.ofType('deactivated')).toMatchObject([
      { providerId: 'keyed-code', enrollmentId: phone.enrollmentId, by: 'user' },
    ]);
    // The last one stays while 2FA is forced.
    expect(await codeOf(h.service.removeEnrollment(user, tablet.enrollmentId))).toBe(
      'POLICY_DENIED',
    );
    expect((await signInWith(h, user, tablet)).ok).toBe(true);
  });

  it('FL-06: with requireStepUp, removing a factor needs a recent second factor', async () => {
    const h = setup({ audiences: { client: { requireStepUp: true, stepUpSeconds: 300 } } });
    const user = testUser();
    const phone = await enroll(h, user, 'Phone');
    await enroll(h, user, 'Tablet');
    expect(await codeOf(h.service.removeEnrollment(user, phone.enrollmentId))).toBe(
      'STEP_UP_REQUIRED',
    );
    const stale = { secondFactorAt: h.clock.now() - 301_000 };
    expect(await codeOf(h.service.removeEnrollment(user, phone.enrollmentId, stale))).toBe(
      'STEP_UP_REQUIRED',
    );
    expect(await h.service.listEnrollments(user)).toHaveLength(2);
    const signedIn = await signInWith(h, user, phone);
    if (signedIn.ok !== true) throw new Error('sign-in did not complete');
    await h.service.removeEnrollment(user, phone.enrollmentId, { secondFactorAt: signedIn.at });
    expect(await h.service.listEnrollments(user)).toHaveLength(1);
  });

  it('disable(user, providerId) refuses to guess between two factors of the provider, and works for one', async () => {
    const h = setup();
    const user = testUser();
    const phone = await enroll(h, user, 'Phone');
    await enroll(h, user, 'Tablet');
    const refused = await errorOf(h.service.disable(user, 'keyed-code'));
    expect(refused?.code).toBe('INVALID_ARGUMENT');
    expect(refused?.message).toMatch(/removeEnrollment/);
    expect(await h.service.listEnrollments(user)).toHaveLength(2);
    await h.service.removeEnrollment(user, phone.enrollmentId);
    await h.service.disable(user, 'keyed-code');
    expect(await h.service.listEnrollments(user)).toEqual([]);
  });

  it('the allowUserDisable policy applies to removeEnrollment too', async () => {
    const h = setup({ audiences: { client: { allowUserDisable: false } } });
    const user = testUser();
    const phone = await enroll(h, user);
    await enroll(h, user);
    expect(await codeOf(h.service.removeEnrollment(user, phone.enrollmentId))).toBe(
      'POLICY_DENIED',
    );
    expect(await h.service.listEnrollments(user)).toHaveLength(2);
  });
});

describe('labels', () => {
  const bad: [string, unknown][] = [
    ['empty', ''],
    ['only spaces', '   '],
    ['65 characters', 'x'.repeat(65)],
    ['a bidi override', 'Phone\u202Egpj.exe'],
    ['a line break', 'Phone\nAdmin approved'],
    ['a zero-width space', 'Ph\u200Bone'],
    ['a lone surrogate', 'Phone \uD800'],
    ['not text', 42],
  ];

  it.each(bad)(
    'EN-09: a label with %s is refused before the activation is consumed, not counted',
    async (_what, label) => {
      const h = setup();
      const user = testUser();
      const a = await h.service.beginActivation(user, 'keyed-code');
      const key = h.provider.issuedKeys.at(-1)!;
      const code = keyedCode(key, h.clock.now());
      const refused = await errorOf(
        h.service.completeActivation(a.activationId, user, code, undefined, {
          label: label as string,
        }),
      );
      expect(refused?.code).toBe('INVALID_ARGUMENT');
      if (typeof label === 'string' && label.length > 0)
        expect(refused?.message).not.toContain(label);
      expect((await h.service.throttleStatus(user)).failures).toBe(0);
      // The same activation (the same QR code) still completes.
      const done = await h.service.completeActivation(a.activationId, user, code, undefined, {
        label: 'Phone',
      });
      expect(done).toMatchObject({ ok: true, label: 'Phone' });
    },
  );

  it('64 characters (code points, emoji included) are accepted', async () => {
    const h = setup();
    const user = testUser();
    const label = '📱'.repeat(64);
    expect((await enroll(h, user, label)).label).toBe(label);
  });

  it("a label another of the user's factors has (ignoring case) is refused without burning the activation; defaults are numbered", async () => {
    const h = setup();
    const user = testUser();
    expect((await enroll(h, user)).label).toBe('Keyed code');
    expect((await enroll(h, user)).label).toBe('Keyed code 2');
    const a = await h.service.beginActivation(user, 'keyed-code');
    const code = keyedCode(h.provider.issuedKeys.at(-1)!, h.clock.now());
    const taken = await errorOf(
      h.service.completeActivation(a.activationId, user, code, undefined, { label: 'KEYED code' }),
    );
    expect(taken).toMatchObject({ code: 'INVALID_ARGUMENT', details: { reason: 'label-taken' } });
    const done = await h.service.completeActivation(a.activationId, user, code, undefined, {
      label: 'Spare',
    });
    expect(done).toMatchObject({ ok: true, label: 'Spare' });
    // Another user may use the same name.
    expect((await enroll(h, testUser(), 'Spare')).label).toBe('Spare');
  });

  it('renameEnrollment: checked like an activation label, unique among the user factors, audited without the text', async () => {
    const h = setup();
    const user = testUser();
    const phone = await enroll(h, user, 'Phone');
    const tablet = await enroll(h, user, 'Tablet');
    await h.service.renameEnrollment(user, phone.enrollmentId, ' Old phone ');
    // Renaming a factor to its own name in another case is allowed: no other factor has it.
    await h.service.renameEnrollment(user, tablet.enrollmentId, 'TABLET');
    expect((await h.service.listEnrollments(user)).map((e) => e.label)).toEqual([
      'Old phone',
      'TABLET',
    ]);
    expect(await codeOf(h.service.renameEnrollment(user, tablet.enrollmentId, 'old PHONE'))).toBe(
      'INVALID_ARGUMENT',
    );
    expect(
      await codeOf(h.service.renameEnrollment(user, tablet.enrollmentId, 'Tab\u202Elet')),
    ).toBe('INVALID_ARGUMENT');
    const renamed = h.audit.ofType('enrollment.renamed');
    expect(renamed).toHaveLength(2);
    expect(renamed[0]).toMatchObject({
      providerId: 'keyed-code',
      enrollmentId: phone.enrollmentId,
    });
    expect(JSON.stringify(renamed)).not.toMatch(/phone|tablet/i);
  });
});

describe('the limit per provider', () => {
  it('EN-07: the default limit of a provider declaring multipleEnrollments is 5; the sixth is refused', async () => {
    const h = setup();
    const user = testUser();
    for (let i = 0; i < 5; i++) await enroll(h, user);
    expect(await codeOf(h.service.beginActivation(user, 'keyed-code'))).toBe('ALREADY_ENROLLED');
  });

  it('EN-07: parallel completions of four activations with maxEnrollments 2 bind exactly two', async () => {
    const h = setup(undefined, 2);
    const { service, provider } = h;
    const user = testUser();
    const started = [];
    for (let i = 0; i < 4; i++) {
      started.push({
        a: await service.beginActivation(user, 'keyed-code'),
        key: provider.issuedKeys.at(-1)!,
      });
    }
    const results = await Promise.all(
      started.map(({ a, key }, i) =>
        codeOf(
          service.completeActivation(
            a.activationId,
            user,
            keyedCode(key, h.clock.now()),
            undefined,
            {
              label: `App ${i}`,
            },
          ),
        ),
      ),
    );
    expect(results.filter((r) => r === 'ok')).toHaveLength(2);
    expect(results.filter((r) => r === 'ALREADY_ENROLLED')).toHaveLength(2);
    expect(await service.listEnrollments(user)).toHaveLength(2);
    expect(await codeOf(service.beginActivation(user, 'keyed-code'))).toBe('ALREADY_ENROLLED');
  });
});
