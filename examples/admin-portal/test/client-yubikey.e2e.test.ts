/**
 * A YubiKey without hardware, in Chromium: the demo devices page touches the signed-in (or
 * pending) person's software YubiKey and shows the OTP, which the person types into the code
 * field of the second step. An OTP signs in once; the same OTP again is refused (YK-07). The
 * page acts only for the session's own user, whatever the request says (FL-05), and it does not
 * exist without the stand-ins or once real credentials are configured.
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

const MODHEX_OTP = /^[cbdefghijklnrtuv]{44}$/;

/** On the demo devices tab: touches the key and reads the OTP it typed. */
async function touchDemoYubikey(devices: Page): Promise<string> {
  await devices.getByRole('button', { name: 'Touch your demo YubiKey' }).click();
  const field = devices.getByLabel('One-time password from your demo YubiKey');
  await field.waitFor();
  const otp = await field.inputValue();
  expect(otp).toMatch(MODHEX_OTP);
  return otp;
}

/** The demo devices page, opened in a second tab from the link in the page's demo notice. */
async function openDemoDevices(context: BrowserContext, from: Page): Promise<Page> {
  const href = await from.getByRole('link', { name: /^Demo devices/ }).getAttribute('href');
  const devices = await context.newPage();
  await devices.goto(new URL(href!, from.url()).href);
  await expectHeading(devices, 'Demo devices');
  return devices;
}

async function typeOtp(page: Page, otp: string): Promise<void> {
  await page.getByLabel('Code', { exact: true }).fill(otp);
  await page.keyboard.press('Enter');
  await page.waitForLoadState('domcontentloaded');
}

