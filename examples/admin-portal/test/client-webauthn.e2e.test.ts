/**
 * A security key in the client area, in Chromium with a DevTools virtual authenticator (CTAP2
 * over USB, touch simulated): registered and named at sign-in with 2FA forced, then used to
 * sign in after signing out. Another key, holding no credential of the account, does not pass,
 * nor a clone whose signature counter lags behind the key's (WA-09).
 */
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { plugIn } from '../../../packages/web/test/webauthn-browser-kit.js';
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

describe.runIf(chromiumAvailable())('a security key at sign-in (Chromium)', () => {
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

  it('WA-01, WA-05, WA-09: registers and names a key at sign-in, signs out, and signs in with it; another key and a lagging clone do not pass', async () => {
    context = await browser.newContext({ locale: 'en-US' });
    page = await context.newPage();
    const cdp: CDPSession = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable', { enableUI: false });
    const key = await plugIn(cdp, 'usb');

    await signInWithPassword(page, portal.url, portal.client1);
    await expectHeading(page, 'Set up two-factor authentication');
    await page.getByRole('button', { name: 'Set up security key' }).click();
    await expectHeading(page, 'Set up your security key');
    await page.getByLabel('Name of this key').fill('Blue demo key');
    await page.getByRole('button', { name: 'Use security key' }).click();
    await expectHeading(page, 'Save your recovery codes');
    // A copy of the key as it was now (its signature counter too), for a clone later.
    const { credentials: atRegistration } = await cdp.send('WebAuthn.getCredentials', {
      authenticatorId: key,
    });
    expect(atRegistration).toHaveLength(1);
    await page.getByRole('link', { name: 'I have saved them, continue' }).click();

    // The key's name is what the chooser offers.
    await expectHeading(page, 'Confirm that it is you');
    await page.getByRole('button', { name: 'Use Blue demo key' }).click();
    await expectHeading(page, 'Use your security key');
    await page.getByRole('button', { name: 'Use security key' }).click();
    await expectHeading(page, /Welcome back, Chris Client/);

    await signOut(page, portal);
    await signInWithPassword(page, portal.url, portal.client1);
    await page.getByRole('button', { name: 'Use Blue demo key' }).click();
    await expectHeading(page, 'Use your security key');

    // Another, empty key in its place: the browser finds no credential of this account, the
    // page says so, and the client area stays shut.
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId: key });
    await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId: key });
    const other = await plugIn(cdp, 'usb');
    await page.getByRole('button', { name: 'Use security key' }).click();
    await expect.poll(() => page.locator('#webauthn-problem').isVisible()).toBe(true);
    expect(await clientAreaOpens(page, portal)).toBe(false);

    // A clone made at registration: its counter lags behind the key's, so it is refused (WA-09).
    await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId: other });
    const clone = await plugIn(cdp, 'usb');
    await cdp.send('WebAuthn.addCredential', {
      authenticatorId: clone,
      credential: atRegistration[0]!,
    });
    await page.goto(`${portal.url}/2fa/`);
    await expectHeading(page, 'Use your security key');
    await page.getByRole('button', { name: 'Use security key' }).click();
    await expect.poll(() => page.getByRole('alert').first().textContent()).toMatch(/already used/);
    expect(await clientAreaOpens(page, portal)).toBe(false);

    // The registered key back in: the sign-in passes.
    await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId: clone });
    await page.goto(`${portal.url}/2fa/`);
    await page.getByRole('button', { name: 'Use Blue demo key' }).click();
    const again = await plugIn(cdp, 'usb');
    await cdp.send('WebAuthn.addCredential', {
      authenticatorId: again,
      credential: credentials[0]!,
    });
    await page.goto(`${portal.url}/2fa/`);
    await expectHeading(page, 'Use your security key');
    await page.getByRole('button', { name: 'Use security key' }).click();
    await expectHeading(page, /Welcome back/);
  }, 90_000);
});
