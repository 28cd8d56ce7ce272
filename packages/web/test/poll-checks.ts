/**
 * Push polling over HTTP (`POST /2fa/challenge/poll`) against the emulator's Auth API, on any
 * rig: waiting, approved, denied, a bounded long poll. Each case names the SECURITY.md
 * requirement it proves.
 */
import type { DuoEmulator } from '@factorkit/duo-emulator';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { answerPushes, legacyEnrolledUser, legacySettings, startTestEmulator } from './duo-kit.js';
import type { Client, Rig } from './rig.js';
import { errorOf, type OpenRig } from './suite-kit.js';

/** A pending session of a Duo (Auth API) user whose push is on the phone now. */
async function pushPending(r: Rig, emu: DuoEmulator): Promise<Client> {
  const user = await legacyEnrolledUser(r, emu);
  const c = r.client();
  await c.login(user);
  const begun = await c.post('/2fa/challenge', {});
  expect(begun.status).toBe(201);
  const { prompt } = (await begun.json()) as { prompt: { kind: string; pollIntervalMs: number } };
  expect(prompt).toMatchObject({ kind: 'push-wait', pollIntervalMs: 250 });
  return c;
}

export function pollChecks(open: OpenRig): void {
  let emu: DuoEmulator;
  beforeAll(async () => {
    emu = await startTestEmulator();
  });
  afterAll(async () => {
    await emu?.stop();
  });
  const rig = () => open({ duo: legacySettings(emu) });

  it('DA-08: a poll answers waiting until the phone approves, then signs the session in', async () => {
    const r = await rig();
    const c = await pushPending(r, emu);
    const waiting = await c.post('/2fa/challenge/poll', {});
    expect(waiting.status).toBe(202);
    expect(waiting.headers.get('cache-control')).toBe('no-store');
    expect(await waiting.json()).toEqual({ ok: false, waiting: true, status: 'waiting' });
    expect((await c.account()).status).toBe(401);
    expect(answerPushes(emu, 'approve')).toBe(1);
    const before = c.cookie();
    const approved = await c.post('/2fa/challenge/poll', {});
    expect(approved.status).toBe(200);
    const body = (await approved.json()) as { status: string; outcome: { method: string } };
    expect(body).toMatchObject({ ok: true, status: 'approved', outcome: { method: 'duo-push' } });
    expect(c.cookie()).not.toBe(before);
    expect((await c.account()).status).toBe(200);
    // Polling it again: the push was spent with the sign-in.
    expect((await c.post('/2fa/challenge/poll', {})).status).toBe(409);
  });

  it('DA-08: a denied push is PROVIDER_DENIED and signs nothing in', async () => {
    const r = await rig();
    const c = await pushPending(r, emu);
    expect(answerPushes(emu, 'deny')).toBe(1);
    const denied = await c.post('/2fa/challenge/poll', {});
    expect(denied.status).toBe(401);
    expect((await errorOf(denied)).code).toBe('PROVIDER_DENIED');
    expect((await c.account()).status).toBe(401);
    expect(r.signedIn).toHaveLength(0);
  });

  it('DA-08: a long poll stops asking core once the client has gone away', async () => {
    const r = await rig();
    const c = await pushPending(r, emu);
    let asks = 0;
    const complete = r.service.completeChallenge.bind(r.service);
    r.service.completeChallenge = (...args: Parameters<typeof complete>) => {
      asks++;
      return complete(...args);
    };
    const gone = new AbortController();
    const polling = c.post('/2fa/challenge/poll', { waitMs: 20_000 }, { signal: gone.signal });
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    gone.abort();
    await polling.catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const atAbort = asks;
    expect(atAbort).toBeGreaterThanOrEqual(2);
    // Held open for the full 20 s it would ask about 40 times; gone, it asks no more.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(asks).toBe(atAbort);
    r.service.completeChallenge = complete;
  });

  it('DA-08: a long poll is held open until the phone answers, within its bound', async () => {
    const r = await rig();
    const c = await pushPending(r, emu);
    const tooLong = await c.post('/2fa/challenge/poll', { waitMs: 60_000 });
    expect(tooLong.status).toBe(400);
    const started = Date.now();
    const answered = new Promise<void>((resolve) =>
      setTimeout(() => {
        answerPushes(emu, 'approve');
        resolve();
      }, 600),
    );
    const res = await c.post('/2fa/challenge/poll', { waitMs: 10_000 });
    await answered;
    expect(res.status).toBe(200);
    expect(((await res.json()) as { status: string }).status).toBe('approved');
    // Answered when the phone was, not at the bound (600 ms, plus one ask of core).
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('DA-05 / DA-08: giving up with { cancel: true } ends the step; a later approval signs nothing in', async () => {
    const r = await rig();
    const c = await pushPending(r, emu);
    const cancelled = await c.post('/2fa/challenge/poll', { cancel: true });
    expect(cancelled.status).toBe(409);
    expect((await errorOf(cancelled)).code).toBe('CHALLENGE_EXPIRED');
    // The Auth API cannot withdraw a push: it is still on the phone, and approving it now is late.
    expect(answerPushes(emu, 'approve')).toBe(1);
    const late = await c.post('/2fa/challenge/poll', {});
    expect(late.status).toBe(409);
    expect((await c.account()).status).toBe(401);
    expect(r.signedIn).toHaveLength(0);
  });

  it('DA-08 / FL-12: a poll needs the CSRF token, and a session without a push has nothing to poll', async () => {
    const r = await rig();
    const c = await pushPending(r, emu);
    const forged = await c.post('/2fa/challenge/poll', {}, { csrf: null });
    expect(forged.status).toBe(403);
    expect((await errorOf(forged)).code).toBe('CSRF_INVALID');
    const other = r.client();
    await other.login(await legacyEnrolledUser(r, emu));
    const nothing = await other.post('/2fa/challenge/poll', {});
    expect(nothing.status).toBe(409);
    expect((await errorOf(nothing)).code).toBe('CHALLENGE_NOT_FOUND');
    // The first session's push is still its own to finish.
    answerPushes(emu, 'approve');
    expect((await c.post('/2fa/challenge/poll', {})).status).toBe(200);
  });
}
