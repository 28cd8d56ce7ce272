// The account pages in a real browser: Debian's Chromium, driven by playwright-core, against the
// Express adapter on loopback. A person signs in with TOTP (ticking "remember this device"),
// lands on Security settings, adds a second authenticator by typing the key shown for manual
// entry, renames it, confirms it is them when their second factor has gone stale and then
// generates new recovery codes, forgets the remembered device, and sees each change in the
// activity list. Keyboard only: Tab, Space, Enter and typing; asserted by what the page shows.
import * as OTPAuth from 'otpauth';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, isFocused, launchChromium, tabTo } from './browser-kit.js';
import { expressRig } from './express-rig.js';
import { enrolledUser } from './rig.js';
import { staleStepUp, useRig } from './suite-kit.js';

const haveChromium = chromiumAvailable();
const open = useRig(expressRig);
let browser: Browser;

/** Enough Tabs to cross the whole settings page. */
const PAGE_TABS = 40;

/** Presses Enter and waits for the page the form post leads to (often the same URL). */
async function enterAndWait(page: Page): Promise<void> {
  const navigated = page.waitForEvent('framenavigated', (frame) => frame === page.mainFrame());
  await page.keyboard.press('Enter');
  await navigated;
  await page.waitForLoadState();
}

/** Tabs to a control and presses Enter, then waits for the page it leads to. */
async function press(page: Page, name: string | RegExp, role: 'button' | 'link' = 'button') {
  await tabTo(page, page.getByRole(role, { name }).first(), PAGE_TABS);
  await enterAndWait(page);
}

async function status(page: Page): Promise<string | null> {
  return page.getByRole('status').textContent();
}

describe.skipIf(!haveChromium)('the account pages in a real browser (Chromium)', () => {
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('FL-13: a person adds and renames a factor, regenerates codes after a step-up and forgets a device, keyboard only', async () => {
    const rig = await open({ pages: { afterSignIn: '/2fa/account', signOutUrl: '/logout' } });
    const origin = new URL((await rig.client().get('/2fa/health')).url).origin;
    const e = await enrolledUser(rig);
    const context = await browser.newContext({ locale: 'en-US' });
    const page = await context.newPage();

    // Sign in: password, then the TOTP code, with "remember this device" ticked.
    await page.goto(`${origin}/login`);
    expect(await isFocused(page.getByLabel('User'))).toBe(true);
    await page.keyboard.type(e.user.id);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Confirm that it is you' }).waitFor();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Enter your code' }).waitFor();
    await page.keyboard.type(e.code());
    await tabTo(page, page.getByRole('checkbox', { name: /Remember this device/ }));
    await page.keyboard.press('Space');
    await press(page, 'Continue');
    await page.waitForURL(`${origin}/2fa/account`);
    await page.getByRole('heading', { level: 1, name: 'Security settings' }).waitFor();
    expect(await page.getByText('Recovery codes left: 10.').count()).toBe(1);

    // Add a second authenticator app, typing the key shown for manual entry. (The clock moves a
    // second before each change: the timeline orders entries of one millisecond by id.)
    rig.clock.advance(1_000);
    await press(page, 'Add authenticator app');
    await page.getByRole('heading', { name: 'Set up your authenticator app' }).waitFor();
    const key = (await page.locator('#manual-key').textContent())!;
    const app = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(key.replace(/\s+/g, '')) });
    expect(await isFocused(page.getByLabel('Code from the app'))).toBe(true);
    await page.keyboard.type(app.generate({ timestamp: rig.clock.now() }));
    await page.keyboard.press('Enter');
    await page.waitForURL(`${origin}/2fa/account`);
    expect(await status(page)).toBe('The method was added.');
    expect(await rig.service.listEnrollments(e.user)).toHaveLength(2);

    // Rename the new one: its own labelled field, then Enter.
    rig.clock.advance(1_000);
    const [, added] = await rig.service.listEnrollments(e.user);
    await tabTo(page, page.getByLabel(`New name for ${added!.label!}`), PAGE_TABS);
    await page.keyboard.type('Work phone');
    await enterAndWait(page);
    expect(await status(page)).toBe('The method was renamed.');
    expect(await page.getByText('Work phone', { exact: true }).count()).toBe(1);

    // Ten minutes later the second factor is stale: new codes need "Confirm it's you" first.
    staleStepUp(rig);
    await press(page, 'Generate new codes');
    await page.getByRole('heading', { name: 'Confirm it’s you' }).waitFor();
    expect(await page.getByRole('alert').textContent()).toBe(
      'Confirm your second factor again first.',
    );
    expect(await isFocused(page.getByRole('button').first())).toBe(true);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Enter your code' }).waitFor();
    expect(await isFocused(page.getByLabel('Code', { exact: true }))).toBe(true);
    await page.keyboard.type(e.code());
    await page.keyboard.press('Enter');
    await page.waitForURL(`${origin}/2fa/account`);
    expect(await status(page)).toBe('Thank you, it is confirmed. Now make your change.');
    await press(page, 'Generate new codes');
    await page.getByRole('heading', { name: 'Save your recovery codes' }).waitFor();
    const codes = await page
      .getByRole('list', { name: 'Save your recovery codes' })
      .getByRole('listitem')
      .allTextContents();
    expect(codes).toHaveLength(10);
    expect(codes).not.toContain(e.recoveryCodes[0]);
    const onward = page.getByRole('link', { name: 'I have saved them, continue' });
    expect(await isFocused(onward)).toBe(true);
    await page.keyboard.press('Enter');
    await page.waitForURL(`${origin}/2fa/account`);
    // Shown once: the settings page again, not the codes.
    await page.getByRole('heading', { level: 1, name: 'Security settings' }).waitFor();

    // Forget the remembered device.
    rig.clock.advance(1_000);
    expect(await rig.service.listTrustedDevices(e.user)).toHaveLength(1);
    await press(page, /^Forget (?!all devices)/);
    expect(await status(page)).toBe('The device was forgotten.');
    expect(await rig.service.listTrustedDevices(e.user)).toEqual([]);
    expect(await page.getByText('No device is remembered.').count()).toBe(1);

    // Each change is in the activity list, newest first.
    const activity = await page
      .getByRole('region', { name: 'Recent security activity' })
      .getByRole('listitem')
      .allTextContents();
    const kinds = activity.map((line) => line.replace(/^.*?: /, '').replace(/ \(.*$|,.*$/, ''));
    expect(kinds.slice(0, 5)).toEqual([
      'Device forgotten',
      'New recovery codes generated',
      'Method renamed',
      'Method added',
      'Device remembered',
    ]);
    await context.close();
  });
});
