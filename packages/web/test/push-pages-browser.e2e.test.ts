// A Duo push (the legacy Auth API) from the default pages in a real browser (issue 12): Debian's
// Chromium, driven by playwright-core, against the Express adapter and the offline emulator. The
// push-wait page works without JavaScript (the person presses "Check again" with the keyboard)
// and with it (the page checks again by itself until the phone answers). Asserted by what the
// pages show; the phone is the emulator's push API.
import type { DuoEmulator } from '@factorkit/duo-emulator';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, isFocused, launchChromium } from './browser-kit.js';
import { answerPushes, legacyEnrolledUser, legacySettings, startTestEmulator } from './duo-kit.js';
import { expressRig } from './express-rig.js';
import type { Rig } from './rig.js';
import { useRig } from './suite-kit.js';

const withChromium = chromiumAvailable();
const open = useRig(expressRig);
let browser: Browser;
let emu: DuoEmulator;

/** A Duo user's session after the password, in a tab; the push-wait page on screen. */
async function waitingForPush(javaScriptEnabled: boolean): Promise<{ rig: Rig; page: Page }> {
  const rig = await open({
    duo: legacySettings(emu),
    pages: { afterSignIn: '/account', signOutUrl: '/logout' },
  });
  const origin = new URL((await rig.client().get('/2fa/health')).url).origin;
  const user = await legacyEnrolledUser(rig, emu);
  const client = rig.client();
  await client.login(user);
  const context = await browser.newContext({ locale: 'en-US', javaScriptEnabled });
  await context.addCookies([{ name: 'sid', value: client.cookie()!, url: origin }]);
  const page = await context.newPage();
  await page.goto(`${origin}/2fa/`);
  const useDuo = page.getByRole('button', { name: /^Use Duo/ });
  expect(await isFocused(useDuo)).toBe(true);
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Approve the request' }).waitFor();
  return { rig, page };
}

describe.skipIf(!withChromium)('a Duo push from the pages (Chromium)', () => {
  beforeAll(async () => {
    emu = await startTestEmulator();
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await emu?.stop();
  });

  it('DA-08: without JavaScript, "Check again" shows the wait until the phone approves, then signs in', async () => {
    const { rig, page } = await waitingForPush(false);
    const again = page.getByRole('button', { name: 'Check again' });
    expect(await isFocused(again)).toBe(true);
    await page.keyboard.press('Enter');
    // Not answered yet: the same page, and still no session.
    await page.getByRole('heading', { name: 'Approve the request' }).waitFor();
    expect(rig.signedIn).toHaveLength(0);
    expect(answerPushes(emu, 'approve')).toBe(1);
    expect(await isFocused(page.getByRole('button', { name: 'Check again' }))).toBe(true);
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => u.pathname === '/account');
    expect(await page.textContent('body')).toContain('"ok":true');
    expect(rig.signedIn.map((o) => o.method)).toEqual(['duo-push']);
  });

  it('DA-08: with JavaScript the page checks again by itself and signs in once the phone approves', async () => {
    const { rig, page } = await waitingForPush(true);
    // The page checks by itself (two posts, no key pressed), unanswered; then the phone approves.
    for (let i = 0; i < 2; i++)
      await page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/answer'));
    expect(rig.signedIn).toHaveLength(0);
    expect(new URL(page.url()).pathname).toBe('/2fa/');
    expect(answerPushes(emu, 'approve')).toBe(1);
    await page.waitForURL((u) => u.pathname === '/account');
    expect(rig.signedIn.map((o) => o.method)).toEqual(['duo-push']);
  });

  it('DA-08: a push denied on the phone stops the waiting page, which tells why and checks no more', async () => {
    const { rig, page } = await waitingForPush(true);
    const polls: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST') polls.push(r.url());
    });
    expect(answerPushes(emu, 'deny')).toBe(1);
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toBe('The request was denied.');
    // The message stays on screen: the page no longer checks again by itself.
    const seen = polls.length;
    await page.waitForTimeout(1000);
    expect(polls).toHaveLength(seen);
    expect(await page.getByRole('alert').textContent()).toBe('The request was denied.');
    expect(rig.signedIn).toHaveLength(0);
  });
});