describe.runIf(chromiumAvailable())('a YubiKey OTP from the demo devices page (Chromium)', () => {
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

  it('says it is a development stand-in, and before the password it presses nothing', async () => {
    context = await browser.newContext({ locale: 'en-US' });
    page = await context.newPage();
    await page.goto(`${portal.url}/login`);
    const devices = await openDemoDevices(context, page);
    page = devices;
    expect(await devices.getByRole('main').textContent()).toContain('Development stand-in.');
    expect(
      await devices.getByRole('link', { name: 'sign in with your password first' }).count(),
    ).toBe(1);
    expect(await devices.getByRole('button', { name: 'Touch your demo YubiKey' }).count()).toBe(0);
  });

  it('YK-07: sets up the demo YubiKey at sign-in, signs in with a fresh OTP, and refuses the same OTP again', async () => {
    context = await browser.newContext({ locale: 'en-US' });
    page = await context.newPage();
    await signInWithPassword(page, portal.url, portal.client1);
    await expectHeading(page, 'Set up two-factor authentication');
    await page.getByRole('button', { name: 'Set up YubiKey' }).click();
    await expectHeading(page, 'Enter your code');

    const devices = await openDemoDevices(context, page);
    expect(await devices.getByRole('main').textContent()).toContain('For client1@example.com.');
    expect(await devices.getByRole('main').textContent()).toContain('software');
    await typeOtp(page, await touchDemoYubikey(devices));
    await expectHeading(page, 'Save your recovery codes');
    await page.getByRole('link', { name: 'I have saved them, continue' }).click();
    await expectHeading(page, 'Confirm that it is you');
    expect(await clientAreaOpens(page, portal)).toBe(false);

    await page.goto(`${portal.url}/2fa/`);
    await page.getByRole('button', { name: /^Use YubiKey/ }).click();
    await expectHeading(page, 'Enter your code');
    await devices.reload();
    const otp = await touchDemoYubikey(devices);
    await typeOtp(page, otp);
    await expectHeading(page, /Welcome back, Chris Client/);

    await signOut(page, portal);
    await signInWithPassword(page, portal.url, portal.client1);
    await page.getByRole('button', { name: /^Use YubiKey/ }).click();
    await expectHeading(page, 'Enter your code');
    await typeOtp(page, otp);
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toBe('That code was already used. Wait for the next one.');
    expect(await clientAreaOpens(page, portal)).toBe(false);

    // The refusal ended that challenge: the page offers the factors again, not the dead prompt,
    // and the next touch of the key works: only the used OTP is refused.
    await expectHeading(page, 'Confirm that it is you');
    await page.getByRole('button', { name: /^Use YubiKey/ }).click();
    await expectHeading(page, 'Enter your code');
    await devices.reload();
    await typeOtp(page, await touchDemoYubikey(devices));
    await expectHeading(page, /Welcome back/);
  }, 90_000);

  it('FL-05: presses only the key of the user whose password this session passed, whatever the form says', async () => {
    // client1's key (its public id: the OTP's first 12 characters), from a session of client1.
    const own = await browser.newContext({ locale: 'en-US' });
    const ownPage = await own.newPage();
    await signInWithPassword(ownPage, portal.url, portal.client1);
    const ownDevices = await openDemoDevices(own, ownPage);
    const client1Key = (await touchDemoYubikey(ownDevices)).slice(0, 12);
    await own.close();

    context = await browser.newContext({ locale: 'en-US' });
    page = await context.newPage();
    await signInWithPassword(page, portal.url, portal.client2);
    await expectHeading(page, 'Set up two-factor authentication');
    const devices = await openDemoDevices(context, page);
    page = devices;
    // The page's own form, posted with extra fields and a query naming client1: ignored.
    const csrf = await devices
      .locator('form[action="/demo/devices/yubikey"] input[name="_csrf"]')
      .inputValue();
    const forged = await context.request.post(
      `${portal.url}/demo/devices/yubikey?email=client1%40example.com`,
      {
        form: { _csrf: csrf, email: 'client1@example.com', user: 'client1@example.com' },
        maxRedirects: 0,
      },
    );
    expect(forged.status()).toBe(303);
    await devices.reload();
    const forgedOtp = await devices
      .getByLabel('One-time password from your demo YubiKey')
      .inputValue();
    expect(forgedOtp).toMatch(MODHEX_OTP);
    expect(forgedOtp.slice(0, 12)).not.toBe(client1Key);
    const otp = await touchDemoYubikey(devices);
    expect(await devices.getByRole('main').textContent()).toContain('For client2@example.com.');
    expect(otp.slice(0, 12)).toBe(forgedOtp.slice(0, 12));
    expect(otp.slice(0, 12)).not.toBe(client1Key);
  });
});

describe('the demo devices page without the stand-ins', () => {
  it('is not found with PORTAL_NO_EMULATORS=1, and the pages say nothing of a demo', async () => {
    const portal = await startPortalProcess({ env: { PORTAL_NO_EMULATORS: '1' } });
    try {
      const res = await fetch(`${portal.url}/demo/devices`);
      expect(res.status).toBe(404);
      expect(await (await fetch(`${portal.url}/login`)).text()).not.toContain('Demo devices');
      expect(portal.output()).not.toContain('Demo mode');
    } finally {
      await portal.stop();
    }
  }, 90_000);

  it('is not found once the running config names real Duo and YubiCloud credentials', async () => {
    const portal = await startPortalProcess();
    try {
      expect((await fetch(`${portal.url}/demo/devices`)).status).toBe(200);
      await editDeployment(portal, (doc) => {
        Object.assign(doc.providers['duo']!.settings!, {
          apiHost: 'api-12345678.duosecurity.com',
          clientId: 'DIAAAAAAAAAAAAAAAAAA',
          clientSecret: 'a'.repeat(40),
        });
        Object.assign(doc.providers['yubikey']!.settings!, {
          clientId: '12345',
          apiKey: Buffer.alloc(20, 7).toString('base64'),
        });
      });
      const res = await fetch(`${portal.url}/demo/devices`);
      expect(res.status).toBe(404);
      expect(await res.text()).not.toContain('Demo devices');
    } finally {
      await portal.stop();
    }
  }, 90_000);
});
