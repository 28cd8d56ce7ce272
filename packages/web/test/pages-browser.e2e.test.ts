// The server-rendered pages in a real browser (issue 12): Debian's Chromium, driven by
// playwright-core, against the Express adapter on loopback. A person enrolls TOTP from the page
// (reading the manual key, typing the code an authenticator app would show), mistypes once, saves
// the recovery codes, signs in with a code and later with a recovery code, with the keyboard only:
// no click, only Tab, Enter and typing. Everything is asserted by what the page shows.
//
// Outside CI a missing Chromium skips this file with the reason printed; under CI=true it fails.
import * as OTPAuth from 'otpauth';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expressRig } from './express-rig.js';
import { testUser, type Client, type Rig } from './rig.js';
import { useRig } from './suite-kit.js';
import { chromiumAvailable, isFocused, launchChromium, tabTo } from './browser-kit.js';

const haveChromium = chromiumAvailable();

const open = useRig(expressRig);
let browser: Browser;

/** The rig's origin, read from a request the test client made (the rig listens on port 0). */
let origin = '';

/** The host's password step for `user` (over HTTP), then the same session in a new browser tab. */
async function signedInWithPassword(rig: Rig, client: Client, user = testUser()): Promise<Page> {
  await client.login(user);
  const context = await browser.newContext({ locale: 'en-US' });
  await context.addCookies([{ name: 'sid', value: client.cookie()!, url: origin }]);
  const page = await context.newPage();
  await page.goto(`${origin}/2fa/`);
  return page;
}

/** The authenticator app a person sets up by typing the key shown on the page. */
function appFromKey(key: string): OTPAuth.TOTP {
  return new OTPAuth.TOTP({
    secret: OTPAuth.Secret.fromBase32(key.replace(/\s+/g, '')),
    digits: 6,
    period: 30,
  });
}

async function manualKey(page: Page): Promise<string> {
  const text = await page.getByText(/^Key for manual entry:/).textContent();
  return text!.replace(/^Key for manual entry:\s*/, '').trim();
}

