/**
 * What a host passes about a request, and an admin's actor id and reason, are cut to their limit
 * before any per-character work (SECURITY.md LG-01): a 10 MB header cannot make a sign-in slow,
 * and never reaches an audit event whole.
 */
import { describe, expect, it } from 'vitest';
import { testUser } from '../src/testing/index.js';
import { clockHarness } from './support/setup.js';

const HUGE = 'A'.repeat(10 * 1024 * 1024);

/** The median of a few runs, in ms: one slow run on a shared machine must not decide. */
async function medianMs(fn: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b)[2]!;
}

describe('input limits', () => {
  it('LG-01: 10 MB request fields cost what short ones cost, and are cut in the audit event', async () => {
    const h = clockHarness();
    const user = testUser();
    await h.enroll(user);
    const short = { ip: '192.0.2.1', userAgent: 'UA', requestId: 'r1' };
    const huge = { ip: HUGE, userAgent: HUGE, requestId: HUGE };
    const call = (request: typeof short) => h.service.beginChallenge(user, undefined, request);
    await call(short);
    const base = await medianMs(() => call(short));
    const big = await medianMs(() => call(huge));
    // Scanning 30 MB character by character takes hundreds of ms; cutting first takes none.
    expect(big).toBeLessThan(base + 20);
    const last = h.audit.ofType('challenge.started').at(-1)!;
    expect(last.request?.userAgent).toHaveLength(256);
    expect(last.request?.requestId).toHaveLength(128);
    // An "IP" of 10 MB of letters is no IP: it is dropped, not cut into one.
    expect(last.request?.ip).toBeUndefined();
  });

  it('LG-01: a control character at the cut leaves no half surrogate and no control text', async () => {
    const h = clockHarness();
    const user = testUser();
    await h.enroll(user);
    const ua = 'x'.repeat(255) + '\u{1F600}' + 'tail';
    await h.service.beginChallenge(user, undefined, { userAgent: 'a\r\nb\u001b[31m' });
    await h.service.beginChallenge(user, undefined, { userAgent: ua });
    const [first, second] = h.audit.ofType('challenge.started');
    expect(first!.request?.userAgent).toBe('ab[31m');
    expect(second!.request?.userAgent).toBe('x'.repeat(255));
  });

  it('LG-01: an admin actor id or reason of 10 MB is refused at once, never written to the trail', async () => {
    const h = clockHarness();
    const user = testUser();
    await h.enroll(user);
    const t = performance.now();
    await expect(
      h.service.adminReset({ actorId: HUGE, reason: 'lost device' }, user),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(
      h.service.adminUnlock({ actorId: 'admin-1', reason: ` ${HUGE} ` }, user),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(performance.now() - t).toBeLessThan(50);
    expect(h.audit.ofType('admin.reset')).toHaveLength(0);
    expect(await h.service.listEnrollments(user)).toHaveLength(1);
  });
});

describe('provider ids from the host', () => {
  it('LG-01: a provider id that is no provider id is INVALID_ARGUMENT and never echoed', async () => {
    const h = clockHarness();
    const user = testUser();
    const hostile = 'x\r\n' + 'y'.repeat(100_000);
    for (const call of [
      () => h.service.beginActivation(user, hostile),
      () => h.service.beginChallenge(user, hostile),
      () => h.service.disable(user, hostile),
    ]) {
      const err = await call().then(
        () => null,
        (e: Error & { code?: string }) => e,
      );
      expect(err?.code).toBe('INVALID_ARGUMENT');
      expect(err?.message.length).toBeLessThan(200);
    }
  });
});
