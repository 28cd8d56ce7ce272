/**
 * Audit events (ASVS 16.3.1 every decision with the factor used; 16.2.5 no credentials in logs;
 * SS-05, LG-01).
 */
import { describe, expect, it } from 'vitest';
import { JsonLineLogger } from '../src/index.js';
import { testUser } from '../src/testing/index.js';
import { clockHarness } from './support/setup.js';

describe('audit trail', () => {
  it('records each step of a whole life cycle, with no code, secret, token or ciphertext in any event or log line', async () => {
    const lines: string[] = [];
    const h = clockHarness({ logger: new JsonLineLogger((l) => lines.push(l)) });
    const user = testUser();
    const secrets: string[] = [];
    const a = await h.service.beginActivation(user, 'clock-code');
    secrets.push(a.activationId, h.code());
    await h.service.completeActivation(a.activationId, user, '000000').catch(() => undefined);
    const done = await h.service.completeActivation(a.activationId, user, h.code());
    if (!done.ok) throw new Error('activation');
    secrets.push(...(done.recoveryCodes ?? []));
    h.clock.advance(30_000);
    const ch = await h.service.beginChallenge(user);
    secrets.push(ch.challengeId, h.code());
    await h.service.completeChallenge(ch.challengeId, user, h.code());
    const ch2 = await h.service.beginChallenge(user);
    secrets.push(ch2.challengeId);
    await h.service.completeChallenge(ch2.challengeId, user, h.code()).catch(() => undefined);
    await h.service.useRecoveryCode(user, done.recoveryCodes![0]);
    const regenerated = await h.service.regenerateRecoveryCodes(user);
    secrets.push(...regenerated);
    await h.service.adminReset({ actorId: 'admin-9', reason: 'device lost' }, user);
    expect(h.audit.events.map((e) => e.type)).toEqual([
      'activation.started',
      'activation.failed',
      'activated',
      'challenge.started',
      'verified',
      'challenge.started',
      'replay.rejected',
      'failed',
      'recovery.used',
      'recovery.regenerated',
      'admin.reset',
    ]);
    for (const e of h.audit.events) {
      expect(e.at).toMatch(/^\d{4}-\d\d-\d\dT/);
      if ('userId' in e) expect(e.userId).toBe(user.id);
    }
    const text = JSON.stringify(h.audit.events) + lines.join('\n');
    for (const s of secrets) {
      expect(text).not.toContain(s);
      expect(text).not.toContain(s.replace(/-/g, ''));
    }
    expect(text).not.toContain('fk1.');
    expect(text).not.toContain('secret-marker');
  });
});

describe('request info (LG-01, IN-05)', () => {
  it("goes, sanitised, into audit events and the provider's context", async () => {
    const h = clockHarness();
    const user = testUser();
    const seen: unknown[] = [];
    const begin = h.provider.beginChallenge.bind(h.provider);
    h.provider.beginChallenge = async (ctx, ...rest) => {
      seen.push(ctx.request);
      return begin(ctx, ...rest);
    };
    const a = await h.service.beginActivation(user, 'clock-code', {
      ip: '203.0.113.7',
      requestId: 'req-1',
    });
    await h.service.completeActivation(a.activationId, user, h.code(), {
      ip: '203.0.113.7',
      userAgent: 'Mozilla/5.0\r\n{"level":"forged"}\u001b[31m',
    });
    h.clock.advance(30_000);
    await h.service.beginChallenge(user, undefined, {
      ip: 'not an ip <script>',
      requestId: 'req-3',
    });
    expect(h.audit.ofType('activation.started')[0]!.request).toEqual({
      ip: '203.0.113.7',
      requestId: 'req-1',
    });
    const activated = h.audit.ofType('activated')[0]!.request!;
    expect(activated.ip).toBe('203.0.113.7');
    expect(activated.userAgent).toBe('Mozilla/5.0{"level":"forged"}[31m');
    expect(seen).toEqual([{ requestId: 'req-3' }]);
    expect(h.audit.ofType('challenge.started')[0]!.request).toEqual({ requestId: 'req-3' });
  });

  it('calls without request info carry none', async () => {
    const h = clockHarness();
    const user = testUser();
    await h.service.beginActivation(user, 'clock-code');
    expect(h.audit.events[0]).not.toHaveProperty('request');
  });
});
