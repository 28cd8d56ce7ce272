/**
 * Duo's Universal Prompt in the client area, in Chromium, through the in-process Duo emulator's
 * own prompt page (its Approve and Deny buttons): set up at sign-in (2FA forced), Deny does not
 * sign in, Approve does; the callback URL of that success, visited again later in the same
 * browser and in another one, signs nobody in (DU-10, RP-05). With the legacy Auth API, the
 * push is answered on the demo devices page, which shows and answers only the session's own
 * user's pushes (FL-05).
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
import { editDeployment, forceTwoFactorForClients } from './support/deployment.js';
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

  it("DA-08, FL-05: a legacy push is denied and then approved on the demo devices page, which answers only its own user's pushes", async () => {
    await editDeployment(portal, (doc) => {
      // The switch as the admin area makes it: the Universal Prompt's redirect URL goes too.
      const duo = doc.providers['duo']!.settings!;
      duo['version'] = 'legacy';
      delete duo['redirectUrl'];
    });
    context = await newContext();
    page = await context.newPage();
    await signInWithPassword(page, portal.url, portal.client2);
    await expectHeading(page, 'Set up two-factor authentication');
    await page.getByRole('button', { name: 'Set up Duo' }).click();
    // Setting up Duo with the Auth API sends a push as well: approved on the demo devices page.
    await expectHeading(page, 'Approve the request');
    const devices = await context.newPage();
    await devices.goto(`${portal.url}/demo/devices`);
    await expectHeading(devices, 'Demo devices');
    const pushes = devices.getByRole('list', { name: 'Pushes waiting for your answer' });
    await expect.poll(() => pushes.getByRole('listitem').count()).toBe(1);
    await pushes.getByRole('button', { name: 'Approve' }).click();
    await expect.poll(() => devices.getByRole('status').textContent()).toMatch(/^Approved\./);
    await page.getByRole('button', { name: 'Check again' }).click();
    await expectHeading(page, 'Save your recovery codes');
    await page.getByRole('link', { name: 'I have saved them, continue' }).click();
    await page.getByRole('button', { name: /^Use Duo/ }).click();
    await expectHeading(page, 'Approve the request');

    await devices.reload();
    await expect.poll(() => pushes.getByRole('listitem').count()).toBe(1);
    await pushes.getByRole('button', { name: 'Deny' }).click();
    await expect.poll(() => devices.getByRole('status').textContent()).toMatch(/^Denied\./);
    await page.getByRole('button', { name: 'Check again' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('The request was denied.');
    expect(await clientAreaOpens(page, portal)).toBe(false);

    // Another user's push, waiting in another browser: not listed here, and not answerable.
    const other = await newContext();
    try {
      const otherPage = await other.newPage();
      await signInWithPassword(otherPage, portal.url, portal.client1);
      await otherPage.getByRole('button', { name: /^Use Duo/ }).click();
      await expectHeading(otherPage, 'Approve the request');
      const otherDevices = await other.newPage();
      await otherDevices.goto(`${portal.url}/demo/devices`);
      const theirTxid = await otherDevices.locator('input[name="txid"]').first().inputValue();
      await devices.reload();
      expect(await devices.locator(`input[value="${theirTxid}"]`).count()).toBe(0);
      const csrf = await devices.locator('input[name="_csrf"]').first().inputValue();
      const forged = await context.request.post(`${portal.url}/demo/devices/duo`, {
        form: { _csrf: csrf, txid: theirTxid, decision: 'approve' },
        maxRedirects: 0,
      });
      expect(forged.status()).toBe(303);
      await devices.reload();
      expect(await devices.getByRole('alert').textContent()).toBe(
        'That request is no longer waiting for your answer.',
      );
      await otherDevices.reload();
      // Still waiting for its own user (its Approve and Deny forms both carry it).
      expect(await otherDevices.locator(`input[value="${theirTxid}"]`).count()).toBe(2);
      expect(await clientAreaOpens(otherPage, portal)).toBe(false);
    } finally {
      await other.close();
    }

    // Approved: the sign-in page's "Check again" signs the person in.
    await page.goto(`${portal.url}/2fa/`);
    await page.getByRole('button', { name: /^Use Duo/ }).click();
    await expectHeading(page, 'Approve the request');
    await devices.reload();
    await expect.poll(() => pushes.getByRole('listitem').count()).toBe(1);
    await pushes.getByRole('button', { name: 'Approve' }).click();
    await expect.poll(() => devices.getByRole('status').textContent()).toMatch(/^Approved\./);
    await page.getByRole('button', { name: 'Check again' }).click();
    await expectHeading(page, /Welcome back, Casey Client/);
  }, 90_000);
});
