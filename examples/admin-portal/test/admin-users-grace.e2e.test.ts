/**
 * The users list shows a client's grace deadline (SECURITY.md EN-06): with 2FA forced for
 * clients and a grace period, a client without a factor who signs in is let in until a deadline
 * stored at that first sign-in; the admin sees it, and looking does not start one for others.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  chromiumAvailable,
  expectHeading,
  launchChromium,
  screenshotOnFailure,
  signInWithPassword,
} from './support/browser.js';
import { startPortalProcess, type PortalProcess } from './support/portal-process.js';
import { changeDeployment } from './support/portal-state.js';

describe.runIf(chromiumAvailable())('grace deadlines on the admin Users page, in Chromium', () => {
  let portal: PortalProcess;
  let browser: Browser;
  let pages: Page[] = [];

  beforeAll(async () => {
    portal = await startPortalProcess();
    // Setup: clients forced to enroll, after a grace period of 14 days.
    await changeDeployment(portal, (doc) => {
      doc.policy.audiences['client'] = { force: true, notEnrolled: 'grace', graceDays: 14 };
    });
    browser = await launchChromium();
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await portal?.stop();
  });
  afterEach(async (ctx) => {
    for (const [i, page] of pages.entries())
      await screenshotOnFailure(page, { ...ctx.task, name: `${ctx.task.name}-${i}` });
    for (const page of pages) await page.context().close();
    pages = [];
  });

  it('EN-06: the deadline started by a client’s first sign-in is shown; a client who never signed in has none', async () => {
    const client = await (await browser.newContext()).newPage();
    pages.push(client);
    const before = Date.now();
    await signInWithPassword(client, portal.url, portal.client1);
    await expectHeading(client, /Welcome back/);

    const admin = await (await browser.newContext()).newPage();
    pages.push(admin);
    await signInWithPassword(admin, portal.url, portal.admin);
    await expectHeading(admin, 'Admin dashboard');
    await admin.goto(`${portal.url}/admin/users?q=client`);
    const row = (email: string) =>
      admin.getByRole('row').filter({ has: admin.getByRole('link', { name: email }) });
    const deadline = await row(portal.client1.email).getByRole('cell').nth(5).textContent();
    const m = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d) UTC$/.exec(deadline ?? '');
    expect(m).not.toBeNull();
    const at = Date.parse(`${m![1]}T${m![2]}Z`);
    const fourteenDays = 14 * 86_400_000;
    expect(at).toBeGreaterThanOrEqual(Math.floor((before + fourteenDays) / 1000) * 1000);
    expect(at).toBeLessThanOrEqual(Date.now() + fourteenDays);
    expect(await row(portal.client2.email).getByRole('cell').nth(5).textContent()).toBe('—');

    await row(portal.client1.email).getByRole('link', { name: portal.client1.email }).click();
    await admin.getByText(`Must set up a factor from ${deadline}`).waitFor();
  });
});
