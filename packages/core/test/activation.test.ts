import { describe, expect, it } from 'vitest';
import { FactorkitError, RECOVERY_CODE_LENGTH } from '../src/index.js';
import { testUser } from '../src/testing/index.js';
import { clockHarness } from './support/setup.js';

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(FactorkitError);
    return (err as FactorkitError).code;
  }
  throw new Error('expected a typed rejection');
}

describe('activation', () => {
  it('enrolls with the right code and issues 10 recovery codes once, on the first factor', async () => {
    const h = clockHarness();
    const user = testUser();
    const started = await h.service.beginActivation(user, 'clock-code');
    expect(started.prompt).toEqual({ kind: 'code-entry', digits: 6 });
    expect(started.activationId).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(started.expiresAt).toBe(h.clock.now() + 300_000);
    const done = await h.service.completeActivation(started.activationId, user, h.code());
    expect(done.ok).toBe(true);
    if (!done.ok) return;
    expect(done.recoveryCodes).toHaveLength(10);
    for (const c of done.recoveryCodes!)
      expect(c.replace(/-/g, '')).toHaveLength(RECOVERY_CODE_LENGTH);
    expect(new Set(done.recoveryCodes).size).toBe(10);
    expect(await h.service.requirement(user)).toEqual({
      action: 'challenge',
      providers: ['clock-code'],
      factors: [{ enrollmentId: done.enrollmentId, providerId: 'clock-code', label: 'Clock code' }],
      recoveryCodes: 10,
    });
    expect((await h.service.listEnrollments(user))[0]).toMatchObject({
      providerId: 'clock-code',
      label: 'Clock code',
      lastUsedAt: null,
    });
  });

  it('refuses a second enrollment with the same provider (ALREADY_ENROLLED)', async () => {
    const h = clockHarness();
    const user = testUser();
    await h.enroll(user);
    expect(await code(h.service.beginActivation(user, 'clock-code'))).toBe('ALREADY_ENROLLED');
  });

  it('refuses a provider not offered to the audience, and an unknown audience', async () => {
    const h = clockHarness({ policy: { audiences: { client: { providers: [] }, admin: {} } } });
    expect(await code(h.service.beginActivation(testUser(), 'clock-code'))).toBe(
      'PROVIDER_NOT_ALLOWED',
    );
    expect(
      await code(h.service.beginActivation(testUser({ audience: 'partner' }), 'clock-code')),
    ).toBe('POLICY_DENIED');
    expect(await code(h.service.beginActivation(testUser({ audience: 'admin' }), 'nope'))).toBe(
      'PROVIDER_NOT_ALLOWED',
    );
  });

  it('lets a wrong code be retried up to the attempt limit, then the activation is gone', async () => {
    const h = clockHarness({ policy: { pending: { maxAttempts: 3 } } });
    const user = testUser();
    const a = await h.service.beginActivation(user, 'clock-code');
    for (let i = 0; i < 3; i++) {
      try {
        await h.service.completeActivation(a.activationId, user, '999999');
        expect.unreachable();
      } catch (err) {
        expect((err as FactorkitError).code).toBe('INVALID_CODE');
        expect((err as FactorkitError).details['retryable']).toBe(i < 2);
      }
    }
    expect(await code(h.service.completeActivation(a.activationId, user, h.code()))).toBe(
      'CHALLENGE_NOT_FOUND',
    );
    expect(await h.service.listEnrollments(user)).toEqual([]);
  });

  it('expires after the pending lifetime and enrolls nothing (EN-01)', async () => {
    const h = clockHarness();
    const user = testUser();
    const a = await h.service.beginActivation(user, 'clock-code');
    h.clock.advance(300_000);
    expect(await code(h.service.completeActivation(a.activationId, user, h.code()))).toBe(
      'CHALLENGE_EXPIRED',
    );
    expect(await h.service.requirement(user)).toEqual({ action: 'skip', reason: 'not-required' });
  });

  it('cannot be completed by another user, nor through the challenge endpoint (FL-05)', async () => {
    const h = clockHarness();
    const alice = testUser();
    const mallory = testUser();
    const a = await h.service.beginActivation(alice, 'clock-code');
    expect(await code(h.service.completeActivation(a.activationId, mallory, h.code()))).toBe(
      'CHALLENGE_NOT_FOUND',
    );
    expect(await code(h.service.completeChallenge(a.activationId, alice, h.code()))).toBe(
      'CHALLENGE_NOT_FOUND',
    );
    expect(await h.service.listEnrollments(mallory)).toEqual([]);
    expect((await h.service.completeActivation(a.activationId, alice, h.code())).ok).toBe(true);
  });

  it('two parallel activations of one provider leave exactly one enrollment (CC-04)', async () => {
    const h = clockHarness();
    const user = testUser();
    const a = await h.service.beginActivation(user, 'clock-code');
    const b = await h.service.beginActivation(user, 'clock-code');
    const results = await Promise.allSettled([
      h.service.completeActivation(a.activationId, user, h.code()),
      h.service.completeActivation(b.activationId, user, h.code()),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r) => r.status === 'rejected');
    expect((rejected?.reason as FactorkitError).code).toBe('ALREADY_ENROLLED');
    expect(await h.service.listEnrollments(user)).toHaveLength(1);
  });

  it('rejects a malformed user object with a typed error', async () => {
    const h = clockHarness();
    expect(
      await code(
        h.service.beginActivation({ id: '', audience: 'client', username: 'x' }, 'clock-code'),
      ),
    ).toBe('INVALID_ARGUMENT');
    expect(await code(h.service.requirement(null as never))).toBe('INVALID_ARGUMENT');
  });

  it('a provider withdrawn from the audience after the activation began cannot complete it (not counted)', async () => {
    const h = clockHarness();
    const user = testUser();
    const a = await h.service.beginActivation(user, 'clock-code');
    const { loadDeploymentConfig, TwoFactorService } = await import('../src/index.js');
    const narrowed = loadDeploymentConfig(
      {
        providers: { 'clock-code': { audiences: ['admin'] } },
        encryption: {
          activeKeyId: 'test',
          keys: { test: h.config.encryption.keys['test']!.toString('base64') },
        },
      },
      h.registry,
    );
    const later = new TwoFactorService({
      registry: h.registry,
      config: narrowed,
      stores: h.stores,
    });
    expect(await code(later.completeActivation(a.activationId, user, h.code()))).toBe(
      'PROVIDER_NOT_ALLOWED',
    );
    expect(await later.listEnrollments(user)).toEqual([]);
    expect((await later.throttleStatus(user)).failures).toBe(0);
  });
});
