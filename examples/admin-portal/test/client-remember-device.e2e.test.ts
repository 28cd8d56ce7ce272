/**
 * "Remember this device" in the client area, in Chromium: ticked on the code page, the next
 * sign-in on this browser skips the second step (FL-16); forgetting the device needs a fresh
 * second factor first, even on the remembered session (FL-08), and then the next sign-in asks
 * for a code again and the dead cookie is cleared (FL-17). The device is forgotten on the
 * Security settings page, after its "Confirm it's you" step.
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
import { clientAreaOpens, enrollTotpAtSignIn, nextCode, signOut } from './support/second-step.js';

const DEVICE_COOKIE = '__Host-factorkit_device';

describe.runIf(chromiumAvailable())('remember this device in the client area (Chromium)', () => {
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

  it('FL-16, FL-08, FL-17: ticked, the next sign-in skips the second step; forgotten after a step-up, it asks again', async () => {
    context = await browser.newContext({ locale: 'en-US' });
    page = await context.newPage();
    const { key } = await enrollTotpAtSignIn(page, portal, portal.client1);

    await page.getByRole('button', { name: 'Use authenticator app' }).click();
    await expectHeading(page, 'Enter your code');
    const remember = page.getByRole('checkbox', { name: 'Remember this device for 30 days' });
    expect(await remember.isChecked()).toBe(false);
    await page.getByLabel('Code', { exact: true }).fill(nextCode(portal, key));
    await remember.check();
    await page.getByRole('button', { name: 'Continue' }).click();
    await expectHeading(page, /Welcome back/);
    const cookie = (await context.cookies()).find((c) => c.name === DEVICE_COOKIE);
    expect(cookie).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Strict', path: '/' });

    // Next time on this browser: the password alone opens the client area.
    await signOut(page, portal);
    await signInWithPassword(page, portal.url, portal.client1);
    await expectHeading(page, /Welcome back, Chris Client/);
    expect(new URL(page.url()).pathname).toBe('/client');

    // On Security settings: a remembered session proves no recent second factor, so forgetting
    // the device first asks "Confirm it's you" with a code.
    await page.getByRole('navigation').getByRole('link', { name: 'Security settings' }).click();
    await expectHeading(page, 'Security settings');
    const forget = page.getByRole('button', { name: /^Forget (?!all devices)/ });
    expect(await forget.count()).toBe(1);
    await forget.click();
    await expectHeading(page, 'Confirm it’s you');
    expect(await page.getByRole('alert').textContent()).toBe(
      'Confirm your second factor again first.',
    );
    await page.getByRole('main').getByRole('button').first().click();
    await expectHeading(page, 'Enter your code');
    await page.getByLabel('Code', { exact: true }).fill(nextCode(portal, key));
    await page.keyboard.press('Enter');
    await expectHeading(page, 'Security settings');
    expect(await page.getByRole('status').textContent()).toBe(
      'Thank you, it is confirmed. Now make your change.',
    );
    await page.getByRole('button', { name: /^Forget (?!all devices)/ }).click();
    await expect
      .poll(() => page.getByRole('status').textContent())
      .toBe('The device was forgotten.');
    expect(await page.getByText('No device is remembered.').count()).toBe(1);

    // Forgotten: the next sign-in asks for the second factor, and the dead cookie is cleared.
    await signOut(page, portal);
    await signInWithPassword(page, portal.url, portal.client1);
    await expectHeading(page, 'Confirm that it is you');
    expect(await clientAreaOpens(page, portal)).toBe(false);
    expect((await context.cookies()).some((c) => c.name === DEVICE_COOKIE)).toBe(false);
  }, 90_000);
});
