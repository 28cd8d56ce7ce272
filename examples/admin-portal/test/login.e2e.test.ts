/**
 * The password step in Chromium, by keyboard: a wrong password is refused with the typed email
 * kept, a right one (no factor, 2FA not forced) opens the client area; the admin area is not a
 * client's; signing out ends the session (FL-01: the pages behind it are closed again); password
 * guessing is limited per account.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  chromiumAvailable,
  expectHeading,
  isFocused,
  launchChromium,
  screenshotOnFailure,
  signInWithPassword,
} from './support/browser.js';
import { startPortalProcess, type PortalProcess } from './support/portal-process.js';

describe.runIf(chromiumAvailable())('portal login in Chromium', () => {
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

  it('prints the URL and three demo logins, and says Duo and YubiCloud are emulated', () => {
    expect(portal.logins.map((l) => l.role).sort()).toEqual(['admin', 'client', 'client']);
    expect(portal.output()).toMatch(/Demo mode: Duo is the offline Duo emulator/);
  });

  it('refuses a wrong password, keeps the email, then signs in with the right one', async () => {
    context = await browser.newContext();
    page = await context.newPage();
    await signInWithPassword(page, portal.url, { ...portal.client1, password: 'wrong-password' });
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toContain('Wrong email address or password');
    expect(await page.getByLabel('Email address').inputValue()).toBe(portal.client1.email);
    expect(await isFocused(page.getByLabel('Password'))).toBe(true);
    await page.keyboard.type(portal.client1.password);
    await page.keyboard.press('Enter');
    await expectHeading(page, /Welcome back/);
    expect(new URL(page.url()).pathname).toBe('/client');
    expect(await page.getByRole('note').textContent()).toContain('offline Duo emulator');
  });

  it('closes the admin area to a client and everything behind the login after sign-out (FL-01)', async () => {
    context = await browser.newContext();
    page = await context.newPage();
    await signInWithPassword(page, portal.url, portal.client1);
    await expectHeading(page, /Welcome back/);
    const admin = await page.goto(`${portal.url}/admin`);
    expect(admin?.status()).toBe(404);
    await page.goto(`${portal.url}/client`);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expectHeading(page, 'Sign in');
    await page.goto(`${portal.url}/client`);
    expect(new URL(page.url()).pathname).toBe('/login');
  });

  it('stops password guessing: after 10 failures even the right password waits (PT-03)', async () => {
    context = await browser.newContext();
    page = await context.newPage();
    for (let i = 0; i < 10; i++)
      await signInWithPassword(page, portal.url, { ...portal.client2, password: `guess-${i}` });
    await signInWithPassword(page, portal.url, portal.client2);
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toMatch(/Too many failed sign-ins\. Try again in 15 minutes\./);
    expect(new URL(page.url()).pathname).toBe('/login');
    // Another account from the same browser is not blocked by it.
    await signInWithPassword(page, portal.url, portal.client1);
    await expectHeading(page, /Welcome back/);
  }, 120_000);

  it('refuses a login post without the CSRF token, with no stack trace (PT-02, PT-03)', async () => {
    const res = await fetch(`${portal.url}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email: portal.client1.email, password: portal.client1.password }),
      redirect: 'manual',
    });
    expect(res.status).toBe(403);
    const html = await res.text();
    expect(html).toContain('This form has expired');
    expect(html).not.toMatch(/at \w+ \(|node_modules/);
  });
});
