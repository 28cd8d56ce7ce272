/**
 * The Duo callback route (`GET /2fa/callback/duo`) against the offline emulator, on any rig:
 * a sign-in and an enrollment told apart by the kept step, and the attacks on it. Each case names
 * the SECURITY.md requirement it proves.
 */
import type { DuoEmulator } from '@factorkit/duo-emulator';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  CALLBACK_PATH,
  duoEnrolledUser,
  duoUser,
  followPrompt,
  startTestEmulator,
  universalSettings,
} from './duo-kit.js';
import { tokenOf, type Client, type Rig } from './rig.js';
import { errorOf, type OpenRig } from './suite-kit.js';

/** A pending session of a Duo user with its challenge begun; the callback Duo would send. */
async function duoPending(r: Rig, emu: DuoEmulator) {
  const user = await duoEnrolledUser(r, emu);
  const c = r.client();
  await c.visit();
  await c.login(user);
  const query = await beginAndFollow(c, emu);
  return { user, c, query };
}

/** `POST /challenge`, then the user's trip through Duo: the callback's query. */
async function beginAndFollow(c: Client, emu: DuoEmulator): Promise<URLSearchParams> {
  const begun = await c.post('/2fa/challenge', {});
  expect(begun.status).toBe(201);
  const { prompt } = (await begun.json()) as { prompt: { kind: string; url: string } };
  expect(prompt.kind).toBe('redirect');
  return followPrompt(emu, prompt.url);
}

const callback = (c: Client, query: URLSearchParams) =>
  c.get(`${CALLBACK_PATH}?${query.toString()}`);

