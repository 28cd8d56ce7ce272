/**
 * The security timeline and notifier (FL-07, LG-02, BF-05, LG-05, LG-06): what reaches a user's
 * "recent security activity" page and their notices, that nothing secret does, that pushes left
 * unanswered raise one notice across parallel requests, and that neither a failing notifier nor
 * a failing timeline write ever changes an outcome.
 */
import { describe, expect, it } from 'vitest';
import {
  FactorkitError,
  InvalidArgumentError,
  Logger,
  MemoryStore,
  TwoFactorService,
  type SecurityNotice,
  type TwoFactorUser,
} from '../src/index.js';
import { testUser } from '../src/testing/index.js';
import { ClockCodeProvider, codeAt } from './support/clock-code-provider.js';
import { FakePushProvider } from './support/fake-push-provider.js';
import { clockHarness, type ClockHarness } from './support/setup.js';

const REQ = { ip: '203.0.113.7', userAgent: 'Browser/1.0', requestId: 'req-1' };

class FakeNotifier {
  readonly notices: SecurityNotice[] = [];
  send(notice: SecurityNotice): void {
    this.notices.push(notice);
  }
  kinds(): string[] {
    return this.notices.map((n) => n.kind);
  }
}

class RecordingLogger extends Logger {
  readonly lines: string[] = [];
  debug(): void {}
  info(): void {}
  warn(message: string): void {
    this.lines.push(`warn ${message}`);
  }
  error(message: string): void {
    this.lines.push(`error ${message}`);
  }
}

function setup(extra: Parameters<typeof clockHarness>[0] = {}, notifier = new FakeNotifier()) {
  const h = clockHarness({
    providers: [ClockCodeProvider, FakePushProvider],
    policy: { throttle: { maxFailures: 100, freeFailures: 100, permanentLockAfter: 100 } },
    ...extra,
    timeline: { notifier, ...extra.timeline },
  });
  const push = h.registry.get('fake-push') as FakePushProvider;
  return { h, notifier, push };
}

async function enrollWith(h: ClockHarness, user: TwoFactorUser, providerId: string) {
  const a = await h.service.beginActivation(user, providerId, REQ);
  const done = await h.service.completeActivation(a.activationId, user, h.code(), REQ);
  h.clock.advance(30_000);
  const codes: string[] = done.ok ? [...(done.recoveryCodes ?? [])] : [];
  return { activationId: a.activationId, codes };
}

const wrong = (h: ClockHarness) => codeAt(h.clock.now() + 10 * 30_000);

async function codeOf(h: ClockHarness, user: TwoFactorUser, code: string): Promise<string> {
  const ch = await h.service.beginChallenge(user, 'clock-code');
  try {
    await h.service.completeChallenge(ch.challengeId, user, code, REQ);
    return 'ok';
  } catch (err) {
    return (err as FactorkitError).code;
  }
}

async function pushOnce(h: ClockHarness, user: TwoFactorUser): Promise<string> {
  try {
    const ch = await h.service.beginChallenge(user, 'fake-push', REQ);
    const r = await h.service.completeChallenge(ch.challengeId, user, { poll: true }, REQ);
    return r.ok ? 'ok' : 'waiting';
  } catch (err) {
    return (err as FactorkitError).code;
  }
}

const timeline = async (h: ClockHarness, user: TwoFactorUser) =>
  (await h.service.securityTimeline(user, { limit: 100 })).events;

