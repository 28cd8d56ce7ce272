/**
 * The admin actions need a recent second factor of an admin who has one (SECURITY.md FL-06,
 * FL-14): fresh from the sign-in they run; ten minutes later (the admin audience's
 * `stepUpSeconds`, moved past with the portal's clock) the page says to confirm it's you in
 * Security settings, and a confirm form already on screen is refused by core, audited as
 * `step-up.refused`, with nothing done; after "Confirm it's you" there, the admin can act again.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  chromiumAvailable,
  expectHeading,
  launchChromium,
  screenshotOnFailure,
} from './support/browser.js';
import { startPortalProcess, type PortalProcess } from './support/portal-process.js';
import { changeDeployment } from './support/portal-state.js';
import { chooseAuthenticator, enrollTotpAtSignIn } from './support/totp-sign-in.js';
import { codeAfter, oathtoolCode } from './support/totp.js';

describe.runIf(chromiumAvailable())('admin step-up before a reset or unlock, in Chromium', () => {
  let portal: PortalProcess;
  let browser: Browser;
  let admin: Page;

  beforeAll(async () => {
    portal = await startPortalProcess();
    // Setup: 2FA forced for administrators, so the admin enrolls at sign-in.
    await changeDeployment(portal, (doc) => {
      doc.policy.audiences['admin'] = {
        force: true,
        notEnrolled: 'enroll',
        rememberDeviceDays: 0,
      };
    });
    browser = await launchChromium();
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await portal?.stop();
  });
  afterEach(async (ctx) => {
    await screenshotOnFailure(admin, ctx.task);
  });

  it('FL-06: a fresh second factor lets the admin act; a stale one is refused, audited, and nothing is done', async () => {
    admin = await (await browser.newContext()).newPage();
    const totp = await enrollTotpAtSignIn(admin, portal.url, portal.admin);
    await chooseAuthenticator(admin);
    const next = await codeAfter(totp.key, totp.lastStep);
    await admin.getByLabel('Code', { exact: true }).fill(next.code);
    await admin.keyboard.press('Enter');
    await expectHeading(admin, 'Admin dashboard');

    await admin.goto(`${portal.url}/admin/users?q=client1`);
    await admin.getByRole('link', { name: portal.client1.email }).click();
    await expectHeading(admin, 'Chris Client');
    const userId = new URL(admin.url()).pathname.split('/')[3]!;
    expect(await admin.locator('#step-up-needed').count()).toBe(0);
    await admin.getByLabel(/^Reason for unlocking/).fill('Fresh second factor');
    await admin.getByRole('button', { name: 'Unlock…' }).click();
    await admin.getByRole('button', { name: 'Yes, unlock' }).click();
    await admin.getByRole('status').filter({ hasText: 'is unlocked' }).waitFor();

    // The reset's confirm page is on screen when the admin's second factor grows stale.
    await admin.getByLabel(/^Reason for the reset/).fill('Started in time, confirmed too late');
    await admin.getByRole('button', { name: 'Reset two-factor authentication…' }).click();
    await expectHeading(admin, /^Reset two-factor authentication for/);
    portal.advanceClock(11 * 60_000);
    await admin.getByRole('button', { name: 'Yes, reset two-factor authentication' }).click();
    await expectHeading(admin, 'Chris Client');
    const alert = admin.locator('#step-up-needed');
    expect(await alert.getAttribute('role')).toBe('alert');
    expect(await alert.textContent()).toMatch(
      /Confirm it's you first: .* from the last 10 minutes/,
    );
    expect(await alert.getByRole('link').getAttribute('href')).toBe('/2fa/account/step-up');
    expect(await admin.getByRole('status').count()).toBe(0);

    // A new attempt is stopped before the confirm step, the reason kept.
    await admin.getByLabel(/^Reason for unlocking/).fill('Too late again');
    await admin.getByRole('button', { name: 'Unlock…' }).click();
    await expectHeading(admin, 'Chris Client');
    expect(await admin.locator('#step-up-needed').count()).toBe(1);
    expect(await admin.getByLabel(/^Reason for unlocking/).inputValue()).toBe('Too late again');

    await admin.goto(`${portal.url}/admin/audit?user=${encodeURIComponent(portal.client1.email)}`);
    const types = await admin.locator('table tbody tr td:nth-child(2) code').allTextContents();
    expect(types).toEqual(['admin.unlocked']);
    await admin.goto(`${portal.url}/admin/audit?type=step-up.refused`);
    const refused = admin.locator('table tbody tr');
    expect(await refused.count()).toBe(1);
    expect(await refused.locator('td').nth(2).textContent()).toBe(portal.admin.email);
    expect(await refused.locator('td').nth(6).textContent()).toMatch(
      /action: host-action; refusal: stale/,
    );

    // "Confirm it's you" on the Security settings pages counts here too: its time, not the
    // sign-in's, is the session's last second factor. The portal's clock is 11 minutes ahead.
    await admin.goto(`${portal.url}/admin/users/${userId}`);
    await admin.locator('#step-up-needed').getByRole('link').click();
    await expectHeading(admin, 'Confirm it’s you');
    await admin.getByRole('main').getByRole('button').first().click();
    await expectHeading(admin, 'Enter your code');
    // At the portal's time: 22 steps after the code used at sign-in, so not a reused one.
    await admin
      .getByLabel('Code', { exact: true })
      .fill(oathtoolCode(totp.key, Date.now() + 11 * 60_000));
    await admin.keyboard.press('Enter');
    await admin.getByText('Thank you, it is confirmed. Now make your change.').waitFor();
    await admin.goto(`${portal.url}/admin/users/${userId}`);
    expect(await admin.locator('#step-up-needed').count()).toBe(0);
    await admin.getByLabel(/^Reason for unlocking/).fill('Confirmed again in Security settings');
    await admin.getByRole('button', { name: 'Unlock…' }).click();
    await admin.getByRole('button', { name: 'Yes, unlock' }).click();
    await admin.getByRole('status').filter({ hasText: 'is unlocked' }).waitFor();
  }, 120_000);
});
