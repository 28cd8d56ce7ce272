// "Remember this device" in a real browser (issue 12, SECURITY.md FL-16, FL-17): Debian's
// Chromium, driven by playwright-core, against the Express adapter on loopback. A person signs
// in with a code and ticks the box with the keyboard, signs out, signs in again and is not asked
// for a code; then forgets the device (over the JSON API, after a step-up: there are no account
// pages yet), signs out, and is asked for a code again. Keyboard only: Tab, Space, Enter, typing.
import type { BrowserContext, Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, isFocused, launchChromium, tabTo } from './browser-kit.js';
import { expressRig } from './express-rig.js';
import { enrolledUser, type Rig } from './rig.js';
import { useRig } from './suite-kit.js';

const haveChromium = chromiumAvailable();
const open = useRig(expressRig);
let browser: Browser;

/** The host's sign-in page: the user's name typed into the focused field, then Enter. */
async function signInWithPassword(page: Page, origin: string, userId: string): Promise<void> {
  await page.goto(`${origin}/login`);
  expect(await isFocused(page.getByLabel('User'))).toBe(true);
  await page.keyboard.type(userId);
  await page.keyboard.press('Enter');
  await page.waitForLoadState();
}

/** The JSON API as the page's own scripts would call it: same cookies, the CSRF header. */
async function apiPost(context: BrowserContext, origin: string, path: string, body: object) {
  const csrf = (await (await context.request.get(`${origin}/2fa/csrf`)).json()) as {
    csrfToken: string;
  };
  return context.request.post(`${origin}${path}`, {
    data: body,
    headers: { 'x-csrf-token': csrf.csrfToken },
  });
}

describe.skipIf(!haveChromium)('remembering a device in a real browser (Chromium)', () => {
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  async function rigWithPages(): Promise<{ rig: Rig; origin: string }> {
    const rig = await open({ pages: { afterSignIn: '/account', signOutUrl: '/logout' } });
    const res = await rig.client().get('/2fa/health');
    return { rig, origin: new URL(res.url).origin };
  }

  it('FL-16, FL-17: a person ticks "remember this device", is let in without a code next time, forgets the device and is asked again', async () => {
    const { rig, origin } = await rigWithPages();
    const e = await enrolledUser(rig);
    const context = await browser.newContext({ locale: 'en-US' });
    const page = await context.newPage();

    await signInWithPassword(page, origin, e.user.id);
    await page.getByRole('heading', { name: 'Confirm that it is you' }).waitFor();
    expect(await isFocused(page.getByRole('button', { name: 'Use Authenticator' }))).toBe(true);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Enter your code' }).waitFor();
    expect(await isFocused(page.getByLabel('Code', { exact: true }))).toBe(true);
    await page.keyboard.type(e.code());
    const remember = page.getByRole('checkbox', { name: 'Remember this device for 30 days' });
    expect(await remember.isChecked()).toBe(false);
    await tabTo(page, remember);
    await page.keyboard.press('Space');
    expect(await remember.isChecked()).toBe(true);
    await tabTo(page, page.getByRole('button', { name: 'Continue' }));
    await page.keyboard.press('Enter');
    await page.waitForURL(`${origin}/account`);

    // What the browser keeps: a cookie no script can read, for this site only.
    const device = (await context.cookies()).find((c) => c.name === '__Host-factorkit_device')!;
    expect(device).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Strict', path: '/' });
    expect(
      await page.evaluate(() => (globalThis as { document?: { cookie: string } }).document!.cookie),
    ).not.toContain(device.value);

    await page.goto(`${origin}/logout`);
    await page.waitForURL(`${origin}/login`);
    rig.clock.advance(30_000);
    await signInWithPassword(page, origin, e.user.id);
    await page.waitForURL(`${origin}/account`);
    expect(await page.textContent('body')).toContain('"ok":true');
    expect(rig.audit.ofType('device.trusted')).toHaveLength(1);

    // Forgetting a device is a change: it needs a fresh second factor first (FL-08, FL-13).
    const [listed] = await rig.service.listTrustedDevices(e.user);
    const refused = await apiPost(context, origin, `/2fa/account/devices/${listed!.id}/revoke`, {});
    expect(refused.status()).toBe(403);
    expect((await apiPost(context, origin, '/2fa/step-up', {})).status()).toBe(201);
    const stepped = await apiPost(context, origin, '/2fa/step-up/answer', { code: e.code() });
    expect(stepped.status()).toBe(200);
    const revoked = await apiPost(context, origin, `/2fa/account/devices/${listed!.id}/revoke`, {});
    expect(revoked.status()).toBe(200);

    await page.goto(`${origin}/logout`);
    await page.waitForURL(`${origin}/login`);
    await signInWithPassword(page, origin, e.user.id);
    await page.getByRole('heading', { name: 'Confirm that it is you' }).waitFor();
    expect(page.url()).toBe(`${origin}/2fa/`);
    // The dead cookie was cleared by the sign-in that refused it.
    expect((await context.cookies()).some((c) => c.name === '__Host-factorkit_device')).toBe(false);
    expect(rig.audit.ofType('device.rejected')).toEqual([
      expect.objectContaining({ userId: e.user.id, why: 'unknown' }),
    ]);
    await context.close();
  });
});
