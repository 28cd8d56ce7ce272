/**
 * `notEnrolled: 'grace'` (SECURITY.md EN-06): a forced user without a factor may sign in
 * without one until a deadline stored per user at their first enforced sign-in.
 */
import { describe, expect, it } from 'vitest';
import { MemoryStore, decideRequirement, needsGraceDeadline } from '../src/index.js';
import { FakeClock, testUser } from '../src/testing/index.js';
import { clockHarness } from './support/setup.js';

const DAY = 86_400_000;
const GRACE = { audiences: { client: { force: true, notEnrolled: 'grace', graceDays: 3 } } };

describe('enrollment grace period', () => {
  it('the first forced sign-in starts the deadline; it holds until deadline - 1 ms, then enroll', async () => {
    const h = clockHarness({ policy: GRACE });
    const user = testUser();
    const start = h.clock.now();
    const deadline = start + 3 * DAY;
    expect(await h.service.requirement(user)).toEqual({
      action: 'grace',
      providers: ['clock-code'],
      deadline,
      daysLeft: 3,
    });
    expect(h.audit.ofType('grace.started')).toMatchObject([{ userId: user.id, deadline }]);
    h.clock.set(start + DAY + 1);
    expect(await h.service.requirement(user)).toMatchObject({ action: 'grace', daysLeft: 2 });
    h.clock.set(deadline - 1);
    expect(await h.service.requirement(user)).toMatchObject({
      action: 'grace',
      deadline,
      daysLeft: 1,
    });
    h.clock.set(deadline);
    expect(await h.service.requirement(user)).toEqual({
      action: 'enroll',
      providers: ['clock-code'],
    });
    // Later sign-ins neither restart nor re-audit the grace period.
    h.clock.set(deadline + 30 * DAY);
    expect(await h.service.requirement(user)).toMatchObject({ action: 'enroll' });
    expect(h.audit.ofType('grace.started')).toHaveLength(1);
  });

  it('two instances sharing stores racing the first sign-ins agree on one deadline', async () => {
    const stores = new MemoryStore();
    const a = clockHarness({ policy: GRACE, stores, clock: new FakeClock(1_000_000) });
    const b = clockHarness({ policy: GRACE, stores, clock: new FakeClock(1_000_000 + 5_000) });
    const user = testUser();
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).service.requirement(user)),
    );
    const deadlines = new Set(answers.map((r) => (r.action === 'grace' ? r.deadline : null)));
    expect(deadlines.size).toBe(1);
    expect([...deadlines][0]).not.toBeNull();
    expect(a.audit.ofType('grace.started').length + b.audit.ofType('grace.started').length).toBe(1);
  });

  it('a user in grace can enroll, and enrolling ends grace', async () => {
    const h = clockHarness({ policy: GRACE });
    const user = testUser();
    expect((await h.service.requirement(user)).action).toBe('grace');
    await h.enroll(user);
    expect(await h.service.requirement(user)).toMatchObject({ action: 'challenge' });
  });

  it('a user whose deadline passed can still enroll', async () => {
    const h = clockHarness({ policy: GRACE });
    const user = testUser();
    await h.service.requirement(user);
    h.clock.advance(3 * DAY);
    await h.enroll(user);
    expect(await h.service.requirement(user)).toMatchObject({ action: 'challenge' });
  });

  it('losing every factor does not restart grace: not by disabling, not by an admin reset', async () => {
    const clock = new FakeClock();
    const stores = new MemoryStore();
    const forced = clockHarness({ policy: GRACE, stores, clock });
    // The same user seen by a deployment that does not force 2FA, so they may disable it.
    const optional = clockHarness({ stores, clock });
    const user = testUser();
    const deadline = clock.now() + 3 * DAY;
    await forced.service.requirement(user);
    await forced.enroll(user);
    await optional.service.disable(user, 'clock-code');
    clock.advance(2 * DAY);
    expect(await forced.service.requirement(user)).toMatchObject({ action: 'grace', deadline });
    await forced.enroll(user);
    await forced.service.adminReset({ actorId: 'admin-1', reason: 'device lost' }, user);
    clock.set(deadline);
    expect(await forced.service.requirement(user)).toMatchObject({ action: 'enroll' });
    expect(forced.audit.ofType('grace.started')).toHaveLength(1);
  });

  it('no deadline for users enforcement does not apply to: enrolled, unforced, other actions', async () => {
    const stores = new MemoryStore();
    const unforced = clockHarness({ stores });
    const enrolled = testUser();
    const h = clockHarness({ policy: GRACE, stores, clock: unforced.clock });
    await unforced.enroll(enrolled);
    expect(await h.service.requirement(enrolled)).toMatchObject({ action: 'challenge' });
    const free = testUser();
    expect(await unforced.service.requirement(free)).toEqual({
      action: 'skip',
      reason: 'not-required',
    });
    const enrolling = clockHarness({
      stores,
      policy: { audiences: { client: { force: true, notEnrolled: 'enroll' } } },
    });
    await enrolling.service.requirement(free);
    expect(await stores.enrollments.peekGraceDeadline(enrolled.id)).toBeNull();
    expect(await stores.enrollments.peekGraceDeadline(free.id)).toBeNull();
  });

  it('the dry-run reports users in grace with bounded deadlines and creates none', async () => {
    const clock = new FakeClock();
    const stores = new MemoryStore();
    const h = clockHarness({ policy: GRACE, stores, clock });
    const [early, fresh, done] = [testUser(), testUser(), testUser()];
    await h.service.requirement(early);
    clock.advance(DAY);
    await h.enroll(done);
    const report = await h.service.dryRunEnforcement([early, fresh, done]);
    expect(report['client']).toEqual({
      users: 3,
      enrolled: 1,
      challenge: 1,
      enroll: 0,
      deny: 0,
      skip: 0,
      grace: 2,
      graceDeadlines: { earliest: Date.UTC(2026, 0, 1) + 3 * DAY, latest: clock.now() + 3 * DAY },
    });
    expect(await stores.enrollments.peekGraceDeadline(fresh.id)).toBeNull();
    expect(h.audit.ofType('grace.started')).toHaveLength(1);
    // An override can preview switching an enroll policy to grace, still without writing.
    clock.advance(5 * DAY);
    const preview = await h.service.dryRunEnforcement([early, fresh], {
      client: { notEnrolled: 'grace', graceDays: 10 },
    });
    expect(preview['client']).toMatchObject({ grace: 1, enroll: 1 });
    expect(await stores.enrollments.peekGraceDeadline(fresh.id)).toBeNull();
  });
});

