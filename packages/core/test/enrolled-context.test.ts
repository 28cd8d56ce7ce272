/**
 * `ctx.enrolled` in `beginActivation`: the user's enrollments of that provider, each as the
 * provider's `publicInfo` hook describes it, so a hook can refuse a duplicate up front (WebAuthn's
 * `excludeCredentials`, SECURITY.md WA-01, WA-12) without seeing any sealed enrollment.
 */
import { describe, expect, it } from 'vitest';
import { createHarness, testUser } from '../src/testing/index.js';
import { BadgeProvider } from './support/badge-provider.js';
import { ClockCodeProvider, codeAt } from './support/clock-code-provider.js';

function harness() {
  const h = createHarness({ providers: [BadgeProvider, ClockCodeProvider] });
  const badges = h.registry.get('badge') as BadgeProvider;
  const addBadge = async (user: ReturnType<typeof testUser>, badge: string) => {
    const a = await h.service.beginActivation(user, 'badge');
    const done = await h.service.completeActivation(a.activationId, user, { badge });
    if (!done.ok) throw new Error('not activated');
    h.clock.advance(1000);
    return done.enrollmentId;
  };
  return { h, badges, addBadge };
}

describe('ctx.enrolled', () => {
  it("WA-01: beginActivation sees the user's enrollments of its provider, by publicInfo only", async () => {
    const { h, badges, addBadge } = harness();
    const user = testUser();
    const first = await addBadge(user, 'front door');
    const second = await addBadge(user, 'garage');
    // Another provider of the same user, and the same provider of another user: not shown.
    const totp = await h.service.beginActivation(user, 'clock-code');
    await h.service.completeActivation(totp.activationId, user, codeAt(h.clock.now()));
    await addBadge(testUser(), 'someone else');
    await h.service.beginActivation(user, 'badge');
    const seen = badges.seenEnrolled.at(-1);
    expect(seen).toEqual([
      { enrollmentId: first, label: 'Badge', publicInfo: { badge: 'front door' } },
      { enrollmentId: second, label: 'Badge 2', publicInfo: { badge: 'garage' } },
    ]);
    expect(Object.isFrozen(seen)).toBe(true);
    // The first activation of a user saw an empty list.
    expect(badges.seenEnrolled[0]).toEqual([]);
    // Nothing sealed reaches the hook.
    const sealed = (await h.stores.enrollments.listByUser(user.id)).map((e) => e.secret);
    expect(JSON.stringify(seen)).not.toMatch(
      new RegExp(sealed.map((x) => x.slice(0, 16)).join('|')),
    );
  });

  it('WA-01: an enrollment the hook cannot describe is listed with null and does not block a new one', async () => {
    const { badges, addBadge } = harness();
    const user = testUser();
    const broken = await addBadge(user, 'unreadable');
    await addBadge(user, 'fine');
    expect(badges.seenEnrolled.at(-1)).toEqual([
      { enrollmentId: broken, label: 'Badge', publicInfo: null },
    ]);
  });
});
