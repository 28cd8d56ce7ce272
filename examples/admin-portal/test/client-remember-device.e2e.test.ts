/**
 * "Remember this device" in the client area, in Chromium: ticked on the code page, the next
 * sign-in on this browser skips the second step (FL-16); forgetting the device needs a fresh
 * second factor first, even on the remembered session (FL-08), and then the next sign-in asks
 * for a code again and the dead cookie is cleared (FL-17). There are no account pages in the
 * portal yet, so the device is forgotten through the JSON account routes, as the page's own
 * scripts would call them: the browser's cookies and the session's CSRF header.
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

/** A JSON POST of the 2FA API with this browser's cookies and the session's CSRF token. */
async function apiPost(context: BrowserContext, url: string, path: string, body: object) {
  const { csrfToken } = (await (await context.request.get(`${url}/2fa/csrf`)).json()) as {
    csrfToken: string;
  };
  return context.request.post(`${url}${path}`, {
    data: body,
    headers: { 'x-csrf-token': csrfToken },
  });
}

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

    // A remembered session proves no recent second factor: forgetting a device asks for one.
    const devices = (await (
      await context.request.get(`${portal.url}/2fa/account/devices`)
    ).json()) as {
      devices: { id: string }[];
    };
    expect(devices.devices).toHaveLength(1);
    const revokePath = `/2fa/account/devices/${devices.devices[0]!.id}/revoke`;
    const refused = await apiPost(context, portal.url, revokePath, {});
    expect(refused.status()).toBe(403);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe(
      'STEP_UP_REQUIRED',
    );
    expect((await apiPost(context, portal.url, '/2fa/step-up', {})).status()).toBe(201);
    const stepped = await apiPost(context, portal.url, '/2fa/step-up/answer', {
      code: nextCode(portal, key),
    });
    expect(stepped.status()).toBe(200);
    expect((await apiPost(context, portal.url, revokePath, {})).status()).toBe(200);

    // Forgotten: the next sign-in asks for the second factor, and the dead cookie is cleared.
    await signOut(page, portal);
    await signInWithPassword(page, portal.url, portal.client1);
    await expectHeading(page, 'Confirm that it is you');
    expect(await clientAreaOpens(page, portal)).toBe(false);
    expect((await context.cookies()).some((c) => c.name === DEVICE_COOKIE)).toBe(false);
  }, 90_000);
});
