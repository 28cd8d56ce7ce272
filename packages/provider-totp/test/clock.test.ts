/**
 * Clock handling: CK-01 (RFC 6238 §5.2 "at most one time step", ASVS 6.5.5 and the
 * window decision in the README), CK-02 (ASVS 6.5.8: only the trusted server clock counts).
 * CK-04 (clock stepping back) is in replay.test.ts, since core's counter is what holds it.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ctx, directProvider, settings } from './helpers.js';
import { RFC6238_SEEDS } from './vectors.js';

const user = { id: 'u1', audience: 'client', username: 'alice' };
const enrollment = {
  secret: RFC6238_SEEDS.SHA1.base32,
  algorithm: 'SHA1' as const,
  digits: 8,
  period: 30,
};
const CODE_T1 = '94287082'; // RFC 6238 SHA1, T = 1 (t = 30..59)

afterEach(() => vi.restoreAllMocks());

async function acceptedAt(seconds: number, window: number, futureWindow: number): Promise<boolean> {
  const { provider, clock } = directProvider();
  clock.set(seconds * 1000);
  const r = await provider.verify(
    ctx(settings({ window, futureWindow })),
    user,
    enrollment,
    null,
    CODE_T1,
  );
  if (r.ok) expect(r.counter).toBe(1); // the counter is the code's own step, not the current one
  return r.ok;
}

describe('CK-01: the acceptance window, table-driven on the RFC SHA1 code of T = 1', () => {
  const table: [window: number, future: number, firstOk: number, lastOk: number][] = [
    [0, 0, 30, 59], // strict ASVS 6.5.5: the code's own 30 s only
    [1, 0, 30, 89], // default: one step back (RFC 6238 §5.2)
    [2, 0, 30, 119],
    [1, 1, 0, 89], // one step forward only when configured
    [0, 1, 0, 59],
  ];
  for (const [window, future, firstOk, lastOk] of table) {
    it(`window ${window}, future ${future}: accepted for t = ${firstOk}..${lastOk} s and refused outside`, async () => {
      for (let t = 0; t <= 150; t++) {
        expect(await acceptedAt(t, window, future), `t = ${t}`).toBe(t >= firstOk && t <= lastOk);
      }
    });
  }

  it('the CK-01 case: with the default settings the code is ok at t = 30 and 89, INVALID_CODE at t = 90 and at t = 29', async () => {
    const { provider, clock } = directProvider();
    for (const [t, expected] of [
      [30, true],
      [89, true],
      [90, false],
      [29, false],
    ] as const) {
      clock.set(t * 1000);
      const r = await provider.verify(ctx(), user, enrollment, null, CODE_T1);
      expect(r.ok, `t = ${t}`).toBe(expected);
      if (!r.ok) expect(r.reason).toBe('INVALID_CODE');
    }
  });

  it('drift far beyond the window is INVALID_CODE', async () => {
    const { provider, clock } = directProvider();
    clock.set(3600 * 1000);
    await expect(
      provider.verify(
        ctx(settings({ window: 2, futureWindow: 1 })),
        user,
        enrollment,
        null,
        CODE_T1,
      ),
    ).resolves.toEqual({
      ok: false,
      reason: 'INVALID_CODE',
    });
  });
});

describe('CK-02: only the injected server clock is used (ASVS 6.5.8)', () => {
  it('the host process clock (Date.now) does not change the outcome', async () => {
    const { provider, clock } = directProvider();
    clock.set(45_000); // the code's step
    vi.spyOn(Date, 'now').mockReturnValue(10 * 3600 * 1000); // a wildly different process clock
    await expect(provider.verify(ctx(), user, enrollment, null, CODE_T1)).resolves.toMatchObject({
      ok: true,
      counter: 1,
    });
    clock.set(10 * 3600 * 1000);
    vi.spyOn(Date, 'now').mockReturnValue(45_000);
    await expect(provider.verify(ctx(), user, enrollment, null, CODE_T1)).resolves.toEqual({
      ok: false,
      reason: 'INVALID_CODE',
    });
  });

  it('a client-supplied time beside the code is not read: the input is refused as INVALID_FORMAT', async () => {
    const { provider, clock } = directProvider();
    clock.set(10 * 3600 * 1000);
    for (const input of [
      { code: CODE_T1, timestamp: 45_000 },
      { code: CODE_T1, time: 45 },
    ]) {
      await expect(provider.verify(ctx(), user, enrollment, null, input)).resolves.toEqual({
        ok: false,
        reason: 'INVALID_FORMAT',
      });
    }
  });
});
