// The Duo callback route with the server-rendered pages on (fetch handler, offline emulator):
// a browser is answered with 303s, a refusal is a one-shot message on the step page, and a
// forged callback grants nothing. The browser walk-through is duo-pages-browser.e2e.test.ts.
import type { DuoEmulator } from '@factorkit/duo-emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { directRig } from './direct-rig.js';
import {
  CALLBACK_PATH,
  duoEnrolledUser,
  followPrompt,
  startTestEmulator,
  universalSettings,
} from './duo-kit.js';
import { beginPageChallenge } from './pages-kit.js';
import type { Client, Rig } from './rig.js';
import { useRig } from './suite-kit.js';

const open = useRig(directRig);
let emu: DuoEmulator;

/** A Duo user's pending session with the challenge begun from the chooser page. */
async function pagePending(r: Rig): Promise<{ c: Client; query: URLSearchParams }> {
  const user = await duoEnrolledUser(r, emu);
  const c = r.client();
  await c.login(user);
  const page = await beginPageChallenge(c);
  const url = /<a class="button" href="([^"]+)"/.exec(page)?.[1];
  if (url === undefined) throw new Error('no link to Duo on the page');
  return { c, query: await followPrompt(emu, url.replace(/&amp;/g, '&')) };
}

const callback = (c: Client, query: URLSearchParams) =>
  c.get(`${CALLBACK_PATH}?${query.toString()}`);

describe('the Duo callback with the pages', () => {
  beforeAll(async () => {
    emu = await startTestEmulator();
  });
  afterAll(async () => {
    await emu?.stop();
  });
  const rig = () =>
    open({ duo: universalSettings(emu), pages: { afterSignIn: '/home', signOutUrl: '/logout' } });

  it('DU-10: signed in, the browser is sent to afterSignIn with a 303, no Referer and no cache', async () => {
    const r = await rig();
    const { c, query } = await pagePending(r);
    const res = await callback(c, query);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/home');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect((await c.account()).status).toBe(200);
  });

  it("DU-10 / DU-01: another user's callback is sent back to the step page with a message; the real one still works", async () => {
    const r = await rig();
    const alice = await pagePending(r);
    const mallory = await pagePending(r);
    const forged = await callback(mallory.c, alice.query);
    expect(forged.status).toBe(303);
    expect(forged.headers.get('location')).toBe('/2fa/');
    expect((await mallory.c.account()).status).toBe(401);
    const page = await (await mallory.c.get('/2fa/')).text();
    expect(page).toContain('<p id="form-error" role="alert">');
    expect(page).toContain('The answer did not belong to this sign-in. Start again.');
    expect(r.signedIn).toHaveLength(0);
    expect((await callback(alice.c, alice.query)).headers.get('location')).toBe('/home');
  });

  it('DU-10: a replayed callback after signing in grants nothing more', async () => {
    const r = await rig();
    const { c, query } = await pagePending(r);
    expect((await callback(c, query)).headers.get('location')).toBe('/home');
    const again = await callback(c, query);
    expect(again.status).toBe(303);
    expect(again.headers.get('location')).toBe('/2fa/');
    expect(r.signedIn).toHaveLength(1);
  });
});
