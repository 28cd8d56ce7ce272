/**
 * BF-07 over HTTP: the recovery-code route, the one a pending session of any user can post a code
 * to, answers an unknown user (an id factorkit has never seen), a user without 2FA (whose factors
 * an administrator removed) and a wrong code the same way: status, body and timing. The
 * requirement route tells a session what to do next (enroll or answer) by design: that session
 * has already passed the host's password step.
 */
import { performance } from 'node:perf_hooks';
import { expect, it } from 'vitest';
import type { TwoFactorUser } from '@factorkit/core';
import { enrolledUser, testUser, tokenOf, type Client, type Rig } from './rig.js';
import type { OpenRig } from './suite-kit.js';

/** A well-formed recovery code nobody holds. */
const WRONG_CODE = 'ABCD-EFGH-JKMN-PQRS-TVWX-YZ01';
const ROUNDS = 60;
const WARM_UP = 10;

/**
 * The bound: medians of the cases differ by less than half the smallest median plus 0.5 ms.
 * Generous on purpose (a loaded CI machine, where a request can take 20 ms), yet it flags a 30 ms
 * difference (the check below).
 */
export function mediansClose(a: readonly number[], b: readonly number[]): boolean {
  const ma = median(a);
  const mb = median(b);
  return Math.abs(ma - mb) < Math.min(ma, mb) * 0.5 + 0.5;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

interface Case {
  readonly name: string;
  readonly user: TwoFactorUser;
  readonly client: Client;
  readonly csrf: string;
  readonly times: number[];
}

/** The three users, each with a pending session after the host's password step. */
async function threeCases(r: Rig): Promise<Case[]> {
  const unknown = testUser({ audience: 'client' });
  const reset = await enrolledUser(r);
  await r.service.adminReset({ actorId: 'admin-1', reason: 'lost the phone' }, reset.user);
  const enrolled = await enrolledUser(r);
  const cases: Case[] = [];
  for (const [name, user] of [
    ['unknown user', unknown],
    ['user without 2FA', reset.user],
    ['wrong code', enrolled.user],
  ] as const) {
    const client = r.client();
    await client.login(user);
    cases.push({ name, user, client, csrf: await tokenOf(client), times: [] });
  }
  return cases;
}

async function attempt(c: Case): Promise<{ status: number; body: unknown }> {
  const started = performance.now();
  const res = await c.client.post('/2fa/recovery-code', { code: WRONG_CODE }, { csrf: c.csrf });
  const text = await res.text();
  c.times.push(performance.now() - started);
  const { error } = JSON.parse(text) as { error: { requestId: string } };
  const { requestId: _id, ...rest } = error;
  return { status: res.status, body: { error: rest } };
}

/** Every case once per round, in a rotating order so no case always goes first. */
async function interleaved(cases: Case[], rounds: number) {
  const answers = new Map<string, { status: number; body: unknown }[]>();
  for (let round = 0; round < rounds; round++)
    for (let i = 0; i < cases.length; i++) {
      const c = cases[(round + i) % cases.length]!;
      const answer = await attempt(c);
      answers.set(c.name, [...(answers.get(c.name) ?? []), answer]);
    }
  for (const c of cases) c.times.splice(0, WARM_UP);
  return answers;
}

export function enumerationChecks(open: OpenRig): void {
  it('BF-07: an unknown user, a user without 2FA and a wrong code get the same status and body', async () => {
    const r = await open();
    const cases = await threeCases(r);
    const answers = await interleaved(cases, 3);
    const first = answers.get('wrong code')![0]!;
    expect(first).toEqual({
      status: 401,
      body: { error: { code: 'INVALID_CODE', message: 'That recovery code is not valid.' } },
    });
    for (const c of cases) for (const a of answers.get(c.name)!) expect(a, c.name).toEqual(first);
  });

  it('BF-07: core does the same verification for all three through HTTP: each attempt is counted and audited', async () => {
    const r = await open({
      throttle: { maxFailures: 3, freeFailures: 3, permanentLockAfter: 100 },
    });
    const cases = await threeCases(r);
    const answers = await interleaved(cases, 5);
    for (const c of cases) {
      expect((await r.service.throttleStatus(c.user)).failures, c.name).toBeGreaterThanOrEqual(3);
      const failed = r.audit.ofType('recovery.failed').filter((e) => e.userId === c.user.id);
      expect(failed.length, c.name).toBeGreaterThanOrEqual(3);
      // Past the budget every case is refused alike: an unknown user is no exception.
      expect(answers.get(c.name)!.map((a) => a.status)).toEqual(
        answers.get('wrong code')!.map((a) => a.status),
      );
    }
    expect(answers.get('wrong code')!.at(-1)!.status).not.toBe(401);
  });

  it(`BF-07: the three take the same time (medians of ${ROUNDS - WARM_UP} interleaved requests each)`, async () => {
    const r = await open();
    const cases = await threeCases(r);
    await interleaved(cases, ROUNDS);
    const [unknown, reset, wrong] = cases as [Case, Case, Case];
    const report = cases.map((c) => `${c.name} ${median(c.times).toFixed(3)} ms`).join(', ');
    expect(mediansClose(unknown.times, wrong.times), report).toBe(true);
    expect(mediansClose(reset.times, wrong.times), report).toBe(true);
  });

  it('BF-07: the timing check has the power to see a 30 ms difference', async () => {
    const r = await open();
    const cases = await threeCases(r);
    const slow = cases[0]!;
    const use = r.service.useRecoveryCode.bind(r.service);
    r.service.useRecoveryCode = async (user, code, request) => {
      if (user.id === slow.user.id) await new Promise((resolve) => setTimeout(resolve, 30));
      return use(user, code, request);
    };
    await interleaved(cases, WARM_UP + 15);
    expect(mediansClose(slow.times, cases[2]!.times)).toBe(false);
  });
}
