// Duo on the account pages (fetch handler, offline emulator): adding Duo from Security settings
// goes through the Universal Prompt and its callback back to the settings (DU-10); Duo's redirect
// cannot confirm a step-up yet (the callback has no step-up), which the page says instead of
// sending the person away. A Duo push (Auth API) confirms a step-up on the push page.
import type { DuoEmulator } from '@factorkit/duo-emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountHtml } from './account-pages-checks.js';
import { directRig } from './direct-rig.js';
import {
  CALLBACK_PATH,
  answerPushes,
  duoEnrolledUser,
  legacyEnrolledUser,
  legacySettings,
  duoUser,
  followPrompt,
  startTestEmulator,
  universalSettings,
} from './duo-kit.js';
import { beginPageChallenge, csrfOf, postForm } from './pages-kit.js';
import { appFor, type Rig } from './rig.js';
import { staleStepUp, useRig } from './suite-kit.js';

const open = useRig(directRig);
let emu: DuoEmulator;

/** The first `<a class="button">` of a page: the link to Duo's prompt. */
function duoLink(html: string): string {
  const url = /<a class="button" href="([^"]+)"/.exec(html)?.[1];
  if (url === undefined) throw new Error('no link to Duo on the page');
  return url.replace(/&amp;/g, '&');
}

/** A user Duo knows, enrolled with TOTP through core and signed in with it over JSON. */
async function totpSignedIn(r: Rig) {
  const user = duoUser(emu);
  const started = await r.service.beginActivation(user, 'totp');
  const app = appFor(started.prompt);
  const code = () => app.generate({ timestamp: r.clock.now() });
  const done = await r.service.completeActivation(started.activationId, user, code());
  if (done.ok !== true) throw new Error('enrollment did not complete');
  r.clock.advance(30_000);
  const c = r.client();
  await c.login(user);
  expect((await c.post('/2fa/challenge', {})).status).toBe(201);
  expect((await c.post('/2fa/challenge/answer', { code: code() })).status).toBe(200);
  return { user, c };
}

describe('Duo on the account pages', () => {
  beforeAll(async () => {
    emu = await startTestEmulator();
  });
  afterAll(async () => {
    await emu?.stop();
  });
  const rig = () =>
    open({ duo: universalSettings(emu), pages: { afterSignIn: '/home', signOutUrl: '/logout' } });

  it('DU-10: adding Duo from Security settings goes through the prompt and back to the settings', async () => {
    const r = await rig();
    const { user, c } = await totpSignedIn(r);
    const html = await accountHtml(c);
    expect(html).toContain('<form method="post" action="/2fa/page/account/enroll/duo">');
    const begun = await postForm(c, '/2fa/page/account/enroll/duo', { _csrf: csrfOf(html) });
    expect(begun.headers.get('location')).toBe('/2fa/account/enroll');
    const prompt = await (await c.get('/2fa/account/enroll')).text();
    const query = await followPrompt(emu, duoLink(prompt));
    const back = await c.get(`${CALLBACK_PATH}?${query.toString()}`);
    expect(back.status).toBe(303);
    expect(back.headers.get('location')).toBe('/2fa/account');
    expect(await accountHtml(c)).toContain('(Duo)');
    expect((await r.service.listEnrollments(user)).map((e) => e.providerId)).toEqual([
      'totp',
      'duo',
    ]);
    // The callback works once (DU-10): a replay adds nothing.
    expect((await c.get(`${CALLBACK_PATH}?${query.toString()}`)).status).toBe(303);
    expect(await r.service.listEnrollments(user)).toHaveLength(2);
  });

  it('FL-13: Duo’s redirect cannot confirm a step-up: the page says so and nothing is kept', async () => {
    const r = await rig();
    const user = await duoEnrolledUser(r, emu);
    const c = r.client();
    await c.login(user);
    const query = await followPrompt(emu, duoLink(await beginPageChallenge(c)));
    expect((await c.get(`${CALLBACK_PATH}?${query.toString()}`)).headers.get('location')).toBe(
      '/home',
    );
    staleStepUp(r);
    const chooser = await (await c.get('/2fa/account/step-up')).text();
    const enrollmentId = /name="enrollmentId" value="([^"]+)"/.exec(chooser)![1]!;
    const res = await postForm(c, '/2fa/page/account/step-up', {
      _csrf: csrfOf(chooser),
      enrollmentId,
    });
    expect(res.headers.get('location')).toBe('/2fa/account/step-up');
    const again = await (await c.get('/2fa/account/step-up')).text();
    expect(again).toContain('This method cannot be used on these pages yet: choose another one.');
    expect(again).not.toContain('<a class="button"');
    const state = await r.steps.state({ id: c.cookie()!, rotateId: async () => {} });
    expect(state?.phase === 'authenticated' && state.stepUp).toBeFalsy();
  });

  it('FL-13: a Duo push confirms the step-up from the push page: waiting, then approved', async () => {
    // The shortest step-up window: the Auth API's signed requests must stay near the emulator's
    // own clock, which the rig's fake clock would leave behind after the default ten minutes.
    const r = await open({
      duo: legacySettings(emu),
      pages: { afterSignIn: '/home' },
      clientPolicy: { stepUpSeconds: 30 },
    });
    const user = await legacyEnrolledUser(r, emu);
    const c = r.client();
    await c.login(user);
    expect((await c.post('/2fa/challenge', {})).status).toBe(201);
    answerPushes(emu, 'approve');
    expect((await c.post('/2fa/challenge/poll', {})).status).toBe(200);
    r.clock.advance(31_000);
    const settings = await accountHtml(c);
    const stale = await postForm(c, '/2fa/page/account/recovery-codes', {
      _csrf: csrfOf(settings),
    });
    expect(stale.headers.get('location')).toBe('/2fa/account/step-up');
    const chooser = await (await c.get('/2fa/account/step-up')).text();
    const enrollmentId = /name="enrollmentId" value="([^"]+)"/.exec(chooser)![1]!;
    const token = csrfOf(chooser);
    const begun = await postForm(c, '/2fa/page/account/step-up', { _csrf: token, enrollmentId });
    expect(begun.headers.get('location')).toBe('/2fa/account/step-up');
    const push = await (await c.get('/2fa/account/step-up')).text();
    expect(push).toContain('<h1>Approve the request</h1>');
    expect(push).toContain('action="/2fa/page/account/step-up/answer"');
    const waiting = await postForm(c, '/2fa/page/account/step-up/answer', {
      _csrf: token,
      poll: '1',
    });
    expect(waiting.headers.get('location')).toBe('/2fa/account/step-up');
    expect(answerPushes(emu, 'approve')).toBe(1);
    const approved = await postForm(c, '/2fa/page/account/step-up/answer', {
      _csrf: token,
      poll: '1',
    });
    expect(approved.headers.get('location')).toBe('/2fa/account');
    expect(await accountHtml(c)).toContain('Thank you, it is confirmed.');
  });
});
