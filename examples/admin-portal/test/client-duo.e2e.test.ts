/**
 * Duo's Universal Prompt in the client area, in Chromium, through the in-process Duo emulator's
 * own prompt page (its Approve and Deny buttons): set up at sign-in (2FA forced), Deny does not
 * sign in, Approve does; the callback URL of that success, visited again later in the same
 * browser and in another one, signs nobody in (DU-10, RP-05).
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  chromiumAvailable,
  expectHeading,
  launchChromium,
  screenshotOnFailure,
  signInWithPassword,
} from './support/browser.js';
import { forceTwoFactorForClients } from './support/deployment.js';
import { startPortalProcess, type PortalProcess } from './support/portal-process.js';
import { clientAreaOpens, signOut } from './support/second-step.js';

/** From "Continue at your provider": the link to Duo, then a button on the emulator's page. */
async function answerAtDuo(page: Page, portal: PortalProcess, button: 'Approve' | 'Deny') {
  await expectHeading(page, 'Continue at your provider');
  await page.getByRole('link', { name: 'Go to the confirmation page' }).click();
  await page.waitForURL((u) => u.origin !== portal.url);
  await expectHeading(page, 'Duo Push');
  await page.getByRole('button', { name: button }).click();
  await page.waitForURL((u) => u.origin === portal.url);
  await page.waitForLoadState('domcontentloaded');
}

describe.runIf(chromiumAvailable())('Duo Universal Prompt at sign-in (Chromium)', () => {
  let portal: PortalProcess;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    portal = await startPortalProcess();
    browser = await launchChromium();
    await forceTwoFactorForClients(portal);
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await portal?.stop();
  });
  afterEach(async (ctx) => {
    await screenshotOnFailure(page, ctx.task);
    await context?.close();
  });

  // The emulator serves HTTPS with a CA made at its start inside the portal process; these
  // contexts accept it (they only ever visit the portal on http and the loopback emulator).
  const newContext = () => browser.newContext({ locale: 'en-US', ignoreHTTPSErrors: true });

  it('DU-07, DU-10, RP-05: sets up Duo, Deny does not sign in, Approve does, and the callback URL replayed later signs nobody in', async () => {
    context = await newContext();
    page = await context.newPage();
    const callbacks: string[] = [];
    page.on('request', (r) => {
      if (new URL(r.url()).pathname === '/2fa/callback/duo') callbacks.push(r.url());
    });

    await signInWithPassword(page, portal.url, portal.client1);
    await expectHeading(page, 'Set up two-factor authentication');
    await page.getByRole('button', { name: 'Set up Duo' }).click();
    await answerAtDuo(page, portal, 'Approve');
    await expectHeading(page, 'Save your recovery codes');
    await page.getByRole('link', { name: 'I have saved them, continue' }).click();
    await expectHeading(page, 'Confirm that it is you');

    // Deny at Duo: back on the step page, told why, the client area still shut.
    await page.getByRole('button', { name: /^Use Duo/ }).click();
    await answerAtDuo(page, portal, 'Deny');
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('The request was denied.');
    expect(await clientAreaOpens(page, portal)).toBe(false);

    await page.goto(`${portal.url}/2fa/`);
    await page.getByRole('button', { name: /^Use Duo/ }).click();
    await answerAtDuo(page, portal, 'Approve');
    await expectHeading(page, /Welcome back, Chris Client/);
    const success = callbacks.at(-1)!;
    expect(new URL(success).searchParams.get('duo_code')).toBeTruthy();

    // The same browser, signed out and past the password again: the old URL grants nothing.
    await signOut(page, portal);
    await signInWithPassword(page, portal.url, portal.client1);
    await expectHeading(page, 'Confirm that it is you');
    await page.goto(success);
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/Start again/);
    expect(await clientAreaOpens(page, portal)).toBe(false);

    // Another browser, same user past the password: nothing either.
    const other = await newContext();
    try {
      const otherPage = await other.newPage();
      await signInWithPassword(otherPage, portal.url, portal.client1);
      await expectHeading(otherPage, 'Confirm that it is you');
      await otherPage.goto(success);
      await expect.poll(() => otherPage.getByRole('alert').textContent()).toMatch(/Start again/);
      expect(await clientAreaOpens(otherPage, portal)).toBe(false);

      // And a browser with no session at all is only sent to sign in.
      const fresh = await other.browser()!.newContext({ ignoreHTTPSErrors: true });
      const freshPage = await fresh.newPage();
      await freshPage.goto(success);
      await expectHeading(freshPage, 'Sign in first');
      expect(await clientAreaOpens(freshPage, portal)).toBe(false);
      await fresh.close();
    } finally {
      await other.close();
    }

    // The person's own sign-in still works with Duo afterwards.
    await page.goto(`${portal.url}/2fa/`);
    await page.getByRole('button', { name: /^Use Duo/ }).click();
    await answerAtDuo(page, portal, 'Approve');
    await expectHeading(page, /Welcome back/);
  }, 90_000);
});
