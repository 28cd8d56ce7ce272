/**
 * Signature counters (SECURITY.md WA-09..WA-11): the library's own counter check is never used
 * (it runs before the signature and is not atomic); core's compare-and-set is. The races across
 * instances (WA-20) are in instances.test.ts.
 */
import { type Logger, type SecurityNotice, type SecurityNotifier } from '@factorkit/core';
import { createHarness } from '@factorkit/core/testing';
import { describe, expect, it } from 'vitest';
import { WebauthnProvider } from '../src/webauthn-provider.js';
import { SETTINGS, authenticator, enroll, harness, outcomeOf, signIn } from './helpers.js';

class RecordingLogger implements Logger {
  readonly warnings: string[] = [];
  debug(): void {}
  info(): void {}
  warn(message: string): void {
    this.warnings.push(message);
  }
  error(): void {}
}

class RecordingNotifier implements SecurityNotifier {
  readonly notices: SecurityNotice[] = [];
  send(notice: SecurityNotice): void {
    this.notices.push(notice);
  }
}

describe('signature counters', () => {
  it('WA-09: a cloned key whose counter does not move forward is refused, audited and leaves the counter', async () => {
    const logger = new RecordingLogger();
    const notifier = new RecordingNotifier();
    const h = createHarness({
      providers: [WebauthnProvider],
      settings: { webauthn: SETTINGS },
      logger,
      timeline: { notifier },
    });
    const key = authenticator();
    const { user, enrollmentId } = await enroll(h, key);
    const clone = key.clone();
    expect(await (await signIn(h, key, user, enrollmentId)).result).toBe('SUCCESS');
    expect(await (await signIn(h, key, user, enrollmentId)).result).toBe('SUCCESS');
    expect((await h.stores.enrollments.get(enrollmentId))!.counter).toBe(2);
    // The clone signs validly with counter 1, then 2 (equal): both refused.
    for (const expected of [1, 2]) {
      const { result } = await signIn(h, clone, user, enrollmentId);
      expect(clone.counter).toBe(expected);
      expect(await result).toBe('CODE_ALREADY_USED');
    }
    expect((await h.stores.enrollments.get(enrollmentId))!.counter).toBe(2);
    // A distinct event naming the key, not a reused code; and the user is told.
    expect(h.audit.ofType('replay.rejected')).toEqual([]);
    expect(
      h.audit
        .ofType('clone.suspected')
        .map((e) => [e.providerId, e.enrollmentId, e.counter, e.lastCounter]),
    ).toEqual([
      ['webauthn', enrollmentId, 1, 2],
      ['webauthn', enrollmentId, 2, 2],
    ]);
    expect(notifier.notices.filter((n) => n.kind === 'possible-cloned-key')).toMatchObject([
      { userId: user.id, providerId: 'webauthn', enrollmentId },
      { userId: user.id, providerId: 'webauthn', enrollmentId },
    ]);
    expect(notifier.notices.map((n) => n.kind)).not.toContain('code-reused');
    const timeline = await h.service.securityTimeline(user, { limit: 10 });
    expect(
      timeline.events.filter((e) => e.type === 'clone.suspected').map((e) => e.enrollmentId),
    ).toEqual([enrollmentId, enrollmentId]);
    expect(logger.warnings.filter((w) => w.includes('possible cloned key'))).toHaveLength(2);
    // A drop to 0 after a counting key: a regression too.
    const zero = key.clone({ counterMode: 'zero' });
    expect(await (await signIn(h, zero, user, enrollmentId)).result).toBe('CODE_ALREADY_USED');
    expect(await (await signIn(h, key, user, enrollmentId)).result).toBe('SUCCESS');
  });

  it('WA-10: a low counter with a bad signature is a signature failure only, no clone signal', async () => {
    const logger = new RecordingLogger();
    const h = createHarness({
      providers: [WebauthnProvider],
      settings: { webauthn: SETTINGS },
      logger,
    });
    const key = authenticator({ counter: 5 });
    const { user, enrollmentId } = await enroll(h, key);
    expect(await (await signIn(h, key, user, enrollmentId)).result).toBe('SUCCESS');
    const { result } = await signIn(h, key, user, enrollmentId, { counter: 1, badSignature: true });
    expect(await result).toBe('INVALID_CODE');
    expect(h.audit.ofType('replay.rejected')).toHaveLength(0);
    expect(h.audit.ofType('clone.suspected')).toHaveLength(0);
    expect(logger.warnings).toEqual([]);
    // The owner is not locked out.
    expect(await (await signIn(h, key, user, enrollmentId)).result).toBe('SUCCESS');
  });

  it('WA-11: a key without a counter signs in again and again; its captured assertion is not replayable', async () => {
    const h = harness();
    const key = authenticator({ counterMode: 'zero' });
    const { user, enrollmentId } = await enroll(h, key);
    let last: { started: { challengeId: string }; answer: unknown } | undefined;
    for (let i = 0; i < 5; i++) {
      const attempt = await signIn(h, key, user, enrollmentId);
      expect(await attempt.result).toBe('SUCCESS');
      last = attempt;
    }
    expect((await h.stores.enrollments.get(enrollmentId))!.counter).toBeNull();
    expect(
      await outcomeOf(h.service.completeChallenge(last!.started.challengeId, user, last!.answer)),
    ).toBe('CHALLENGE_NOT_FOUND');
  });

  it('WA-11: after 0xFFFFFFFF every counter is a regression', async () => {
    const h = harness();
    const key = authenticator({ counterMode: 'fixed', counter: 0xffffffff });
    const { user, enrollmentId } = await enroll(h, key);
    expect((await h.stores.enrollments.get(enrollmentId))!.counter).toBe(0xffffffff);
    for (const counter of [0xffffffff, 0, 1])
      expect(await (await signIn(h, key, user, enrollmentId, { counter })).result).toBe(
        'CODE_ALREADY_USED',
      );
  });
});
