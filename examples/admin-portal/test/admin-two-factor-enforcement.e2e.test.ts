/**
 * Enforcement from the admin page in Chromium: forcing 2FA on clients with a grace period shows
 * the dry run before anything is saved, a client without a factor is then told the days left,
 * and once the portal's clock passes the deadline must set up a factor (EN-06); requiring a
 * phishing-resistant factor for admins leaves only the security key to set up and to sign in
 * with (AS-02), through a Chromium virtual authenticator; an admin with a factor saves only
 * with a recent second factor (step-up).
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
import {
  DAY_MS,
  openTwoFactorSettings,
  region,
  storedDocument,
} from './support/admin-two-factor.js';
import { startPortalProcess, type PortalProcess } from './support/portal-process.js';

describe.runIf(chromiumAvailable())('admin: enforcement', () => {
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

  it('EN-06: forcing clients with a 3-day grace shows the dry run first; a client is told the days left, then must enroll', async () => {
    await adminPage();
    const before = storedDocument(portal).version;
    const enforcement = region(page, 'Enforcement');
    const clients = enforcement.getByRole('group', { name: 'Clients' });
    await clients.getByLabel('Force Client Users to enable 2FA on next login').check();
    await clients.getByLabel('When a user has no factor yet').selectOption('grace');
    await clients.getByLabel('Grace period (days)').fill('3');
    await enforcement.getByRole('button', { name: 'Save enforcement' }).click();

    // The dry run, before anything is saved: both clients would be let in for their grace period.
    await expectHeading(page, 'Confirm the enforcement change');
    const row = page.getByRole('row', { name: /^Clients/ });
    const cells = await row.getByRole('cell').allTextContents();
    // Users, with a factor, asked for their factor, asked to enroll, denied, in grace, not asked.
    expect(cells.slice(0, 5)).toEqual(['2', '0', '0', '0', '0']);
    const deadline = new Date(Date.now() + 3 * DAY_MS).toISOString().slice(0, 10);
    expect(cells[5]).toBe(`2 (must enroll from ${deadline})`);
    expect(storedDocument(portal).version).toBe(before);
    await page.getByRole('button', { name: 'Save' }).click();
    await expect
      .poll(() => page.locator('#saved-notice').textContent())
      .toContain('Enforcement saved');
    const policy = (
      storedDocument(portal).document as {
        policy: { audiences: Record<string, Record<string, unknown>> };
      }
    ).policy.audiences['client']!;
    expect(policy).toMatchObject({ force: true, notEnrolled: 'grace', graceDays: 3 });

    // A client without a factor signs in and is told how long they have.
    const first = await browser.newContext();
    const clientPage = await first.newPage();
    await signInWithPassword(clientPage, portal.url, portal.client1);
    await expectHeading(clientPage, /Welcome back/);
    expect(await clientPage.getByRole('status').first().textContent()).toContain(
      'You have 3 days left',
    );
    await first.close();

    // One day later: two days left (the deadline was stored at the first sign-in).
    portal.advanceClock(DAY_MS);
    const second = await browser.newContext();
    const secondPage = await second.newPage();
    await signInWithPassword(secondPage, portal.url, portal.client1);
    await expectHeading(secondPage, /Welcome back/);
    expect(await secondPage.getByRole('status').first().textContent()).toContain(
      'You have 2 days left',
    );
    await second.close();

    // Past the deadline: no way in without setting up a factor.
    portal.advanceClock(3 * DAY_MS);
    const late = await browser.newContext();
    const latePage = await late.newPage();
    await signInWithPassword(latePage, portal.url, portal.client1);
    await expectHeading(latePage, 'Set up two-factor authentication');
    const client = await latePage.goto(`${portal.url}/client`);
    expect(new URL(client!.url()).pathname).not.toBe('/client');
    await late.close();
  });

  it('AS-02: with "Administrators must use a phishing-resistant factor", an admin may set up and use only a security key', async () => {
    await adminPage();
    const admins = region(page, 'Enforcement').getByRole('group', { name: 'Administrative Users' });
    await admins.getByLabel('Force Administrative Users to enable 2FA on next login').check();
    await admins.getByLabel('When a user has no factor yet').selectOption('enroll');
    await admins
      .getByLabel('Administrators must use a phishing-resistant factor (security key)')
      .check();
    await region(page, 'Enforcement').getByRole('button', { name: 'Save enforcement' }).click();
    await expectHeading(page, 'Confirm the enforcement change');
    const cells = await page
      .getByRole('row', { name: /^Administrative Users/ })
      .getByRole('cell')
      .allTextContents();
    expect(cells.slice(0, 4)).toEqual(['1', '0', '0', '1']); // the one admin would be asked to enroll
    await page.getByRole('button', { name: 'Save' }).click();
    await expect
      .poll(() => page.locator('#saved-notice').textContent())
      .toContain('Enforcement saved');

    // The admin signs in again: only the security key is offered to set up.
    const fresh = await browser.newContext();
    const adminPage2 = await fresh.newPage();
    const cdp = await fresh.newCDPSession(adminPage2);
    await cdp.send('WebAuthn.enable');
    await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2',
        ctap2Version: 'ctap2_1',
        transport: 'usb',
        hasResidentKey: false,
        hasUserVerification: true,
        isUserVerified: true,
        automaticPresenceSimulation: true,
      },
    });
    await signInWithPassword(adminPage2, portal.url, portal.admin);
    await expectHeading(adminPage2, 'Set up two-factor authentication');
    expect(await adminPage2.getByRole('button', { name: /^Set up / }).allTextContents()).toEqual([
      'Set up security key',
    ]);
    await adminPage2.getByRole('button', { name: 'Set up security key' }).click();
    await adminPage2.getByRole('heading', { name: 'Set up your security key' }).waitFor();
    await adminPage2.getByLabel('Name of this key').fill('Admin key');
    await adminPage2.keyboard.press('Enter');
    // Recovery codes do not meet a phishing-resistant rule (AS-04): none are shown.
    await adminPage2.getByRole('heading', { name: 'Confirm that it is you' }).waitFor();
    expect(await adminPage2.getByRole('button', { name: /^Use / }).allTextContents()).toEqual([
      'Use Admin key',
    ]);
    await adminPage2.getByRole('button', { name: 'Use Admin key' }).click();
    await adminPage2.getByRole('heading', { name: 'Use your security key' }).waitFor();
    await adminPage2.getByRole('button', { name: 'Use security key' }).click();
    await adminPage2.waitForURL((u) => u.pathname === '/admin');
    await expectHeading(adminPage2, 'Admin dashboard');

    // Step-up (ASVS 7.5.1): just signed in with the key, the admin may save; 11 minutes later,
    // past the step-up window, a save is refused, nothing stored, with where to confirm it's them.
    await openTwoFactorSettings(adminPage2, portal);
    await region(adminPage2, 'Authenticator app').getByLabel('Issuer').fill('Example Billing Ltd');
    await region(adminPage2, 'Authenticator app')
      .getByRole('button', { name: 'Save Authenticator app settings' })
      .click();
    await expect
      .poll(() => adminPage2.locator('#saved-notice').textContent())
      .toContain('Authenticator app settings saved');
    portal.advanceClock(11 * 60 * 1000);
    const version = storedDocument(portal).version;
    await region(adminPage2, 'Authenticator app').getByLabel('Issuer').fill('Someone Else');
    await region(adminPage2, 'Authenticator app')
      .getByRole('button', { name: 'Save Authenticator app settings' })
      .click();
    const alert = adminPage2.getByRole('alert');
    await expect
      .poll(() => alert.textContent())
      .toContain('Saving needs a second factor passed in the last 10 minutes');
    expect(
      await alert.getByRole('link', { name: 'Go to Security settings' }).getAttribute('href'),
    ).toBe('/2fa/account');
    expect(await region(adminPage2, 'Authenticator app').getByLabel('Issuer').inputValue()).toBe(
      'Someone Else',
    );
    expect(storedDocument(portal).version).toBe(version);
    await fresh.close();
  });
});
