/**
 * The login and the second step with the keyboard alone, in Chromium, for the authenticator
 * app: the first field of each page has the focus, Tab goes through the controls in reading
 * order, Enter submits. Only keys are pressed; the page is read for the key and the codes.
 */
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  chromiumAvailable,
  expectHeading,
  isFocused,
  launchChromium,
  screenshotOnFailure,
} from './support/browser.js';
import { forceTwoFactorForClients } from './support/deployment.js';
import { startPortalProcess, type PortalProcess } from './support/portal-process.js';
import { nextCode, oathtoolCode } from './support/second-step.js';

/** Presses Tab once and says whether `next` then has the focus. */
async function tabReaches(page: Page, next: Locator): Promise<boolean> {
  await page.keyboard.press('Tab');
  return isFocused(next, 10);
}

describe.runIf(chromiumAvailable())(
  'keyboard-only sign-in with the authenticator app (Chromium)',
  () => {
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

    async function passwordByKeyboard(): Promise<void> {
      await page.goto(`${portal.url}/login`);
      const email = page.getByLabel('Email address');
      expect(await isFocused(email)).toBe(true);
      await page.keyboard.type(portal.client1.email);
      expect(await tabReaches(page, page.getByLabel('Password'))).toBe(true);
      await page.keyboard.type(portal.client1.password);
      expect(await tabReaches(page, page.getByRole('button', { name: 'Sign in' }))).toBe(true);
      await page.keyboard.press('Shift+Tab');
      await page.keyboard.press('Enter');
    }

    it('enrolls and signs in by keyboard: focus on the first control, Tab in order, Enter submits', async () => {
      context = await browser.newContext({ locale: 'en-US' });
      page = await context.newPage();
      await passwordByKeyboard();

      await expectHeading(page, 'Set up two-factor authentication');
      const setUp = page.getByRole('button', { name: 'Set up authenticator app' });
      expect(await isFocused(setUp)).toBe(true);
      await page.keyboard.press('Enter');

      await expectHeading(page, 'Set up your authenticator app');
      const key = (await page.locator('#manual-key').textContent())!.replace(/\s+/g, '');
      expect(await isFocused(page.getByLabel('Code from the app'))).toBe(true);
      await page.keyboard.type(oathtoolCode(key, portal.now()));
      await page.keyboard.press('Enter');

      await expectHeading(page, 'Save your recovery codes');
      expect(await isFocused(page.getByRole('link', { name: 'I have saved them, continue' }))).toBe(
        true,
      );
      await page.keyboard.press('Enter');

      await expectHeading(page, 'Confirm that it is you');
      expect(await isFocused(page.getByRole('button', { name: 'Use authenticator app' }))).toBe(
        true,
      );
      await page.keyboard.press('Enter');

      await expectHeading(page, 'Enter your code');
      const code = page.getByLabel('Code', { exact: true });
      expect(await isFocused(code)).toBe(true);
      // Reading order: the code, the remember box, Continue, the recovery-code link.
      const remember = page.getByRole('checkbox', { name: /Remember this device/ });
      expect(await tabReaches(page, remember)).toBe(true);
      expect(await tabReaches(page, page.getByRole('button', { name: 'Continue' }))).toBe(true);
      expect(
        await tabReaches(page, page.getByRole('link', { name: 'Use a recovery code instead' })),
      ).toBe(true);
      await page.keyboard.press('Shift+Tab');
      await page.keyboard.press('Shift+Tab');
      await page.keyboard.press('Shift+Tab');
      expect(await isFocused(code)).toBe(true);
      await page.keyboard.type(nextCode(portal, key));
      await page.keyboard.press('Enter');
      await expectHeading(page, /Welcome back, Chris Client/);
      expect(await remember.count()).toBe(0);

      // Signing out by keyboard too: Tab to the frame's button, Enter.
      await page.keyboard.press('Tab');
      for (let i = 0; i < 10; i++) {
        if (await isFocused(page.getByRole('button', { name: 'Sign out' }), 2)) break;
        await page.keyboard.press('Tab');
      }
      expect(await isFocused(page.getByRole('button', { name: 'Sign out' }))).toBe(true);
      await page.keyboard.press('Enter');
      await expectHeading(page, 'Sign in');

      // A wrong code keeps the keyboard in place: the error is announced and tied to the field.
      await passwordByKeyboard();
      await expectHeading(page, 'Confirm that it is you');
      await page.keyboard.press('Enter');
      await expectHeading(page, 'Enter your code');
      expect(await isFocused(code)).toBe(true);
      const right = nextCode(portal, key);
      await page.keyboard.type(right === '000000' ? '111111' : '000000');
      await page.keyboard.press('Enter');
      await expect
        .poll(() => page.getByRole('alert').textContent())
        .toBe('That code is not correct. Try again.');
      expect(await isFocused(code)).toBe(true);
      expect(await code.getAttribute('aria-describedby')).toContain('form-error');
      await page.keyboard.type(right);
      await page.keyboard.press('Enter');
      await expectHeading(page, /Welcome back/);
    }, 90_000);
  },
);