export function callbackChecks(open: OpenRig): void {
  let emu: DuoEmulator;
  beforeAll(async () => {
    emu = await startTestEmulator();
  });
  afterAll(async () => {
    await emu?.stop();
  });
  const rig = () => open({ duo: universalSettings(emu) });

  it('DU-10: the callback signs the session in with no CSRF token, uncached and with no Referer', async () => {
    const r = await rig();
    const { c, query } = await duoPending(r, emu);
    const before = c.cookie();
    // As Duo's redirect: a plain GET, no X-CSRF-Token header.
    const res = await callback(c, query);
    expect(res.status).toBe(200);
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as { ok: boolean; outcome: { providerId: string } };
    expect(body).toMatchObject({ ok: true, outcome: { providerId: 'duo' } });
    // The session id was rotated (RP-06) and the host was told.
    expect(c.cookie()).not.toBe(before);
    expect(r.signedIn.map((o) => o.providerId)).toEqual(['duo']);
    expect((await c.account()).status).toBe(200);
  });

  it('DU-10 / RP-05: a replayed callback is refused on the new session and on the old cookie', async () => {
    const r = await rig();
    const { c, query } = await duoPending(r, emu);
    const oldCookie = c.cookie();
    expect((await callback(c, query)).status).toBe(200);
    const again = await callback(c, query);
    expect(again.status).toBe(409);
    expect((await errorOf(again)).code).toBe('CHALLENGE_NOT_FOUND');
    const thief = r.client();
    thief.setCookie(oldCookie);
    const stale = await callback(thief, query);
    expect(stale.status).toBe(401);
    expect((await errorOf(stale)).code).toBe('NO_SECOND_STEP');
    expect((await thief.account()).status).toBe(401);
    expect(r.signedIn).toHaveLength(1);
  });

  it("DU-01 / FL-05: another user's callback at Mallory's session is STATE_MISMATCH; Alice's step survives", async () => {
    const r = await rig();
    const alice = await duoPending(r, emu);
    const mallory = await duoPending(r, emu);
    const stolen = await callback(mallory.c, alice.query);
    expect(stolen.status).toBe(401);
    expect((await errorOf(stolen)).code).toBe('STATE_MISMATCH');
    expect((await mallory.c.account()).status).toBe(401);
    // Neither step was spent by the forgery: both real callbacks still work.
    expect((await callback(alice.c, alice.query)).status).toBe(200);
    expect((await callback(mallory.c, mallory.query)).status).toBe(200);
    expect(r.signedIn.map((o) => o.userId)).toEqual([alice.user.id, mallory.user.id]);
  });

  it("DU-10: the same user's callback from another browser session is refused; each session answers only its own", async () => {
    const r = await rig();
    const first = await duoPending(r, emu);
    const second = r.client();
    await second.login(first.user);
    await beginAndFollow(second, emu);
    const crossed = await callback(second, first.query);
    expect(crossed.status).toBe(401);
    expect((await errorOf(crossed)).code).toBe('STATE_MISMATCH');
    expect((await second.account()).status).toBe(401);
    expect((await callback(first.c, first.query)).status).toBe(200);
  });

  it('DU-10: without a kept step (none begun, no session, no state) the callback grants nothing', async () => {
    const r = await rig();
    const { c, query } = await duoPending(r, emu);
    const idle = r.client();
    await idle.login(await duoEnrolledUser(r, emu));
    const none = await callback(idle, query);
    expect(none.status).toBe(409);
    expect((await errorOf(none)).code).toBe('CHALLENGE_NOT_FOUND');
    const anonymous = await callback(r.client(), query);
    expect(anonymous.status).toBe(401);
    expect((await errorOf(anonymous)).code).toBe('NO_SECOND_STEP');
    const stateless = new URLSearchParams(query);
    stateless.delete('state');
    const missing = await callback(c, stateless);
    expect(missing.status).toBe(400);
    expect(r.signedIn).toHaveLength(0);
    // The session's own step was not touched by any of these.
    expect((await callback(c, query)).status).toBe(200);
  });

  it('DU-09 / FL-15: the same callback twice at once (a double click) signs in once; the other is refused', async () => {
    const r = await rig();
    const { c, query } = await duoPending(r, emu);
    const both = await Promise.all([callback(c, query), callback(c, query)]);
    const statuses = both.map((res) => res.status).sort();
    expect(statuses[0]).toBe(200);
    expect(statuses[1]).toBeGreaterThanOrEqual(400);
    expect(r.signedIn).toHaveLength(1);
  });

  it('DU-10 / DU-07b: a tampered duo_code is refused and spends the step: the genuine code no longer signs in', async () => {
    const r = await rig();
    const { c, query } = await duoPending(r, emu);
    const tampered = new URLSearchParams(query);
    const code = query.get('duo_code')!;
    tampered.set('duo_code', `${code.slice(0, -1)}${code.endsWith('A') ? 'B' : 'A'}`);
    const res = await callback(c, tampered);
    expect(res.status).toBe(502);
    expect((await errorOf(res)).code).toBe('PROVIDER_ERROR');
    const genuine = await callback(c, query);
    expect(genuine.status).toBe(409);
    expect((await c.account()).status).toBe(401);
    expect(r.signedIn).toHaveLength(0);
  });

  it('DU-07a: a callback carrying error (the user pressed Deny) is PROVIDER_DENIED', async () => {
    const r = await rig();
    const { c, query } = await duoPending(r, emu);
    const denied = new URLSearchParams({ state: query.get('state')!, error: 'access_denied' });
    const res = await callback(c, denied);
    expect(res.status).toBe(401);
    expect((await errorOf(res)).code).toBe('PROVIDER_DENIED');
    expect((await c.account()).status).toBe(401);
  });

  it('DU-10: an enrollment returning from Duo is completed as an activation, and the session stays pending', async () => {
    const r = await rig();
    const user = duoUser(emu);
    const c = r.client();
    const started = await c.login(user);
    expect(started.requirement.action).toBe('enroll');
    const prompt = await c.get('/2fa/enroll/duo', { 'x-csrf-token': await tokenOf(c) });
    expect(prompt.status).toBe(201);
    const { prompt: redirect } = (await prompt.json()) as { prompt: { url: string } };
    const query = await followPrompt(emu, redirect.url);
    const res = await callback(c, query);
    expect(res.status).toBe(201);
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    const body = (await res.json()) as { providerId: string; next: { action: string } };
    expect(body).toMatchObject({ ok: true, providerId: 'duo', next: { action: 'challenge' } });
    // Enrolling is not signing in: the new factor must still be used (FL-02).
    expect((await c.account()).status).toBe(401);
    expect((await callback(c, query)).status).toBe(409);
    expect((await callback(c, await beginAndFollow(c, emu))).status).toBe(200);
    expect((await c.account()).status).toBe(200);
  });
}
