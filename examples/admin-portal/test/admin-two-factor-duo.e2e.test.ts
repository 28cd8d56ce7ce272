/**
 * Duo on the admin page in Chromium: the WHMCS admin username preset; the version flag switched
 * to the legacy Auth API (the other version's field refused by name first, CF-01), the
 * legacy-to-Universal upgrade check run against the emulator's Web SDK application; then a
 * client sets up and signs in with a legacy Duo push, answered on the emulator's pending-pushes
 * page linked from the admin's "Demo services" (DA-08: the push-wait page goes on once approved).
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
import { openTwoFactorSettings, region, storedDocument } from './support/admin-two-factor.js';
import { startPortalProcess, type PortalProcess } from './support/portal-process.js';

type Doc = { providers: { duo: { settings: Record<string, unknown> } } };

describe.runIf(chromiumAvailable())('admin: Duo', () => {
  let portal: PortalProcess;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    portal = await startPortalProcess();
    browser = await launchChromium();
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await portal?.stop();
  });
  afterEach(async (ctx) => {
    await screenshotOnFailure(page, ctx.task);
    await context?.close();
  });

  async function adminPage(): Promise<void> {
    context = await browser.newContext();
    page = await context.newPage();
    await openTwoFactorSettings(page, portal);
  }
  const duo = () => region(page, 'Duo Security');
  const saveDuo = () => duo().getByRole('button', { name: 'Save Duo Security settings' }).click();

  it('fills in the WHMCS admin username format on request, saved only with Save', async () => {
    await adminPage();
    const usernames = duo().getByLabel('Duo username', { exact: true });
    await usernames.fill('* = {email}');
    await saveDuo();
    await expect.poll(() => page.locator('#saved-notice').textContent()).toContain('saved');
    expect(
      (storedDocument(portal).document as Doc).providers.duo.settings['usernameTemplate'],
    ).toEqual({
      '*': '{email}',
    });

    await duo()
      .getByRole('button', { name: /^Fill in the WHMCS admin username format/ })
      .click();
    await expect
      .poll(() => page.getByRole('status').first().textContent())
      .toContain('Save to apply');
    expect(await duo().getByLabel('Duo username', { exact: true }).inputValue()).toBe(
      'admin = {email}:{email}:{licenseKey}\n* = {email}',
    );
    expect(
      (storedDocument(portal).document as Doc).providers.duo.settings['usernameTemplate'],
    ).toEqual({
      '*': '{email}',
    });
    await saveDuo();
    await expect.poll(() => page.locator('#saved-notice').textContent()).toContain('saved');
    expect(
      (storedDocument(portal).document as Doc).providers.duo.settings['usernameTemplate'],
    ).toEqual({
      admin: '{email}:{email}:{licenseKey}',
      '*': '{email}',
    });
  });

  it('CF-01: switches to the legacy Auth API (the Universal-only field refused by name), then checks the upgrade back', async () => {
    await adminPage();
    await duo().getByLabel('Duo version').selectOption('legacy');
    await saveDuo();
    const redirect = duo().getByLabel('Redirect URL', { exact: true });
    await expect.poll(() => redirect.getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#save-problems').textContent()).toContain(
      "Redirect URL: belongs to version 'universal'",
    );
    // The choice typed is kept: still legacy, and nothing was stored.
    expect(await duo().getByLabel('Duo version').inputValue()).toBe('legacy');
    expect((storedDocument(portal).document as Doc).providers.duo.settings['version']).toBe(
      'universal',
    );

    await redirect.fill('');
    await saveDuo();
    await expect.poll(() => page.locator('#saved-notice').textContent()).toContain('saved');
    expect(await duo().textContent()).toContain('Version in use: Legacy Auth API');
    expect(await duo().textContent()).toContain('The Duo emulator is in use');

    // The upgrade check, against the emulator's Web SDK application (no Duo account in a demo).
    const upgrade = page.getByRole('form', { name: 'Upgrade to the Universal Prompt' });
    await upgrade.getByRole('button', { name: 'Check the upgrade' }).click();
    const result = page.locator('#upgrade-result');
    await expect.poll(() => result.textContent(), { timeout: 15_000 }).toContain('Ready');
    expect(await result.textContent()).toContain('Universal Prompt');
    expect((storedDocument(portal).document as Doc).providers.duo.settings['version']).toBe(
      'legacy',
    );

    // CF-06 on the page: a typed Client Secret is never shown back, whatever the plan says.
    const typedSecret = 'Z'.repeat(40);
    const again = page.getByRole('form', { name: 'Upgrade to the Universal Prompt' });
    await again.getByLabel('Client ID').fill('DIWJ8X6AEYOR5OMC6TQ1');
    await again.getByLabel('Client Secret').fill(typedSecret);
    await again.getByRole('button', { name: 'Check the upgrade' }).click();
    await expect
      .poll(() => page.locator('#upgrade-result').textContent(), { timeout: 15_000 })
      .toContain('Not ready');
    expect(
      await page
        .getByRole('form', { name: 'Upgrade to the Universal Prompt' })
        .getByLabel('Client ID')
        .inputValue(),
    ).toBe('DIWJ8X6AEYOR5OMC6TQ1');
    expect(await page.content()).not.toContain(typedSecret);
  });

  it('DA-08: a client sets up and signs in with a legacy Duo push, approved on the emulator pushes page', async () => {
    await adminPage();
    const enforcement = region(page, 'Enforcement');
    await enforcement.getByLabel('Force Client Users to enable 2FA on next login').check();
    await enforcement.getByRole('button', { name: 'Save enforcement' }).click();
    await page.getByRole('button', { name: 'Save' }).click();
    await expect
      .poll(() => page.locator('#saved-notice').textContent())
      .toContain('Enforcement saved');
    const pushesUrl = (await page
      .getByRole('link', { name: /pending pushes/ })
      .getAttribute('href'))!;

    // The phone: the emulator's page, on its own CA (the browser would warn a person).
    const phone = await browser.newContext({ ignoreHTTPSErrors: true });
    const phonePage = await phone.newPage();
    const approve = async () => {
      await expect
        .poll(async () => {
          await phonePage.goto(pushesUrl);
          return phonePage.getByRole('button', { name: 'Approve' }).count();
        })
        .toBe(1);
      expect(await phonePage.locator('li strong').textContent()).toBe(portal.client2.email);
      await phonePage.getByRole('button', { name: 'Approve' }).click();
    };

    const client = await browser.newContext();
    const clientPage = await client.newPage();
    page = clientPage;
    await signInWithPassword(clientPage, portal.url, portal.client2);
    await expectHeading(clientPage, 'Set up two-factor authentication');
    await clientPage.getByRole('button', { name: 'Set up Duo' }).click();
    await clientPage.getByRole('heading', { name: 'Approve the request' }).waitFor();
    await approve();
    // Set up: recovery codes once, then the sign-in's own push.
    await clientPage.getByRole('heading', { name: 'Save your recovery codes' }).waitFor();
    // The continue button has the focus, as on the web package's pages.
    await clientPage.keyboard.press('Enter');
    await expectHeading(clientPage, 'Confirm that it is you');
    await clientPage.getByRole('button', { name: /^Use Duo/ }).click();
    await clientPage.getByRole('heading', { name: 'Approve the request' }).waitFor();
    await approve();
    await clientPage.waitForURL((u) => u.pathname === '/client');
    await expectHeading(clientPage, /Welcome back/);
    await client.close();
    await phone.close();
  }, 90_000);
});
