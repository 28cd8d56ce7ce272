/**
 * Recovery codes (ASVS 5.0 6.5.1 single use, 6.5.2 stored hashed, 6.5.3 CSPRNG; NIST SP 800-63B-4
 * §4.2.1.1 at least 64 bits, stored hashed; IN-02, RP-03, SS-01, SS-04, EN-03).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  CryptoRandomSource,
  RECOVERY_ALPHABET,
  canonicalRecoveryCode,
  formatRecoveryCode,
  generateRecoveryCode,
  hashRecoveryCode,
  type FactorkitError,
} from '../src/index.js';
import { FakeClock, testUser } from '../src/testing/index.js';
import { ClockCodeProvider } from './support/clock-code-provider.js';
import { clockHarness } from './support/setup.js';

describe('recovery code format', () => {
  it('SS-01: 24 Crockford Base32 characters = 120 bits from the CSPRNG, every symbol reachable', () => {
    const random = new CryptoRandomSource();
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const c = generateRecoveryCode(random);
      expect(c).toMatch(/^[0-9A-HJKMNP-TV-Z]{24}$/);
      for (const ch of c) seen.add(ch);
    }
    expect(seen.size).toBe(32);
    expect(RECOVERY_ALPHABET).toHaveLength(32); // 24 symbols x 5 bits = 120 bits
  });

  it('IN-02: one documented normalisation (case, separators, confusables), then length and alphabet', () => {
    const canonical = '0123456789ABCDEFGHJKMNPQ';
    const shown = formatRecoveryCode(canonical);
    expect(shown).toBe('0123-4567-89AB-CDEF-GHJK-MNPQ');
    for (const typed of [
      shown,
      shown.toLowerCase(),
      shown.replace(/-/g, ' '),
      ` ${shown.replace(/-/g, '_')} `,
      shown.replace('0', 'O').replace('1', 'l'),
    ]) {
      expect(canonicalRecoveryCode(typed)).toBe(canonical);
    }
    for (const bad of [
      canonical.slice(1),
      canonical + '0',
      canonical.replace('A', 'U'),
      canonical.replace('A', 'é'),
      '１２３',
      'x'.repeat(1_000_000),
      null,
      42,
      ['x'],
    ]) {
      expect(canonicalRecoveryCode(bad)).toBeUndefined();
    }
  });

  it('IN-02 (property): normalisation is idempotent and accepts only the 24-symbol shape', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (s) => {
        const c = canonicalRecoveryCode(s);
        if (c !== undefined) {
          expect(c).toMatch(/^[0-9A-HJKMNP-TV-Z]{24}$/);
          expect(canonicalRecoveryCode(c)).toBe(c);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('hashes are salted with the user id', () => {
    expect(hashRecoveryCode('u1', 'A'.repeat(24))).not.toBe(hashRecoveryCode('u2', 'A'.repeat(24)));
    expect(hashRecoveryCode('u1', 'A'.repeat(24))).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('recovery codes in the service', () => {
  it('RP-03: a code works once, then CODE_ALREADY_USED; remaining count and low-count warning', async () => {
    const h = clockHarness({ policy: { recoveryCodes: { count: 5, lowWatermark: 3 } } });
    const user = testUser();
    const codes = await h.enroll(user);
    expect(codes).toHaveLength(5);
    const first = await h.service.useRecoveryCode(user, codes[0]!.toLowerCase());
    expect(first).toMatchObject({
      ok: true,
      method: 'recovery-code',
      recoveryCodesRemaining: 4,
      lowRecoveryCodes: false,
    });
    await expect(h.service.useRecoveryCode(user, codes[0])).rejects.toMatchObject({
      code: 'CODE_ALREADY_USED',
    });
    const second = await h.service.useRecoveryCode(user, codes[1]);
    expect(second).toMatchObject({ recoveryCodesRemaining: 3, lowRecoveryCodes: true });
    expect(h.audit.ofType('recovery.used').map((e) => [e.remaining, e.low])).toEqual([
      [4, false],
      [3, true],
    ]);
  });

  it('SS-04: a code is stored only as a hash, and submitting the stored hash is INVALID_FORMAT', async () => {
    const h = clockHarness();
    const user = testUser();
    const codes = await h.enroll(user);
    const dump = JSON.stringify([
      ...(h.stores.enrollments as unknown as { codes: Map<string, unknown> }).codes,
    ]);
    for (const c of codes) {
      expect(dump).not.toContain(c);
      expect(dump).not.toContain(c.replace(/-/g, ''));
    }
    const storedHash = hashRecoveryCode(user.id, canonicalRecoveryCode(codes[0])!);
    expect(dump).toContain(storedHash);
    await expect(h.service.useRecoveryCode(user, storedHash)).rejects.toMatchObject({
      code: 'INVALID_FORMAT',
    });
  });

  it("another user's code is INVALID_CODE", async () => {
    const h = clockHarness();
    const alice = testUser();
    const bob = testUser();
    const aliceCodes = await h.enroll(alice);
    await h.enroll(bob);
    await expect(h.service.useRecoveryCode(bob, aliceCodes[0])).rejects.toMatchObject({
      code: 'INVALID_CODE',
    });
  });

  it('regenerating revokes the old set at once', async () => {
    const h = clockHarness();
    const user = testUser();
    const old = await h.enroll(user);
    const fresh = await h.service.regenerateRecoveryCodes(user);
    expect(fresh).toHaveLength(10);
    expect(fresh.some((c) => old.includes(c))).toBe(false);
    await expect(h.service.useRecoveryCode(user, old[0])).rejects.toMatchObject({
      code: 'INVALID_CODE',
    });
    expect((await h.service.useRecoveryCode(user, fresh[0])).ok).toBe(true);
    expect(h.audit.ofType('recovery.regenerated')).toHaveLength(1);
  });

  it('a second factor issues no new set and leaves the first set valid', async () => {
    const clock = new FakeClock();
    const second = Object.assign(new ClockCodeProvider(clock), { id: 'clock-code-2' });
    const h = clockHarness({ providers: [ClockCodeProvider, second], clock });
    const user = testUser();
    const codes = await h.enroll(user);
    const a = await h.service.beginActivation(user, 'clock-code-2');
    const done = await h.service.completeActivation(a.activationId, user, h.code());
    expect(done.ok && done.recoveryCodes).toBe(undefined);
    expect(h.audit.ofType('activated').map((e) => e.recoveryCodesIssued)).toEqual([true, false]);
    expect((await h.service.useRecoveryCode(user, codes[0])).recoveryCodesRemaining).toBe(9);
  });

  it('EN-03a, BF-07: no recovery codes without a factor; a use is answered as a wrong code, and counted', async () => {
    const h = clockHarness();
    const user = testUser();
    await expect(h.service.regenerateRecoveryCodes(user)).rejects.toMatchObject({
      code: 'NOT_ENROLLED',
    });
    const enrolled = testUser();
    await h.enroll(enrolled);
    const answers = [];
    for (const who of [user, enrolled]) {
      const err = (await h.service
        .useRecoveryCode(who, 'ABCD-EFGH-JKMN-PQRS-TVWX-YZ01')
        .catch((e: unknown) => e)) as { code: string; message: string; name: string };
      answers.push({ name: err.name, code: err.code, message: err.message });
      expect((await h.service.throttleStatus(who)).failures).toBe(1);
    }
    expect(answers[0]).toEqual(answers[1]);
    expect(answers[0]?.code).toBe('INVALID_CODE');
    expect(h.audit.ofType('recovery.failed').map((e) => e.reason)).toEqual([
      'NOT_ENROLLED',
      'INVALID_CODE',
    ]);
  });

  it('EN-03b: after an admin reset, old recovery codes fail', async () => {
    const h = clockHarness();
    const user = testUser();
    const codes = await h.enroll(user);
    await h.service.adminReset({ actorId: 'admin-7', reason: 'user lost their phone' }, user);
    await h.enroll(user);
    const err = (await h.service
      .useRecoveryCode(user, codes[0])
      .catch((e: unknown) => e)) as FactorkitError;
    expect(err.code).toBe('INVALID_CODE');
  });

  it('IN-02: malformed recovery input is INVALID_FORMAT and counted, with no crash', async () => {
    const h = clockHarness({ policy: { throttle: { maxFailures: 100, freeFailures: 100 } } });
    const user = testUser();
    await h.enroll(user);
    const inputs: unknown[] = [
      undefined,
      null,
      42,
      {},
      [],
      '',
      'a'.repeat(1_000_000),
      '１２３４-５６７８',
      '<script>',
    ];
    for (const bad of inputs)
      await expect(h.service.useRecoveryCode(user, bad)).rejects.toMatchObject({
        code: 'INVALID_FORMAT',
      });
    expect((await h.service.throttleStatus(user)).failures).toBe(inputs.length);
  });
});