describe('decideRequirement with a grace policy', () => {
  const policy = { force: true, notEnrolled: 'grace' } as const;

  it('answers grace strictly before the deadline and enroll from it on', () => {
    const at = (now: number) =>
      decideRequirement(policy, ['a'], [], 0, { deadline: 10 * DAY, now });
    expect(at(10 * DAY - 1)).toEqual({
      action: 'grace',
      providers: ['a'],
      deadline: 10 * DAY,
      daysLeft: 1,
    });
    expect(at(10 * DAY)).toEqual({ action: 'enroll', providers: ['a'] });
    expect(at(0)).toMatchObject({ daysLeft: 10 });
  });

  it('fails closed to enroll without a deadline, and ignores grace for the enrolled', () => {
    expect(decideRequirement(policy, ['a'], [], 0)).toEqual({ action: 'enroll', providers: ['a'] });
    expect(decideRequirement(policy, ['a'], ['a'], 2, { deadline: DAY, now: 0 })).toEqual({
      action: 'challenge',
      providers: ['a'],
      factors: [],
      recoveryCodes: 2,
    });
    expect(needsGraceDeadline(policy, ['a'], ['a'])).toBe(false);
    expect(needsGraceDeadline(policy, [], [])).toBe(false);
    expect(needsGraceDeadline({ ...policy, force: false }, ['a'], [])).toBe(false);
    expect(needsGraceDeadline(policy, ['a'], [])).toBe(true);
  });
});
