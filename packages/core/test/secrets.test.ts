/**
 * Secrets at rest (ASVS 11.3.3 authenticated encryption, 11.3.4 unique nonces, 13.3.4 rotation;
 * SS-02, SS-03, SS-05).
 */
import { describe, expect, it } from 'vitest';
import {
  CryptoRandomSource,
  SecretBox,
  loadDeploymentConfig,
  ProviderRegistry,
  TwoFactorService,
  type EnrollmentRecord,
} from '../src/index.js';
import { testUser } from '../src/testing/index.js';
import { clockHarness } from './support/setup.js';
import { ClockCodeProvider } from './support/clock-code-provider.js';

const random = new CryptoRandomSource();
const key = () => Buffer.from(random.bytes(32));

describe('SecretBox', () => {
  it('round-trips, with a fresh 96-bit IV per encryption', () => {
    const box = new SecretBox({ activeKeyId: 'a', keys: { a: key() } }, random);
    const envelopes = new Set(Array.from({ length: 100 }, () => box.seal('secret', ['u1'])));
    expect(envelopes.size).toBe(100);
    const ivs = new Set([...envelopes].map((e) => e.split('.')[2]));
    expect(ivs.size).toBe(100);
    for (const e of envelopes) expect(box.open(e, ['u1'])).toBe('secret');
  });

  it('SS-03: a ciphertext opened in another context, altered, or under another key fails', () => {
    const box = new SecretBox({ activeKeyId: 'a', keys: { a: key() } }, random);
    const e = box.seal('secret', ['u1', 'totp', 'e1']);
    expect(() => box.open(e, ['u2', 'totp', 'e1'])).toThrow(
      expect.objectContaining({ code: 'SECRET_DECRYPT_FAILED' }),
    );
    expect(() => box.open(e, ['u1', 'totp', 'e2'])).toThrow(
      expect.objectContaining({ code: 'SECRET_DECRYPT_FAILED' }),
    );
    const parts = e.split('.');
    const ct = Buffer.from(parts[3]!, 'base64url');
    ct[0] = ct[0]! ^ 1;
    expect(() =>
      box.open([parts[0], parts[1], parts[2], ct.toString('base64url')].join('.'), [
        'u1',
        'totp',
        'e1',
      ]),
    ).toThrow(expect.objectContaining({ code: 'SECRET_DECRYPT_FAILED' }));
    const other = new SecretBox({ activeKeyId: 'a', keys: { a: key() } }, random);
    expect(() => other.open(e, ['u1', 'totp', 'e1'])).toThrow(
      expect.objectContaining({ code: 'SECRET_DECRYPT_FAILED' }),
    );
    expect(() => other.open('plaintext', [])).toThrow(
      expect.objectContaining({ code: 'SECRET_DECRYPT_FAILED' }),
    );
  });
});

describe('secrets in the service', () => {
  it('SS-02: the store holds no plaintext enrollment or pending secret', async () => {
    const h = clockHarness();
    const user = testUser();
    await h.enroll(user);
    await h.service.beginChallenge(user);
    await h.service.beginActivation(testUser(), 'clock-code');
    const rows = JSON.stringify([
      [
        ...(h.stores.enrollments as unknown as { enrollmentRows: Map<string, unknown> })
          .enrollmentRows,
      ],
      [...(h.stores.pending as unknown as { pendingRows: Map<string, unknown> }).pendingRows],
    ]);
    expect(rows).toContain('fk1.test.');
    expect(rows).not.toContain('enrollment-secret-marker');
    expect(rows).not.toContain('pending-secret-marker');
  });

  it("SS-03: user B's sealed enrollment copied into user A's row does not open", async () => {
    const h = clockHarness();
    const alice = testUser();
    const bob = testUser();
    await h.enroll(alice);
    await h.enroll(bob);
    const rows = (
      h.stores.enrollments as unknown as { enrollmentRows: Map<string, EnrollmentRecord> }
    ).enrollmentRows;
    const a = [...rows.values()].find((r) => r.userId === alice.id)!;
    const b = [...rows.values()].find((r) => r.userId === bob.id)!;
    rows.set(a.id, { ...a, secret: b.secret });
    await expect(h.service.beginChallenge(alice)).rejects.toMatchObject({
      code: 'SECRET_DECRYPT_FAILED',
    });
  });

  it('key rotation re-encrypts every enrollment; the old key can then be dropped', async () => {
    const h = clockHarness();
    const users = [testUser(), testUser(), testUser()];
    for (const u of users) await h.enroll(u);
    const oldKey = h.config.encryption.keys['test']!.toString('base64');
    const newKey = key().toString('base64');
    const registry = new ProviderRegistry({ clock: h.clock }).register(ClockCodeProvider);
    const rotatedConfig = loadDeploymentConfig(
      {
        providers: { 'clock-code': {} },
        encryption: { activeKeyId: 'k2', keys: { test: oldKey, k2: newKey } },
      },
      registry,
    );
    const rotating = new TwoFactorService({ registry, config: rotatedConfig, stores: h.stores });
    expect(await rotating.rotateEncryptionKeys(2)).toEqual({
      rotated: 3,
      unchanged: 0,
      failed: [],
    });
    expect(await rotating.rotateEncryptionKeys()).toEqual({ rotated: 0, unchanged: 3, failed: [] });
    const onlyNew = loadDeploymentConfig(
      { providers: { 'clock-code': {} }, encryption: { activeKeyId: 'k2', keys: { k2: newKey } } },
      registry,
    );
    const after = new TwoFactorService({ registry, config: onlyNew, stores: h.stores });
    for (const u of users) {
      const ch = await after.beginChallenge(u);
      expect((await after.completeChallenge(ch.challengeId, u, h.code())).ok).toBe(true);
    }
    // and with only the old key, nothing opens any more
    const onlyOld = loadDeploymentConfig(
      {
        providers: { 'clock-code': {} },
        encryption: { activeKeyId: 'test', keys: { test: oldKey } },
      },
      registry,
    );
    const stale = new TwoFactorService({ registry, config: onlyOld, stores: h.stores });
    await expect(stale.beginChallenge(users[0]!)).rejects.toMatchObject({
      code: 'SECRET_DECRYPT_FAILED',
    });
  });
});