describe.skipIf(!haveChromium)('the pages in a real browser (Chromium)', () => {
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  async function rigWithPages(throttle?: Record<string, unknown>) {
    const rig = await open({
      pages: { afterSignIn: '/account', signOutUrl: '/logout', signInUrl: '/hello' },
      ...(throttle === undefined ? {} : { throttle }),
    });
    const probe = rig.client();
    const res = await probe.get('/2fa/health');
    origin = new URL(res.url).origin;
    return rig;
  }

  it('a person enrolls TOTP, retries a wrong code on the same key, and signs in with a code and with a recovery code, keyboard only', async () => {
    const rig = await rigWithPages();
    const user = testUser({ audience: 'client' });
    const page = await signedInWithPassword(rig, rig.client(), user);

    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(
      'Set up two-factor authentication',
    );
    const setUp = page.getByRole('button', { name: 'Set up authenticator app' });
    expect(await isFocused(setUp)).toBe(true);
    await page.keyboard.press('Enter');

    await page.getByRole('heading', { name: 'Set up your authenticator app' }).waitFor();
    await page.getByRole('img', { name: 'QR code for your authenticator app' }).waitFor();
    const key = await manualKey(page);
    const app = appFromKey(key);
    const codeField = page.getByLabel('Code from the app');
    expect(await isFocused(codeField)).toBe(true);
    const right = app.generate({ timestamp: rig.clock.now() });
    await page.keyboard.type(right === '000000' ? '111111' : '000000');
    await page.keyboard.press('Enter');

    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toBe(
      'That code is not correct. Try again.',
    );
    expect(await manualKey(page)).toBe(key);
    expect(await isFocused(codeField)).toBe(true);
    await page.keyboard.type(app.generate({ timestamp: rig.clock.now() }));
    await page.keyboard.press('Enter');

    await page.getByRole('heading', { name: 'Save your recovery codes' }).waitFor();
    const codes = await page
      .getByRole('list', { name: 'Save your recovery codes' })
      .getByRole('listitem')
      .allTextContents();
    expect(codes.length).toBeGreaterThanOrEqual(8);
    expect(await isFocused(page.getByRole('link', { name: 'I have saved them, continue' }))).toBe(
      true,
    );
    await page.keyboard.press('Enter');

    // The code that confirmed the app may not also sign in: the person waits for the next one.
    rig.clock.advance(30_000);
    await page.getByRole('heading', { name: 'Confirm that it is you' }).waitFor();
    expect(await isFocused(page.getByRole('button', { name: 'Use Authenticator' }))).toBe(true);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Enter your code' }).waitFor();
    expect(await isFocused(page.getByLabel('Code'))).toBe(true);
    await page.keyboard.type(app.generate({ timestamp: rig.clock.now() }));
    await page.keyboard.press('Enter');
    await page.waitForURL(`${origin}/account`);
    expect(await page.textContent('body')).toContain('"ok":true');

    // Later, without the phone: a recovery code, reached with Tab.
    const again = await signedInWithPassword(rig, rig.client(), user);
    await again.getByRole('heading', { name: 'Confirm that it is you' }).waitFor();
    await tabTo(again, again.getByRole('link', { name: 'Use a recovery code instead' }));
    await again.keyboard.press('Enter');
    await again.getByRole('heading', { name: 'Enter a recovery code' }).waitFor();
    expect(await isFocused(again.getByLabel('Recovery code'))).toBe(true);
    await again.keyboard.type(codes[0]!);
    await again.keyboard.press('Enter');
    await again.waitForURL(`${origin}/account`);
    expect(await again.textContent('body')).toContain('"ok":true');
    expect(rig.signedIn.map((o) => o.method)).toEqual(['totp', 'recovery-code']);
  });

  it('a person locked out after wrong codes is told when to try again', async () => {
    const rig = await rigWithPages({ maxFailures: 2, freeFailures: 2, permanentLockAfter: 100 });
    const user = testUser({ audience: 'client' });
    const started = await rig.service.beginActivation(user, 'totp');
    const key = (started.prompt as { manualKey: string }).manualKey;
    const app = appFromKey(key);
    const done = await rig.service.completeActivation(
      started.activationId,
      user,
      app.generate({ timestamp: rig.clock.now() }),
    );
    expect(done.ok).toBe(true);
    rig.clock.advance(30_000);
    const page = await signedInWithPassword(rig, rig.client(), user);
    expect(await isFocused(page.getByRole('button', { name: 'Use Authenticator' }))).toBe(true);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Enter your code' }).waitFor();
    const wrong = app.generate({ timestamp: rig.clock.now() }) === '000000' ? '111111' : '000000';
    for (let i = 0; i < 3; i++) {
      expect(await isFocused(page.getByLabel('Code'))).toBe(true);
      await page.keyboard.type(wrong);
      await page.keyboard.press('Enter');
      await page.getByRole('alert').waitFor();
    }
    expect(await page.getByRole('alert').textContent()).toMatch(
      /Try again (in \d+ (minute|second)s?|at \d\d:\d\d [AP]M UTC)\./,
    );
  });

  it('a person who opens the 2FA page without signing in is shown the way to the sign-in page', async () => {
    await rigWithPages();
    const context = await browser.newContext({ locale: 'de-DE' });
    const page = await context.newPage();
    const response = await page.goto(`${origin}/2fa/`);
    expect(response?.status()).toBe(401);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(
      'Zuerst anmelden',
    );
    expect(await page.textContent('main')).toContain(
      'Melden Sie sich zuerst mit Ihrem Passwort an.',
    );
    const link = page.getByRole('link', { name: 'Zur Anmeldeseite' });
    expect(await isFocused(link)).toBe(true);
    await page.keyboard.press('Enter');
    await page.waitForURL(`${origin}/hello`);
    await context.close();
  });
});