describe('security timeline and notices', () => {
  it('FL-07: factor added and removed, recovery code used and regenerated, lock, unlock and admin reset reach the timeline and the notifier, with the request', async () => {
    const { h, notifier } = setup({ policy: { throttle: { maxFailures: 3, freeFailures: 3 } } });
    const user = testUser();
    const { codes } = await enrollWith(h, user, 'clock-code');
    const admin = { actorId: 'admin-7', reason: 'user called the help desk' };
    // One step per millisecond: entries of the same millisecond are ordered by their random id.
    const steps = [
      () => h.service.useRecoveryCode(user, codes[0], REQ),
      () => h.service.regenerateRecoveryCodes(user, undefined, REQ),
      async () => {
        for (let i = 0; i < 3; i++) await codeOf(h, user, wrong(h));
      },
      () => h.service.adminUnlock(admin, user),
      () => h.service.disable(user, 'clock-code', undefined, REQ),
      () => h.service.adminReset(admin, user),
    ];
    for (const step of steps) {
      h.clock.advance(1);
      await step();
    }

    const kinds = ['factor-added', 'recovery-code-used', 'recovery-codes-regenerated'];
    kinds.push('account-locked', 'account-unlocked', 'factor-removed', 'admin-reset');
    expect(notifier.kinds()).toEqual(kinds);
    const types = ['activated', 'recovery.used', 'recovery.regenerated', 'locked'];
    types.push('admin.unlocked', 'deactivated', 'admin.reset');
    const events = await timeline(h, user);
    expect(events.map((e) => e.type)).toEqual([...types].reverse());
    for (const e of events.filter((x) => !x.type.startsWith('admin.')))
      expect(e).toMatchObject({ ip: REQ.ip, userAgent: REQ.userAgent });
    for (const n of notifier.notices.filter(
      (x) => !x.kind.includes('admin') && x.kind !== 'account-unlocked',
    ))
      expect(n).toMatchObject({
        userId: user.id,
        audience: 'client',
        ip: REQ.ip,
        userAgent: REQ.userAgent,
      });
    expect(events.find((e) => e.type === 'admin.reset')).toMatchObject({ by: 'admin-7' });
    expect(events.find((e) => e.type === 'activated')).toMatchObject({ providerId: 'clock-code' });
    // Every notice links to its timeline entry; plain failed codes are on neither.
    expect(notifier.notices.map((n) => n.eventId)).toEqual([...events].reverse().map((e) => e.id));
    expect(events.some((e) => e.type === 'failed')).toBe(false);
  });

  it('FL-07, FL-09: a remembered device and its revocation reach the timeline; remembering sends a notice', async () => {
    const { h, notifier } = setup();
    const user = testUser();
    await enrollWith(h, user, 'clock-code');
    const ch = await h.service.beginChallenge(user, 'clock-code');
    const ok = await h.service.completeChallenge(ch.challengeId, user, h.code(), REQ);
    if (ok.ok !== true) throw new Error('sign-in did not complete');
    const { deviceId, token } = await h.service.rememberDevice(
      user,
      { secondFactorAt: ok.at },
      REQ,
    );
    // A sign-in on the device is audited but kept off the page (it would become a login log).
    expect(await h.service.requirement(user, { deviceToken: token })).toMatchObject({
      reason: 'trusted-device',
    });
    h.clock.advance(1);
    await h.service.revokeTrustedDevice(user, deviceId);
    const types = (await timeline(h, user)).map((e) => [e.type, e.deviceId]);
    expect(types.slice(0, 2)).toEqual([
      ['device.revoked', deviceId],
      ['device.remembered', deviceId],
    ]);
    expect(types.map(([t]) => t)).not.toContain('device.trusted');
    const notice = notifier.notices.find((n) => n.kind === 'device-remembered');
    expect(notice).toMatchObject({ userId: user.id, ip: REQ.ip, userAgent: REQ.userAgent });
    expect(JSON.stringify(notifier.notices)).not.toContain(token);
  });

  it('LG-02: a reused code is refused, recorded, and the user is told (code-reused)', async () => {
    const { h, notifier } = setup();
    const user = testUser();
    await enrollWith(h, user, 'clock-code');
    const code = h.code();
    expect(await codeOf(h, user, code)).toBe('ok');
    expect(await codeOf(h, user, code)).toBe('CODE_ALREADY_USED');
    expect(notifier.kinds()).toEqual(['factor-added', 'code-reused']);
    expect(notifier.notices[1]).toMatchObject({ providerId: 'clock-code', ip: REQ.ip });
    expect((await timeline(h, user))[0]).toMatchObject({ type: 'replay.rejected', ip: REQ.ip });
  });

  it('BF-05: 10 parallel denied pushes send one pushes-unanswered notice; the next window another', async () => {
    const { h, notifier, push } = setup();
    const user = testUser();
    await enrollWith(h, user, 'fake-push');
    push.answer = 'deny';
    const got = await Promise.all(Array.from({ length: 10 }, () => pushOnce(h, user)));
    expect(got).toEqual(Array(10).fill('PROVIDER_DENIED'));
    expect(notifier.kinds()).toEqual(['factor-added', 'pushes-unanswered']);
    expect(notifier.notices[1]).toMatchObject({ providerId: 'fake-push', ip: REQ.ip });
    expect((await timeline(h, user)).filter((e) => e.type === 'push.unanswered')).toHaveLength(1);
    h.clock.advance(15 * 60_000);
    expect(await pushOnce(h, user)).toBe('PROVIDER_DENIED');
    expect(notifier.kinds().filter((k) => k === 'pushes-unanswered')).toHaveLength(2);
  });

  it('BF-05: unanswered pushes raise one notice at the third, also when 10 run in parallel', async () => {
    const { h, notifier, push } = setup();
    const user = testUser();
    await enrollWith(h, user, 'fake-push');
    push.answer = 'ignore';
    expect([await pushOnce(h, user), await pushOnce(h, user)]).toEqual(
      Array(2).fill('CHALLENGE_EXPIRED'),
    );
    expect(notifier.kinds()).toEqual(['factor-added']);
    await pushOnce(h, user);
    expect(notifier.kinds()).toEqual(['factor-added', 'pushes-unanswered']);

    const other = testUser();
    await enrollWith(h, other, 'fake-push');
    await Promise.all(Array.from({ length: 10 }, () => pushOnce(h, other)));
    expect(notifier.notices.filter((n) => n.userId === other.id).map((n) => n.kind)).toEqual([
      'factor-added',
      'pushes-unanswered',
    ]);
  });

  it('BF-05: a successful push clears the unanswered count; waiting polls count nothing', async () => {
    const { h, notifier, push } = setup();
    const user = testUser();
    await enrollWith(h, user, 'fake-push');
    for (const answer of [
      'ignore',
      'ignore',
      'allow',
      'ignore',
      'ignore',
      'wait',
      'wait',
    ] as const) {
      push.answer = answer;
      await pushOnce(h, user);
    }
    expect(notifier.kinds()).toEqual(['factor-added']);
  });

  it("BF-05: a provider's push cap (PUSH_RATE_LIMITED) sends one notice for 5 parallel sign-ins", async () => {
    const { h, notifier, push } = setup();
    const user = testUser();
    await enrollWith(h, user, 'fake-push');
    push.capped = true;
    const got = await Promise.all(Array.from({ length: 5 }, () => pushOnce(h, user)));
    expect(got).toEqual(Array(5).fill('PUSH_RATE_LIMITED'));
    expect(notifier.kinds()).toEqual(['factor-added', 'pushes-unanswered']);
  });

  it('LG-06: a throwing notifier changes no outcome, and is logged', async () => {
    const logger = new RecordingLogger();
    const thrower = { send: () => Promise.reject(new Error('smtp down')) };
    const { h } = setup({ logger, timeline: { notifier: thrower } });
    const user = testUser();
    const { codes } = await enrollWith(h, user, 'clock-code');
    expect(codes.length).toBeGreaterThan(0);
    const code = h.code();
    expect(await codeOf(h, user, code)).toBe('ok');
    expect(await codeOf(h, user, code)).toBe('CODE_ALREADY_USED');
    expect(logger.lines.filter((l) => l.includes('notifier failed'))).toHaveLength(2);
    expect((await timeline(h, user)).map((e) => e.type)).toEqual(['replay.rejected', 'activated']);
  });

  it('LG-06: a notifier that never answers holds a sign-in no longer than notifyTimeoutMs', async () => {
    const logger = new RecordingLogger();
    const hanging = { send: () => new Promise<void>(() => undefined) };
    const { h } = setup({ logger, timeline: { notifier: hanging, notifyTimeoutMs: 50 } });
    const user = testUser();
    const started = Date.now();
    await enrollWith(h, user, 'clock-code');
    expect(Date.now() - started).toBeLessThan(1500);
    expect(logger.lines).toContain('warn factorkit: security notifier timed out');
  });

  it('LG-06: a failing timeline write changes no outcome; the notice still goes, without an event id', async () => {
    const logger = new RecordingLogger();
    const stores = new MemoryStore();
    stores.enrollments.appendSecurityEvent = () => Promise.reject(new Error('disk full'));
    const { h, notifier } = setup({ logger, stores });
    const user = testUser();
    const { codes } = await enrollWith(h, user, 'clock-code');
    expect(await h.service.useRecoveryCode(user, codes[0], REQ)).toMatchObject({ ok: true });
    expect(notifier.kinds()).toEqual(['factor-added', 'recovery-code-used']);
    expect(notifier.notices.every((n) => n.eventId === undefined)).toBe(true);
    expect(logger.lines.filter((l) => l.includes('timeline write failed'))).toHaveLength(2);
  });

  it('LG-05: pages are bounded and chained; a bad limit or cursor is INVALID_ARGUMENT', async () => {
    const { h } = setup({ timeline: { timelineKeepPerUser: 30 } });
    const user = testUser();
    await enrollWith(h, user, 'clock-code');
    for (let i = 0; i < 40; i++) {
      await h.service.regenerateRecoveryCodes(user);
      if (i % 3 === 0) h.clock.advance(1000);
    }
    const first = await h.service.securityTimeline(user);
    expect(first.events).toHaveLength(20);
    const second = await h.service.securityTimeline(user, { before: first.next! });
    expect(second).toMatchObject({ next: null });
    // Bounded per user: the oldest entries (the activation among them) are gone.
    const all = [...first.events, ...second.events];
    expect(all).toHaveLength(30);
    expect(new Set(all.map((e) => e.id)).size).toBe(30);
    expect(all.some((e) => e.type === 'activated')).toBe(false);
    for (const limit of [0, 101, 2.5, Number.NaN])
      await expect(h.service.securityTimeline(user, { limit })).rejects.toThrow(
        InvalidArgumentError,
      );
    for (const before of [
      '',
      'not a cursor!',
      'x'.repeat(500),
      Buffer.from('1.2.3').toString('base64url'),
    ])
      await expect(h.service.securityTimeline(user, { before })).rejects.toThrow(
        InvalidArgumentError,
      );
  });

  it("LG-05: another user's cursor reads only the caller's own entries", async () => {
    const { h } = setup();
    const [alice, mallory] = [testUser(), testUser()];
    await enrollWith(h, alice, 'clock-code');
    await h.service.regenerateRecoveryCodes(alice);
    h.clock.advance(60_000);
    await enrollWith(h, mallory, 'clock-code');
    await h.service.regenerateRecoveryCodes(mallory);
    const page = await h.service.securityTimeline(alice, { limit: 1 });
    const read = await h.service.securityTimeline(mallory, { before: page.next!, limit: 100 });
    const aliceIds = new Set((await timeline(h, alice)).map((e) => e.id));
    expect(read.events.some((e) => aliceIds.has(e.id))).toBe(false);
    expect(await timeline(h, testUser())).toEqual([]);
  });

  it('LG-05: no secret, code, sealed payload or pending id is in the entries or the notices', async () => {
    const { h, notifier } = setup();
    const user = testUser();
    const { activationId, codes } = await enrollWith(h, user, 'clock-code');
    const code = h.code();
    const ch = await h.service.beginChallenge(user, 'clock-code');
    await h.service.completeChallenge(ch.challengeId, user, code, REQ);
    await codeOf(h, user, code);
    await h.service.useRecoveryCode(user, codes[1], REQ);
    const [enrollment] = await h.stores.enrollments.listByUser(user.id);
    const raw = await h.stores.enrollments.listSecurityEvents(user.id, { limit: 100 });
    const text = JSON.stringify([raw, notifier.notices, await timeline(h, user)]);
    const secrets = [enrollment!.secret, 'enrollment-secret-marker', 'pending-secret-marker'];
    secrets.push(
      code,
      activationId,
      ch.challengeId,
      ...codes,
      ...codes.map((c) => c.replace(/-/g, '')),
    );
    for (const s of secrets) expect(text).not.toContain(s);
    expect(raw.events.length).toBeGreaterThanOrEqual(3);
  });

  it('LG-06: bad timeline options stop the service from being built', () => {
    const h = clockHarness();
    const base = { registry: h.registry, config: h.config, stores: new MemoryStore() };
    for (const bad of [
      { notifyTimeoutMs: 0 },
      { notifyTimeoutMs: 60_001 },
      { timelineKeepPerUser: 0 },
      { timelineKeepPerUser: 1.5 },
      { notifier: { send: 'no' } },
    ])
      expect(() => new TwoFactorService({ ...base, ...(bad as object) })).toThrow(
        InvalidArgumentError,
      );
  });
});
