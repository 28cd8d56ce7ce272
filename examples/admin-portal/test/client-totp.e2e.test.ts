/**
 * The authenticator app in the client area, in Chromium, as a person does it: with 2FA forced
 * for clients, sign in, read the key for manual entry off the enrollment page and compute codes
 * with an independent implementation (oathtool), see the recovery codes once, sign out, sign in
 * with a code; the same code again is refused (RP-01). A recovery code signs in once (RP-03).
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
import {
  answerWithCode,
  clientAreaOpens,
  enrollTotpAtSignIn,
  nextCode,
  signOut,
} from './support/second-step.js';

describe.runIf(chromiumAvailable())('the authenticator app at sign-in (Chromium)', () => {
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

  it('RP-02, RP-01: enrolls from the manual key, shows the recovery codes once, signs in with a later code, and refuses the same code again', async () => {
    context = await browser.newContext({ locale: 'en-US' });
    page = await context.newPage();
    const { key } = await enrollTotpAtSignIn(page, portal, portal.client1);

    // Shown once: the step page now asks for the factor, the codes are gone from it.
    await page.reload();
    await expectHeading(page, 'Confirm that it is you');
    expect(await page.getByRole('list', { name: 'Save your recovery codes' }).count()).toBe(0);
    // Enrolling did not sign the session in (RP-02: the confirming code is spent).
    expect(await clientAreaOpens(page, portal)).toBe(false);

    await page.goto(`${portal.url}/2fa/`);
    await answerWithCode(page, nextCode(portal, key));
    await expectHeading(page, /Welcome back, Chris Client/);
    expect(await page.getByRole('main').textContent()).toContain(
      'Two-factor authentication is on (1 method)',
    );

    await signOut(page, portal);
    await signInWithPassword(page, portal.url, portal.client1);
    await expectHeading(page, 'Confirm that it is you');
    const code = nextCode(portal, key);
    await answerWithCode(page, code);
    await expectHeading(page, /Welcome back/);

    // The same code in a new sign-in, within its 30 seconds: refused, the client area stays shut.
    await signOut(page, portal);
    await signInWithPassword(page, portal.url, portal.client1);
    await answerWithCode(page, code);
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toBe('That code was already used. Wait for the next one.');
    // That challenge is over: the factors are offered again, not a code field that cannot pass.
    await expectHeading(page, 'Confirm that it is you');
    expect(await clientAreaOpens(page, portal)).toBe(false);
    await page.goto(`${portal.url}/2fa/`);
    await answerWithCode(page, nextCode(portal, key));
    await expectHeading(page, /Welcome back/);
  });

  it('RP-03: signs in with a recovery code, which is then spent', async () => {
    context = await browser.newContext({ locale: 'en-US' });
    page = await context.newPage();
    const { recoveryCodes } = await enrollTotpAtSignIn(page, portal, portal.client2);
    const recoveryCode = recoveryCodes[3]!;

    await page.getByRole('link', { name: 'Use a recovery code instead' }).click();
    await expectHeading(page, 'Enter a recovery code');
    await page.getByLabel('Recovery code').fill(recoveryCode);
    await page.keyboard.press('Enter');
    await expectHeading(page, /Welcome back, Casey Client/);

    await signOut(page, portal);
    await signInWithPassword(page, portal.url, portal.client2);
    await expectHeading(page, 'Confirm that it is you');
    await page.getByRole('link', { name: 'Use a recovery code instead' }).click();
    await page.getByLabel('Recovery code').fill(recoveryCode);
    await page.keyboard.press('Enter');
    // CODE_ALREADY_USED, on the step page (the web package's wording is the TOTP one).
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toBe('That code was already used. Wait for the next one.');
    await expectHeading(page, 'Confirm that it is you');
    expect(await clientAreaOpens(page, portal)).toBe(false);

    // Another code of the same set still works: only the used one is spent.
    await page.goto(`${portal.url}/2fa/recovery`);
    await page.getByLabel('Recovery code').fill(recoveryCodes[4]!);
    await page.keyboard.press('Enter');
    await expectHeading(page, /Welcome back, Casey Client/);
  });
});
